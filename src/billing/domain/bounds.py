"""The bounds on products of amounts (api-contract, "Conventions"), defined once.

An amount is at most :data:`~billing.domain.money.MAX_AMOUNT` (10^12 minor units) and a quantity
at most :data:`MAX_QUANTITY`, but their products are bounded too, so that no sum the product
makes can overflow a signed 64-bit column and no bill run can fail on one:

* a **period's amount** of one item (unit × quantity, over the months of the period it is
  billed for) is at most :data:`MAX_PERIOD_AMOUNT` (10^13);
* a **document's total** is at most :data:`MAX_DOCUMENT_TOTAL` (10^15).

What is refused at the edge, when it is made (``amount_too_large``):

* a plan whose year (at quantity 1, with every add-on it offers, plus its start-up fee) would
  pass the document bound;
* a subscription, change, retention offer, add-on or one-off whose timeline then holds an item
  whose period amount passes the period bound, or whose *year* passes the document bound: the
  most every item costs over a year (or one period, where a period is longer), every add-on
  attached at once, the start-up fee and every one-off, as if all of it met on one invoice (a
  change is refused only where it makes that worse: a timeline already past a bound can still
  be mended, cancelled or paused);
* an order line passing the period bound, or an order passing the document bound.

A year is the yardstick because that is what one invoice of the longest usual period holds (a
monthly price billed yearly is unit × quantity × 12), and a document bound 100 times the period
bound leaves room for the periods a late bill run catches up on. What slips past the edge all
the same (rows written before these checks, a bug) is parked by the bill run, never summed into
an overflow: :func:`fits_column` is its test.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from billing.domain.errors import InvalidInput
from billing.domain.events import EventType
from billing.domain.money import MAX_AMOUNT
from billing.domain.timeline import Schedule, Terms

__all__ = [
    "AMOUNT_KINDS",
    "MAX_AMOUNT",
    "MAX_DOCUMENT_TOTAL",
    "MAX_PERIOD_AMOUNT",
    "MAX_QUANTITY",
    "AmountTooLarge",
    "Exposure",
    "check_document_total",
    "check_period_amount",
    "check_plan",
    "check_schedule",
    "exposure",
    "fits_column",
]

#: Licences (or units) of one item.
MAX_QUANTITY = 1_000_000
#: One item's amount for one period: unit × quantity (× months billed / months priced).
MAX_PERIOD_AMOUNT = 10**13
#: One document's total (an invoice or a credit note).
MAX_DOCUMENT_TOTAL = 10**15
#: What a signed 64-bit column holds (PostgreSQL BIGINT, SQLite INTEGER).
COLUMN_MAX = 2**63 - 1

#: The kinds of event that bring an amount or multiply one: a timeline is checked after them
#: (after others it is left alone: a subscription can always be cancelled or paused).
AMOUNT_KINDS = frozenset(
    {
        EventType.STARTED,
        EventType.PRICE_CHANGED,
        EventType.PLAN_CHANGED,
        EventType.QUANTITY_CHANGED,
        EventType.INTERVAL_CHANGED,
        EventType.ADDON_ATTACHED,
        EventType.ONE_OFF_DELIVERED,
    }
)
#: The months one yardstick "year" of a subscription covers, unless a period is longer.
YEAR_MONTHS = 12


class AmountTooLarge(InvalidInput, code="amount_too_large"):
    """A product of amounts would pass the contract's bounds."""


def fits_column(value: int) -> bool:
    """Whether ``value`` fits a signed 64-bit column."""
    return -COLUMN_MAX - 1 <= value <= COLUMN_MAX


def amount_over(unit_amount: int, quantity: int, *, months: int, price_months: int) -> int:
    """What ``quantity`` × ``unit_amount`` per ``price_months`` costs over ``months``, rounded
    up (a bound, not a bill: the bill's own rounding is never above it)."""
    return -(-unit_amount * quantity * months // price_months)


def check_period_amount(amount: int, *, what: str) -> int:
    if amount > MAX_PERIOD_AMOUNT:
        raise AmountTooLarge(
            f"{what}: a period's amount of {amount} passes {MAX_PERIOD_AMOUNT} minor units"
        )
    return amount


def check_document_total(total: int, *, what: str) -> int:
    if total > MAX_DOCUMENT_TOTAL:
        raise AmountTooLarge(
            f"{what}: {total} minor units could meet on one document, more than "
            f"{MAX_DOCUMENT_TOTAL}"
        )
    return total


def check_plan(
    *, unit_amount: int, interval_months: int, setup_fee: int, addon_amounts: Sequence[int]
) -> None:
    """A plan's year at quantity 1 (each add-on priced per the plan's interval) fits one
    document."""
    months = max(YEAR_MONTHS, interval_months)
    year = sum(
        amount_over(amount, 1, months=months, price_months=interval_months)
        for amount in (unit_amount, *addon_amounts)
    )
    check_document_total(year + setup_fee, what="the plan")


def _main_terms(schedule: Schedule) -> list[Terms]:
    """Every set of terms the main item is ever on (one per step of price or quantity)."""
    return [schedule.terms_on(day) for day in {schedule.start, *schedule.change_dates()}]


@dataclass(frozen=True, slots=True)
class Exposure:
    """The most a timeline could put on one document: its largest period amount of one item
    (and which item), and everything that could meet on one invoice (module docstring)."""

    period: int
    period_of: str
    document: int


def exposure(schedule: Schedule) -> Exposure:
    intervals = {regime.grid.interval_months for regime in schedule.regimes}
    months = max(YEAR_MONTHS, *intervals)
    items: list[tuple[str, int, int, int]] = [
        ("the subscription", t.unit_amount, t.quantity, t.price_months)
        for t in _main_terms(schedule)
    ]
    items += [
        (f"add-on {a.code}", a.unit_amount, a.quantity, a.price_months)
        for a in schedule.addon_history
    ]
    period, period_of = 0, ""
    most_per_key: dict[str, int] = {"": 0}
    for what, unit, quantity, price_months in items:
        for interval in intervals:
            amount = amount_over(unit, quantity, months=interval, price_months=price_months)
            if amount > period:
                period, period_of = amount, what
        key = "" if what == "the subscription" else what
        year = amount_over(unit, quantity, months=months, price_months=price_months)
        most_per_key[key] = max(most_per_key.get(key, 0), year)
    one_offs = [o.unit_amount * o.quantity for o in schedule.one_offs]
    for amount in one_offs:
        if amount > period:
            period, period_of = amount, "a one-off"
    document = _sum(most_per_key.values(), [schedule.setup_fee], one_offs)
    return Exposure(period, period_of, document)


def check_schedule(schedule: Schedule, *, before: Schedule | None = None) -> None:
    """Refuse a timeline whose amounts could pass the bounds (see the module docstring).

    ``before``: the timeline as it was. A change is refused only for what it makes worse, so
    that a timeline already past a bound (rows written before these checks) can still be
    mended, cancelled or changed for the better.
    """
    new = exposure(schedule)
    old = exposure(before) if before is not None else Exposure(0, "", 0)
    if new.period > old.period:
        check_period_amount(new.period, what=new.period_of)
    if new.document > old.document:
        check_document_total(new.document, what="the subscription")


def _sum(*parts: Iterable[int]) -> int:
    return sum(sum(part) for part in parts)
