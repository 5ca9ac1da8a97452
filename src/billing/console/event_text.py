"""How the console tells each kind of timeline event, in words staff read (not raw fields).

One function per kind (``RENDERINGS``); a kind without one fails ``tests/domain/test_events.py``.
Amounts and dates come formatted in the customer's locale by the page's formats.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Protocol

from billing.domain.choices import Proration, Unused
from billing.domain.events import (
    AddonAttached,
    AddonDetached,
    CancellationRevoked,
    CancellationScheduled,
    Event,
    EventType,
    IntervalChanged,
    OneOffDelivered,
    Paused,
    PlanChanged,
    PriceChanged,
    QuantityChanged,
    RetentionOfferMade,
    Started,
    Terminated,
    TermsChange,
)


class Formats(Protocol):
    def money(self, amount: int) -> str: ...

    def day(self, d: date | None) -> str: ...


def describe(event: Event, fmt: Formats) -> str:
    """The event's facts in a line (its kind and date are shown beside it)."""
    return RENDERINGS[event.type](event, event.payload, fmt)


def _choices(p: TermsChange, fmt: Formats) -> str:
    words = []
    if p.proration is Proration.FROM_NEXT_PERIOD and p.requested_date is not None:
        words.append(f"asked for {fmt.day(p.requested_date)}, from the next period")
    elif p.proration is Proration.NONE or p.billing_from is not None:
        words.append(f"billed from {fmt.day(p.billing_from)}" if p.billing_from else "no proration")
    if p.unused is not None and p.unused is not Unused.CREDIT_NOTE:
        words.append(f"unused time: {p.unused.value.replace('_', ' ')}")
    return "".join(f"; {w}" for w in words)


def _started(e: Event, p: Started, fmt: Formats) -> str:
    text = (
        f"{p.quantity} × {fmt.money(p.unit_amount)} per {_months(p.price_months)}, "
        f"invoiced every {_months(p.interval_months)} {p.billing_timing.value.replace('_', ' ')}"
    )
    if p.setup_fee_amount:
        text += f"; start-up fee {fmt.money(p.setup_fee_amount)}"
    if p.anchor_day is not None:
        text += f"; periods from day {p.anchor_day}"
    return text


def _price(e: Event, p: PriceChanged, fmt: Formats) -> str:
    return f"unit price {fmt.money(p.unit_amount)}" + _choices(p, fmt)


def _plan(e: Event, p: PlanChanged, fmt: Formats) -> str:
    return (
        f"plan {p.plan_id}, {fmt.money(p.unit_amount)} per {_months(p.price_months)}"
        + _choices(p, fmt)
    )


def _quantity(e: Event, p: QuantityChanged, fmt: Formats) -> str:
    return f"{p.quantity} licence{'s' if p.quantity != 1 else ''}" + _choices(p, fmt)


def _interval(e: Event, p: IntervalChanged, fmt: Formats) -> str:
    return f"invoiced every {_months(p.interval_months)}" + _choices(p, fmt)


def _postponed(e: Event, p: object, fmt: Formats) -> str:
    return f"service starts {fmt.day(e.effective_date)}"


def _paused(e: Event, p: Paused, fmt: Formats) -> str:
    until = f"until {fmt.day(p.resume_date)}" if p.resume_date else "until resumed"
    billed = f"; off the bill from {fmt.day(p.billing_from)}" if p.billing_from else ""
    return until + billed


def _resumed(e: Event, p: object, fmt: Formats) -> str:
    return f"served again from {fmt.day(e.effective_date)}"


def _cancellation(e: Event, p: CancellationScheduled, fmt: Formats) -> str:
    words = [f"last day served {fmt.day(e.effective_date - timedelta(days=1))}"]
    if p.requested_on is not None:
        words.append(f"notice given {fmt.day(p.requested_on)}")
    if p.approved_by:
        words.append(f"approved by {p.approved_by}")
    if p.competitor_offer:
        details = f": {p.competitor_details}" if p.competitor_details else ""
        words.append(f"competitor offer{details}")
    if p.requires_verification:
        words.append("awaits a second staff member's check")
    if p.unused is not None and p.unused is not Unused.CREDIT_NOTE:
        words.append(f"unused time: {p.unused.value.replace('_', ' ')}")
    return "; ".join(words)


def _revoked(e: Event, p: CancellationRevoked, fmt: Formats) -> str:
    was = f"end {fmt.day(p.revoked_end_date)} withdrawn" if p.revoked_end_date else "withdrawn"
    return was + (" (retention offer)" if p.by_retention_offer else "")


def _verified(e: Event, p: object, fmt: Formats) -> str:
    return "cancellation checked by a second staff member"


def _addon(e: Event, p: AddonAttached, fmt: Formats) -> str:
    what = p.name or p.code or p.addon_key
    price = "included" if p.unit_amount == 0 else f"{p.quantity} × {fmt.money(p.unit_amount)}"
    return f"{what}: {price}"


def _detached(e: Event, p: AddonDetached, fmt: Formats) -> str:
    return f"{p.addon_key} no longer billed"


def _one_off(e: Event, p: OneOffDelivered, fmt: Formats) -> str:
    return f"{p.description or 'one-off'}: {p.quantity} × {fmt.money(p.unit_amount)}"


def _waived(e: Event, p: object, fmt: Formats) -> str:
    return "start-up fee waived"


def _offer(e: Event, p: RetentionOfferMade, fmt: Formats) -> str:
    offered = []
    if p.unit_amount is not None:
        offered.append(f"unit price {fmt.money(p.unit_amount)}")
    if p.quantity is not None:
        offered.append(f"{p.quantity} licences")
    if p.interval_months is not None:
        offered.append(f"invoiced every {_months(p.interval_months)}")
    if p.postpone_start_to is not None:
        offered.append(f"start {fmt.day(p.postpone_start_to)}")
    if p.attach_addon:
        offered.append(f"{p.attach_addon} included")
    if p.waive_setup_fee:
        offered.append("no start-up fee")
    return f"offered by {p.offered_by}: " + ", ".join(offered)


def _terminated(e: Event, p: Terminated, fmt: Formats) -> str:
    return f"terminated by the {p.by}"


def _months(n: int) -> str:
    return "month" if n == 1 else "year" if n == 12 else f"{n} months"


RENDERINGS: dict[EventType, Callable[[Event, Any, Formats], str]] = {
    EventType.STARTED: _started,
    EventType.PRICE_CHANGED: _price,
    EventType.PLAN_CHANGED: _plan,
    EventType.QUANTITY_CHANGED: _quantity,
    EventType.INTERVAL_CHANGED: _interval,
    EventType.START_POSTPONED: _postponed,
    EventType.PAUSED: _paused,
    EventType.RESUMED: _resumed,
    EventType.CANCELLATION_SCHEDULED: _cancellation,
    EventType.CANCELLATION_MOVED: _cancellation,
    EventType.CANCELLATION_REVOKED: _revoked,
    EventType.CANCELLATION_VERIFIED: _verified,
    EventType.ADDON_ATTACHED: _addon,
    EventType.ADDON_DETACHED: _detached,
    EventType.ONE_OFF_DELIVERED: _one_off,
    EventType.SETUP_FEE_WAIVED: _waived,
    EventType.RETENTION_OFFER_MADE: _offer,
    EventType.TERMINATED: _terminated,
}
