"""Contract rules: terms, notice and the earliest date a customer may leave.

A *contract* binds a customer from its start date for a *term* (36 months by default). Unless it
is ended, it renews for a *renewal term* (12 months by default) at each *term end*. Term ends
are computed from the start each time, on the start's day of the month, clamped to month ends
(start + 36 months, start + 48 months, ...), so a contract started on the 31st never drifts to
the 28th. Like every end date in the product, a term end is the first day no longer bound: a
term is the half-open interval ``[previous end, term end)``.

To end a contract at a term end ``T``, notice must be given on or before its *notice deadline*,
``T`` minus the notice months (month arithmetic, clamped to month ends); a notice on the
deadline day is in time. A later notice ends the contract at the end of the following term.
How many notice months apply is *versioned* (:class:`NoticeRule`): in the licence business it
was 3 months, and 6 months for contracts of new customers starting from 2023-10-21 and for
notices from existing customers from 2023-11-21.

Ending at any other date needs a manager's *approval*, recorded with who approved. Approval
waives the term and the notice period, but nothing waives the *minimum term* (12 months from
the start by default): no contract ends before it. Where both approval and notice are missing,
the answer names the approval (domain.md, "Contract rules").

Everything here is pure: dates in, dates or a :class:`ContractRuleError` out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from billing.domain.calendar import add_months, validate_date
from billing.domain.errors import DomainError, InvalidInput

#: Terms, renewals, minimum terms and notice periods are at most this many months (100 years),
#: which keeps every computed date well inside ``datetime.date``'s range.
MAX_CONTRACT_MONTHS = 1200


def _check_months(value: int, *, field: str, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{field} must be a whole number of months")
    if not minimum <= value <= MAX_CONTRACT_MONTHS:
        raise InvalidInput(f"{field} must be between {minimum} and {MAX_CONTRACT_MONTHS} months")


@dataclass(frozen=True, slots=True)
class NoticeRule:
    """Notice months in force: for contracts starting on/after `for_new_from`, and for contracts
    that started earlier, for notices given on/after `for_existing_from`."""

    for_new_from: date
    for_existing_from: date
    notice_months: int

    def __post_init__(self) -> None:
        _check_months(self.notice_months, field="notice_months", minimum=0)

    def applies(self, *, contract_start: date, requested_on: date) -> bool:
        return contract_start >= self.for_new_from or requested_on >= self.for_existing_from


#: The licence business's rules: 3 months from the beginning of time; 6 months for contracts of
#: new customers from 2023-10-21 and for existing customers' notices from 2023-11-21.
DEFAULT_NOTICE_RULES: tuple[NoticeRule, ...] = (
    NoticeRule(for_new_from=date.min, for_existing_from=date.min, notice_months=3),
    NoticeRule(
        for_new_from=date(2023, 10, 21), for_existing_from=date(2023, 11, 21), notice_months=6
    ),
)


@dataclass(frozen=True, slots=True)
class ContractTerms:
    """The terms a contract was signed on. ``notice_months=None`` lets the notice rules decide."""

    term_months: int = 36
    minimum_term_months: int = 12
    notice_months: int | None = None
    renewal_months: int = 12
    auto_renew: bool = True

    def __post_init__(self) -> None:
        _check_months(self.term_months, field="term_months", minimum=1)
        _check_months(self.renewal_months, field="renewal_months", minimum=1)
        _check_months(self.minimum_term_months, field="minimum_term_months", minimum=0)
        if self.minimum_term_months > self.term_months:
            # Otherwise the end of the first term could itself break the minimum term.
            raise InvalidInput("the minimum term cannot be longer than the term")
        if self.notice_months is not None:
            _check_months(self.notice_months, field="notice_months", minimum=0)


@dataclass(frozen=True, slots=True)
class ContractPosition:
    """What staff see before calling a customer who wants to leave (as of ``requested_on``)."""

    contract_start: date
    requested_on: date
    notice_months: int
    current_term_end: date  # end (first day not bound) of the term running on requested_on
    notice_deadline: date  # current_term_end minus notice months; a notice ON it is in time
    earliest_allowed_end: date  # without approval
    minimum_term_end: date  # start + minimum_term_months: nothing may end before it
    earliest_with_approval: date  # max(minimum_term_end, requested_on)
    months_left: int  # whole months from requested_on to current_term_end (floor)
    days_left: int  # days from requested_on to current_term_end

    @property
    def notice_in_time(self) -> bool:
        """Whether a notice given on ``requested_on`` ends the contract at the current term."""
        return self.requested_on <= self.notice_deadline


class ContractRuleError(DomainError, code="contract_rule", status=422):
    """An end date the contract rules refuse. ``earliest_end`` is the earliest end date that
    would be accepted under the same approval (with or without)."""

    def __init__(self, detail: str, *, earliest_end: date) -> None:
        super().__init__(detail)
        self.earliest_end = earliest_end


class MinimumTermNotServed(ContractRuleError, code="minimum_term"):
    """The end date falls within the minimum term; not even a manager can waive that."""


class NoticePeriodMissed(ContractRuleError, code="notice_period"):
    """The end date is a term end whose notice deadline has passed."""


class ApprovalRequired(ContractRuleError, code="approval_required"):
    """The end date is not a term end, so ending then needs a manager's approval."""


