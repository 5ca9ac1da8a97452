"""Late-payment rules, worked out by hand: the table by date, fee caps, interest per day,
reminder eligibility (grace, count, spacing)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from billing.domain.errors import InvalidInput
from billing.domain.late_payment import (
    LatePaymentRule,
    late_interest,
    next_reminder_day,
    reminder_charges,
    reminder_due,
    rule_on,
    validate_rule,
)

SE_H1 = LatePaymentRule(
    country="SE",
    valid_from=date(2025, 1, 1),
    reference_rate=300,
    points=800,
    reminder_fee=6000,
    fee_needs_agreement=True,
    max_fees=None,
    max_reminders=None,
    grace_days=7,
    spacing_days=14,
    compensation=45000,
)
SE_H2 = replace(SE_H1, valid_from=date(2025, 7, 1), reference_rate=200)
DK = LatePaymentRule(
    country="DK",
    valid_from=date(2023, 7, 1),
    reference_rate=325,
    points=800,
    reminder_fee=10000,
    fee_needs_agreement=False,
    max_fees=3,
    max_reminders=3,
    grace_days=1,
    spacing_days=10,
    compensation=31000,
)
TABLE = [SE_H2, SE_H1, DK]


class TestTableByDate:
    def test_the_row_in_force_is_the_latest_on_or_before_the_day(self) -> None:
        assert rule_on(TABLE, date(2025, 6, 30), country="SE") is SE_H1
        assert rule_on(TABLE, date(2025, 7, 1), country="SE") is SE_H2
        assert rule_on(TABLE, date(2026, 1, 1), country="DK") is DK

    def test_no_row_yet_is_refused(self) -> None:
        with pytest.raises(InvalidInput) as err:
            rule_on(TABLE, date(2024, 12, 31), country="SE")
        assert err.value.code == "no_late_payment_rule"

    def test_annual_rate_is_reference_plus_points(self) -> None:
        assert SE_H1.annual_rate == 1100  # 3.00 % + 8 points = 11.00 %


class TestInterestPerDay:
    def test_one_rate(self) -> None:
        # 100 000 öre (1 000 kr) at 11 % for 30 days:
        # 100000 × 1100 × 30 / 3 650 000 = 3 300 000 000 / 3 650 000 = 904.109… → 904 öre.
        assert (
            late_interest(
                TABLE, country="SE", amount=100000, start=date(2025, 3, 1), end=date(2025, 3, 31)
            )
            == 904
        )

    def test_rounding_half_up_once(self) -> None:
        # 1825 øre at 10 % for 1 day: 1825 × 1000 / 3 650 000 = 0.5 exactly → 1 (half up).
        ten = replace(DK, reference_rate=200)  # 2 % + 8 = 10 %
        assert (
            late_interest(
                [ten], country="DK", amount=1825, start=date(2025, 1, 1), end=date(2025, 1, 2)
            )
            == 1
        )
        # 1824 öre: 0.4997… → 0.
        assert (
            late_interest(
                [ten], country="DK", amount=1824, start=date(2025, 1, 1), end=date(2025, 1, 2)
            )
            == 0
        )

    def test_a_rate_change_splits_the_days_and_rounds_once(self) -> None:
        # 50 000 öre from 2025-06-21 to 2025-07-11: 10 days at 11 % (to 30 June), 10 at 10 %:
        # 50000 × (1100 × 10 + 1000 × 10) / 3 650 000 = 1 050 000 000 / 3 650 000
        # = 287.67… → 288 (rounding each part, 150.68→151 + 136.99→137, would also say 288,
        # but only the sum is rounded).
        assert (
            late_interest(
                TABLE, country="SE", amount=50000, start=date(2025, 6, 21), end=date(2025, 7, 11)
            )
            == 288
        )

    def test_nothing_for_no_days_or_nothing_owed(self) -> None:
        day = date(2025, 3, 1)
        assert late_interest(TABLE, country="SE", amount=100000, start=day, end=day) == 0
        assert late_interest(TABLE, country="SE", amount=0, start=day, end=date(2025, 4, 1)) == 0


class TestFeeCaps:
    def test_sweden_at_most_60_kr(self) -> None:
        with pytest.raises(InvalidInput) as err:
            validate_rule(replace(SE_H1, reminder_fee=6001))
        assert err.value.code == "fee_over_cap"

    def test_denmark_at_most_100_kr_three_fees_ten_days(self) -> None:
        assert validate_rule(DK) is DK
        for bad, code in (
            (replace(DK, reminder_fee=10001), "fee_over_cap"),
            (replace(DK, max_fees=4), "too_many_fees"),
            (replace(DK, spacing_days=9), "spacing_too_short"),
        ):
            with pytest.raises(InvalidInput) as err:
                validate_rule(bad)
            assert err.value.code == code

    def test_negative_rate_and_unknown_country(self) -> None:
        with pytest.raises(InvalidInput) as err:
            validate_rule(replace(SE_H1, reference_rate=-50))
        assert err.value.code == "negative_rate"
        with pytest.raises(InvalidInput) as err:
            validate_rule(replace(SE_H1, country="FI"))
        assert err.value.code == "unknown_country"

    def test_swedish_fee_only_where_agreed_compensation_only_to_businesses(self) -> None:
        def charges(**kw: object) -> tuple[int, int]:
            args: dict[str, object] = {
                "overdue": 100000,
                "today": date(2025, 3, 31),
                "interest_from": date(2025, 3, 1),
                "reminders_before": 0,
                "fee_agreed": False,
                "business": False,
                **kw,
            }
            c = reminder_charges(TABLE, SE_H1, **args)  # type: ignore[arg-type]
            return c.fee, c.compensation

        assert charges() == (0, 0)
        assert charges(fee_agreed=True) == (6000, 0)
        assert charges(fee_agreed=True, business=True) == (6000, 45000)
        # The compensation is once per invoice: not on the second reminder.
        assert charges(fee_agreed=True, business=True, reminders_before=1) == (6000, 0)

    def test_no_fee_after_max_fees(self) -> None:
        c = reminder_charges(
            TABLE,
            DK,
            overdue=100000,
            today=date(2025, 3, 31),
            interest_from=date(2025, 3, 21),
            reminders_before=3,
            fee_agreed=False,
            business=False,
        )
        assert c.fee == 0
        # 100 000 øre at 11.25 % for 10 days: 100000 × 1125 × 10 / 3 650 000 = 308.2… → 308.
        assert c.interest == 308


class TestEligibility:
    def test_grace_then_spacing(self) -> None:
        due = date(2025, 3, 1)
        assert next_reminder_day(SE_H1, due_date=due, sent=[]) == date(2025, 3, 8)
        assert not reminder_due(SE_H1, due_date=due, today=date(2025, 3, 7), sent=[])
        assert reminder_due(SE_H1, due_date=due, today=date(2025, 3, 8), sent=[])
        sent = [date(2025, 3, 8)]
        assert next_reminder_day(SE_H1, due_date=due, sent=sent) == date(2025, 3, 22)

    def test_denmark_stops_after_three(self) -> None:
        due = date(2025, 3, 1)
        sent = [date(2025, 3, 2), date(2025, 3, 12), date(2025, 3, 22)]
        assert next_reminder_day(DK, due_date=due, sent=sent[:2]) == date(2025, 3, 22)
        assert next_reminder_day(DK, due_date=due, sent=sent) is None
        assert not reminder_due(DK, due_date=due, today=date(2026, 1, 1), sent=sent)
