"""Contract rules: versioned notice, deadlines, term ends, approval and the minimum term."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import islice

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing.domain.contracts import (
    DEFAULT_NOTICE_RULES,
    ApprovalRequired,
    ContractRuleError,
    ContractTerms,
    EndDateInPast,
    MinimumTermNotServed,
    NoticePeriodMissed,
    NoticeRule,
    check_end_date,
    contract_position,
    notice_deadline,
    notice_months_for,
    term_ends,
)
from billing.domain.errors import DomainError, InvalidInput

DEFAULT = ContractTerms()
START = date(2024, 3, 1)  # first term ends 2027-03-01; 6 months' notice, deadline 2026-09-01


def code_of(
    terms: ContractTerms,
    *,
    requested_on: date,
    end_date: date,
    approved_by: str | None = None,
    contract_start: date = START,
) -> str | None:
    try:
        check_end_date(
            terms,
            contract_start=contract_start,
            requested_on=requested_on,
            end_date=end_date,
            approved_by=approved_by,
        )
    except ContractRuleError as exc:
        return exc.code
    return None


# -- versioned notice rule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contract_start", "requested_on", "months"),
    [
        # New contracts: 6 months from a start on 2023-10-21, at any notice date.
        (date(2023, 10, 20), date(2023, 10, 25), 3),
        (date(2023, 10, 21), date(2023, 10, 25), 6),
        (date(2023, 10, 21), date(2023, 10, 21), 6),
        # Existing contracts: 6 months for notices from 2023-11-21.
        (date(2020, 1, 1), date(2023, 11, 20), 3),
        (date(2020, 1, 1), date(2023, 11, 21), 6),
        (date(2023, 10, 20), date(2023, 11, 20), 3),
        (date(2023, 10, 20), date(2023, 11, 21), 6),
        (date(2015, 6, 1), date(2019, 1, 1), 3),
    ],
)
def test_versioned_notice_rule(contract_start: date, requested_on: date, months: int) -> None:
    assert (
        notice_months_for(DEFAULT, contract_start=contract_start, requested_on=requested_on)
        == months
    )


def test_contract_notice_months_override_the_rules() -> None:
    terms = ContractTerms(notice_months=1)
    assert notice_months_for(terms, contract_start=START, requested_on=START) == 1


def test_custom_rules_and_no_rule_in_force() -> None:
    rules = (
        NoticeRule(for_new_from=date(2025, 1, 1), for_existing_from=date(2026, 1, 1),
                   notice_months=2),
    )
    months = notice_months_for(
        DEFAULT, contract_start=date(2025, 1, 1), requested_on=date(2025, 2, 1), rules=rules
    )
    assert months == 2
    with pytest.raises(InvalidInput):
        notice_months_for(DEFAULT, contract_start=date(2024, 1, 1),
                          requested_on=date(2025, 12, 31), rules=rules)


def test_old_contract_three_months_notice_deadline() -> None:
    # Started 2021-03-01, first term ends 2024-03-01; a notice in 2023-11 falls under 3 months.
    pos = contract_position(DEFAULT, contract_start=date(2021, 3, 1),
                            requested_on=date(2023, 11, 20))
    assert pos.notice_months == 3
    assert pos.notice_deadline == date(2023, 12, 1)
    assert pos.earliest_allowed_end == date(2024, 3, 1)
    # One day later the 6-month rule applies to existing customers: too late for 2024-03-01.
    pos = contract_position(DEFAULT, contract_start=date(2021, 3, 1),
                            requested_on=date(2023, 11, 21))
    assert pos.notice_months == 6
    assert pos.notice_deadline == date(2023, 9, 1)
    assert pos.earliest_allowed_end == date(2025, 3, 1)


# -- notice deadline -------------------------------------------------------------------------


def test_notice_on_the_deadline_day_is_in_time() -> None:
    pos = contract_position(DEFAULT, contract_start=START, requested_on=date(2026, 9, 1))
    assert pos.notice_deadline == date(2026, 9, 1)
    assert pos.notice_in_time
    assert pos.earliest_allowed_end == date(2027, 3, 1)
    assert code_of(DEFAULT, requested_on=date(2026, 9, 1), end_date=date(2027, 3, 1)) is None


def test_notice_one_day_late_ends_at_the_following_term() -> None:
    pos = contract_position(DEFAULT, contract_start=START, requested_on=date(2026, 9, 2))
    assert pos.current_term_end == date(2027, 3, 1)
    assert not pos.notice_in_time
    assert pos.earliest_allowed_end == date(2028, 3, 1)
    assert code_of(DEFAULT, requested_on=date(2026, 9, 2), end_date=date(2027, 3, 1)) == (
        "notice_period"
    )
    assert code_of(DEFAULT, requested_on=date(2026, 9, 2), end_date=date(2028, 3, 1)) is None


def test_notice_period_error_names_the_dates() -> None:
    with pytest.raises(NoticePeriodMissed) as info:
        check_end_date(DEFAULT, contract_start=START, requested_on=date(2026, 9, 2),
                       end_date=date(2027, 3, 1), approved_by=None)
    err = info.value
    assert isinstance(err, DomainError)
    assert (err.code, err.status) == ("notice_period", 422)
    assert err.earliest_end == date(2028, 3, 1)
    assert "2026-09-01" in err.detail and "2028-03-01" in err.detail


def test_deadline_is_clamped_to_month_end() -> None:
    assert notice_deadline(date(2027, 8, 31), notice_months=6) == date(2027, 2, 28)
    assert notice_deadline(date(2028, 8, 31), notice_months=6) == date(2028, 2, 29)
    terms = ContractTerms(term_months=43)  # from 2024-01-31: ends 2027-08-31
    pos = contract_position(terms, contract_start=date(2024, 1, 31),
                            requested_on=date(2027, 2, 28))
    assert pos.current_term_end == date(2027, 8, 31)
    assert pos.notice_deadline == date(2027, 2, 28)
    assert pos.earliest_allowed_end == date(2027, 8, 31)
    late = contract_position(terms, contract_start=date(2024, 1, 31),
                             requested_on=date(2027, 3, 1))
    assert late.earliest_allowed_end == date(2028, 8, 31)


# -- minimum term and approval ---------------------------------------------------------------


def test_minimum_term_is_refused_even_with_approval() -> None:
    with pytest.raises(MinimumTermNotServed) as info:
        check_end_date(DEFAULT, contract_start=START, requested_on=date(2024, 6, 1),
                       end_date=date(2025, 2, 28), approved_by="Maria Manager")
    assert info.value.code == "minimum_term"
    assert info.value.earliest_end == date(2025, 3, 1)
    assert "2025-03-01" in info.value.detail
    # The first day after the minimum term is fine with approval, not without.
    assert code_of(DEFAULT, requested_on=date(2024, 6, 1), end_date=date(2025, 3, 1),
                   approved_by="Maria Manager") is None
    assert code_of(DEFAULT, requested_on=date(2024, 6, 1), end_date=date(2025, 3, 1)) == (
        "approval_required"
    )


def test_minimum_term_wins_over_missing_approval() -> None:
    assert code_of(DEFAULT, requested_on=date(2024, 6, 1), end_date=date(2024, 12, 1)) == (
        "minimum_term"
    )


def test_approval_waives_the_notice_period() -> None:
    late = date(2026, 12, 1)  # deadline for 2027-03-01 was 2026-09-01
    assert code_of(DEFAULT, requested_on=late, end_date=date(2027, 3, 1)) == "notice_period"
    assert code_of(DEFAULT, requested_on=late, end_date=date(2027, 3, 1), approved_by="Bo") is None
    assert code_of(DEFAULT, requested_on=late, end_date=late, approved_by="Bo") is None


def test_both_approval_and_notice_missing_names_the_approval() -> None:
    # 2027-01-01 is mid-term (needs approval) and under six months away (misses notice).
    with pytest.raises(ApprovalRequired) as info:
        check_end_date(DEFAULT, contract_start=START, requested_on=date(2026, 10, 1),
                       end_date=date(2027, 1, 1), approved_by=None)
    assert info.value.code == "approval_required"
    assert info.value.earliest_end == date(2028, 3, 1)
    assert "2028-03-01" in info.value.detail


def test_blank_approver_is_no_approval() -> None:
    assert code_of(DEFAULT, requested_on=date(2026, 12, 1), end_date=date(2027, 3, 1),
                   approved_by="  ") == "notice_period"


def test_end_date_before_the_request_is_refused() -> None:
    with pytest.raises(EndDateInPast) as info:
        check_end_date(DEFAULT, contract_start=START, requested_on=date(2026, 6, 1),
                       end_date=date(2026, 5, 31), approved_by="Bo")
    assert info.value.code == "end_date_in_past"
    assert info.value.earliest_end == date(2026, 6, 1)


# -- renewals --------------------------------------------------------------------------------


def test_term_ends_renew_from_the_start() -> None:
    assert list(islice(term_ends(DEFAULT, contract_start=START), 4)) == [
        date(2027, 3, 1), date(2028, 3, 1), date(2029, 3, 1), date(2030, 3, 1)
    ]


def test_renewal_term_position_and_end_dates() -> None:
    requested = date(2027, 6, 1)  # in the first renewal term, which ends 2028-03-01
    pos = contract_position(DEFAULT, contract_start=START, requested_on=requested)
    assert pos.current_term_end == date(2028, 3, 1)
    assert pos.notice_deadline == date(2027, 9, 1)
    assert pos.earliest_allowed_end == date(2028, 3, 1)
    assert code_of(DEFAULT, requested_on=requested, end_date=date(2028, 3, 1)) is None
    # A later term end, with notice in time, is allowed too.
    assert code_of(DEFAULT, requested_on=requested, end_date=date(2029, 3, 1)) is None
    # A date in the middle of a renewal term needs approval.
    assert code_of(DEFAULT, requested_on=requested, end_date=date(2028, 9, 1)) == (
        "approval_required"
    )


def test_request_on_a_term_end_is_in_the_next_term() -> None:
    pos = contract_position(DEFAULT, contract_start=START, requested_on=date(2027, 3, 1))
    assert pos.current_term_end == date(2028, 3, 1)


def test_no_notice_months_allows_ending_on_the_day_of_a_term_end() -> None:
    terms = ContractTerms(notice_months=0)
    pos = contract_position(terms, contract_start=START, requested_on=date(2027, 3, 1))
    assert pos.earliest_allowed_end == date(2027, 3, 1)
    assert code_of(terms, requested_on=date(2027, 3, 1), end_date=date(2027, 3, 1)) is None


def test_non_auto_renew_has_one_term_end_and_ends_there_whatever_the_notice() -> None:
    terms = ContractTerms(auto_renew=False)
    assert list(term_ends(terms, contract_start=START)) == [date(2027, 3, 1)]
    late = date(2026, 12, 1)
    pos = contract_position(terms, contract_start=START, requested_on=late)
    assert pos.current_term_end == date(2027, 3, 1)
    assert pos.earliest_allowed_end == date(2027, 3, 1)
    assert code_of(terms, requested_on=late, end_date=date(2027, 3, 1)) is None
    assert code_of(terms, requested_on=late, end_date=date(2027, 6, 1)) is None
    assert code_of(terms, requested_on=late, end_date=date(2027, 2, 1)) == "approval_required"
    after = contract_position(terms, contract_start=START, requested_on=date(2027, 5, 1))
    assert after.earliest_allowed_end == date(2027, 5, 1)
    assert (after.months_left, after.days_left) == (0, 0)


# -- month-end clamping ----------------------------------------------------------------------


def test_term_ends_of_a_31st_start_do_not_drift() -> None:
    start = date(2024, 1, 31)
    assert next(term_ends(DEFAULT, contract_start=start)) == date(2027, 1, 31)
    assert next(term_ends(ContractTerms(term_months=37), contract_start=start)) == date(2027, 2, 28)
    monthly = ContractTerms(renewal_months=1)
    assert list(islice(term_ends(monthly, contract_start=start), 4)) == [
        date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)
    ]


# -- position --------------------------------------------------------------------------------


def test_position_fields() -> None:
    pos = contract_position(DEFAULT, contract_start=START, requested_on=date(2026, 1, 15))
    assert pos.contract_start == START
    assert pos.requested_on == date(2026, 1, 15)
    assert pos.notice_months == 6
    assert pos.current_term_end == date(2027, 3, 1)
    assert pos.notice_deadline == date(2026, 9, 1)
    assert pos.earliest_allowed_end == date(2027, 3, 1)
    assert pos.minimum_term_end == date(2025, 3, 1)
    assert pos.earliest_with_approval == date(2026, 1, 15)
    assert pos.months_left == 13  # 2027-02-15 <= 2027-03-01 < 2027-03-15
    assert pos.days_left == 410


def test_position_early_in_the_contract() -> None:
    pos = contract_position(DEFAULT, contract_start=START, requested_on=date(2024, 4, 10))
    assert pos.earliest_with_approval == date(2025, 3, 1)
    assert pos.months_left == 34
    assert pos.days_left == (date(2027, 3, 1) - date(2024, 4, 10)).days


def test_months_left_uses_clamped_month_arithmetic() -> None:
    terms = ContractTerms(term_months=1, minimum_term_months=0)
    pos = contract_position(terms, contract_start=date(2024, 1, 31),
                            requested_on=date(2024, 1, 31))
    assert pos.current_term_end == date(2024, 2, 29)
    assert (pos.months_left, pos.days_left) == (1, 29)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"term_months": 0},
        {"renewal_months": 0},
        {"minimum_term_months": -1},
        {"minimum_term_months": 40},
        {"notice_months": -1},
        {"term_months": 5000},
    ],
)
def test_invalid_terms(kwargs: dict[str, int]) -> None:
    with pytest.raises(InvalidInput):
        ContractTerms(**kwargs)  # type: ignore[arg-type]


def test_default_rules_shape() -> None:
    assert [r.notice_months for r in DEFAULT_NOTICE_RULES] == [3, 6]


# -- properties ------------------------------------------------------------------------------


@st.composite
def contracts(draw: st.DrawFn) -> tuple[ContractTerms, date, date]:
    term = draw(st.integers(1, 60))
    terms = ContractTerms(
        term_months=term,
        minimum_term_months=draw(st.integers(0, term)),
        notice_months=draw(st.none() | st.integers(0, 18)),
        renewal_months=draw(st.integers(1, 24)),
        auto_renew=draw(st.booleans()),
    )
    start = draw(st.dates(date(2018, 1, 1), date(2030, 12, 31)))
    requested = start + timedelta(days=draw(st.integers(-400, 365 * 12)))
    return terms, start, requested


PROPS = settings(max_examples=200, deadline=None)


@PROPS
@given(contracts())
def test_earliest_allowed_end_passes_without_approval(
    contract: tuple[ContractTerms, date, date],
) -> None:
    terms, start, requested = contract
    pos = contract_position(terms, contract_start=start, requested_on=requested)
    check_end_date(terms, contract_start=start, requested_on=requested,
                   end_date=pos.earliest_allowed_end, approved_by=None)
    check_end_date(terms, contract_start=start, requested_on=requested,
                   end_date=pos.earliest_with_approval, approved_by="manager")
    assert pos.earliest_allowed_end >= pos.minimum_term_end
    assert pos.earliest_allowed_end >= requested
    assert pos.earliest_with_approval <= pos.earliest_allowed_end
    assert pos.notice_deadline <= pos.current_term_end


@PROPS
@given(contracts(), st.integers(1, 800))
def test_nothing_earlier_passes(contract: tuple[ContractTerms, date, date], back: int) -> None:
    terms, start, requested = contract
    pos = contract_position(terms, contract_start=start, requested_on=requested)
    earlier = pos.earliest_allowed_end - timedelta(days=back)
    with pytest.raises(ContractRuleError):
        check_end_date(terms, contract_start=start, requested_on=requested,
                       end_date=earlier, approved_by=None)
    before_approval = pos.earliest_with_approval - timedelta(days=back)
    with pytest.raises((MinimumTermNotServed, EndDateInPast)):
        check_end_date(terms, contract_start=start, requested_on=requested,
                       end_date=before_approval, approved_by="manager")


@PROPS
@given(contracts())
def test_term_ends_increase_and_the_current_term_runs_on_the_request(
    contract: tuple[ContractTerms, date, date],
) -> None:
    terms, start, requested = contract
    ends = list(islice(term_ends(terms, contract_start=start), 400))
    assert ends == sorted(set(ends))
    assert ends[0] >= start
    pos = contract_position(terms, contract_start=start, requested_on=requested)
    assert pos.current_term_end in ends or not terms.auto_renew
    if terms.auto_renew:
        assert requested < pos.current_term_end
        assert all(end <= requested or end >= pos.current_term_end for end in ends)
    assert pos.months_left >= 0 and pos.days_left >= 0