class EndDateInPast(ContractRuleError, code="end_date_in_past"):
    """The end date lies before the day the end is requested; nobody can end a contract back
    in time (approval would not help, so this is not ``approval_required``)."""


def notice_months_for(
    terms: ContractTerms,
    *,
    contract_start: date,
    requested_on: date,
    rules: Sequence[NoticeRule] = DEFAULT_NOTICE_RULES,
) -> int:
    """The notice months for a notice given on ``requested_on``.

    The contract's own ``notice_months`` wins; otherwise, of the rules that apply, the one that
    took effect last (latest ``for_new_from``, then latest ``for_existing_from``) decides.
    """
    if terms.notice_months is not None:
        return terms.notice_months
    in_force = [
        rule
        for rule in rules
        if rule.applies(contract_start=contract_start, requested_on=requested_on)
    ]
    if not in_force:
        raise InvalidInput(
            f"no notice rule is in force for a contract started {contract_start} "
            f"and a notice given {requested_on}"
        )
    latest = max(in_force, key=lambda rule: (rule.for_new_from, rule.for_existing_from))
    return latest.notice_months


def _term_end(terms: ContractTerms, contract_start: date, k: int) -> date:
    """The end of term ``k`` (0 = the first term), computed from the start, never chained."""
    return add_months(contract_start, terms.term_months + k * terms.renewal_months)


def term_ends(terms: ContractTerms, *, contract_start: date) -> Iterator[date]:
    """The contract's term ends in order: start + term, then + renewal each time.

    Without auto-renewal there is only the first. With it the sequence is endless; it stops only
    before leaving ``datetime.date``'s range.
    """
    if not terms.auto_renew:
        yield _term_end(terms, contract_start, 0)
        return
    k = 0
    last_month_index = date.max.year * 12 - 1
    start_index = contract_start.year * 12 + contract_start.month - 1
    while start_index + terms.term_months + k * terms.renewal_months <= last_month_index:
        yield _term_end(terms, contract_start, k)
        k += 1


def _first_term_on_or_after(terms: ContractTerms, contract_start: date, day: date) -> int:
    """The smallest ``k >= 0`` with ``term end k >= day`` (auto-renewing contracts)."""
    months = (day.year - contract_start.year) * 12 + day.month - contract_start.month
    k = max(0, (months - terms.term_months) // terms.renewal_months)
    # Month arithmetic gets within one term; the day of the month settles it.
    while k > 0 and _term_end(terms, contract_start, k - 1) >= day:
        k -= 1
    while _term_end(terms, contract_start, k) < day:
        k += 1
    return k


def notice_deadline(term_end: date, *, notice_months: int) -> date:
    """The last day a notice ends the contract at ``term_end``: ``term_end`` minus the notice
    months, clamped to month ends (6 months before 2027-08-31 is 2027-02-28)."""
    return add_months(term_end, -notice_months)


def _whole_months_between(start: date, end: date) -> int:
    """The most whole months ``m >= 0`` with ``start + m months <= end`` (clamped arithmetic)."""
    if end <= start:
        return 0
    m = (end.year - start.year) * 12 + end.month - start.month
    while m > 0 and add_months(start, m) > end:
        m -= 1
    return m


def contract_position(
    terms: ContractTerms,
    *,
    contract_start: date,
    requested_on: date,
    rules: Sequence[NoticeRule] = DEFAULT_NOTICE_RULES,
) -> ContractPosition:
    """Where a contract stands for a customer asking on ``requested_on`` to leave."""
    validate_date(contract_start, field="contract_start")
    validate_date(requested_on, field="requested_on")
    notice = notice_months_for(
        terms, contract_start=contract_start, requested_on=requested_on, rules=rules
    )
    minimum_term_end = add_months(contract_start, terms.minimum_term_months)

    if terms.auto_renew:
        # The term running on requested_on is the first whose end lies after it.
        current_term_end = _term_end(
            terms,
            contract_start,
            _first_term_on_or_after(terms, contract_start, requested_on + timedelta(days=1)),
        )
        # Search from the first term end on or after requested_on: with no notice months a
        # term ending on the very day is still in time.
        k = _first_term_on_or_after(terms, contract_start, requested_on)
        while notice_deadline(_term_end(terms, contract_start, k), notice_months=notice) < (
            requested_on
        ):
            k += 1
        earliest_allowed_end = _term_end(terms, contract_start, k)
    else:
        # A contract that does not renew ends at its one term end whatever the notice.
        current_term_end = _term_end(terms, contract_start, 0)
        earliest_allowed_end = max(current_term_end, requested_on)

    return ContractPosition(
        contract_start=contract_start,
        requested_on=requested_on,
        notice_months=notice,
        current_term_end=current_term_end,
        notice_deadline=notice_deadline(current_term_end, notice_months=notice),
        earliest_allowed_end=earliest_allowed_end,
        minimum_term_end=minimum_term_end,
        earliest_with_approval=max(minimum_term_end, requested_on),
        months_left=_whole_months_between(requested_on, current_term_end),
        days_left=max(0, (current_term_end - requested_on).days),
    )


def check_end_date(
    terms: ContractTerms,
    *,
    contract_start: date,
    requested_on: date,
    end_date: date,
    approved_by: str | None,
    rules: Sequence[NoticeRule] = DEFAULT_NOTICE_RULES,
) -> None:
    """Refuse ``end_date`` if the contract rules do not allow it; return quietly if they do.

    In order: nothing ends before the minimum term (even approved); nothing ends before
    ``requested_on``; an approved end is otherwise fine (approval waives term and notice);
    without approval only term ends whose notice deadline is on or after ``requested_on`` are
    allowed (or, for a contract that does not renew, any date from its term end on). A blank
    ``approved_by`` is no approval: an approval is recorded with who gave it.
    """
    validate_date(end_date, field="end_date")
    position = contract_position(
        terms, contract_start=contract_start, requested_on=requested_on, rules=rules
    )
    approved = approved_by is not None and approved_by.strip() != ""
    earliest = position.earliest_with_approval if approved else position.earliest_allowed_end

    if end_date < position.minimum_term_end:
        raise MinimumTermNotServed(
            f"the minimum term of {terms.minimum_term_months} months runs until "
            f"{position.minimum_term_end}; the contract cannot end on {end_date}, "
            f"not even with approval (earliest end {earliest})",
            earliest_end=earliest,
        )
    if end_date < requested_on:
        raise EndDateInPast(
            f"the end date {end_date} is before the request on {requested_on} "
            f"(earliest end {earliest})",
            earliest_end=earliest,
        )
    if not approved:
        _check_without_approval(
            terms,
            position,
            contract_start=contract_start,
            requested_on=requested_on,
            end_date=end_date,
        )


def _check_without_approval(
    terms: ContractTerms,
    position: ContractPosition,
    *,
    contract_start: date,
    requested_on: date,
    end_date: date,
) -> None:
    """Without approval, only a term end whose notice deadline has not passed (or, for a
    contract that does not renew, any date from its term end on)."""
    earliest = position.earliest_allowed_end
    if not terms.auto_renew:
        if end_date >= position.current_term_end:
            return
        raise ApprovalRequired(
            f"the contract runs until {position.current_term_end}; ending on {end_date} "
            f"needs a manager's approval (earliest end without approval {earliest})",
            earliest_end=earliest,
        )

    k = _first_term_on_or_after(terms, contract_start, end_date)
    if _term_end(terms, contract_start, k) != end_date:
        raise ApprovalRequired(
            f"{end_date} is not the end of a contract term; ending on it needs a manager's "
            f"approval (earliest end without approval {earliest})",
            earliest_end=earliest,
        )
    deadline = notice_deadline(end_date, notice_months=position.notice_months)
    if deadline < requested_on:
        raise NoticePeriodMissed(
            f"to end on {end_date}, notice was due by {deadline} "
            f"({position.notice_months} months); a notice given on {requested_on} ends the "
            f"contract on {earliest} at the earliest",
            earliest_end=earliest,
        )
