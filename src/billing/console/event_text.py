"""How the console tells each kind of timeline event, in words staff read (not raw fields).

One function per kind (``RENDERINGS``); a kind without one fails ``tests/domain/test_events.py``.
Amounts and dates come formatted in the customer's locale by the page's formats, the words in
the console's language (its gettext catalogs, through the same formats).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Protocol

from billing.console.i18n import N_
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

    def _(self, message: str, **values: Any) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str: ...


#: Each kind of event as staff call it.
KIND_NAMES: dict[EventType, str] = {
    EventType.STARTED: N_("Started"),
    EventType.PRICE_CHANGED: N_("Price changed"),
    EventType.QUANTITY_CHANGED: N_("Licences changed"),
    EventType.INTERVAL_CHANGED: N_("Invoice interval changed"),
    EventType.PLAN_CHANGED: N_("Plan changed"),
    EventType.START_POSTPONED: N_("Start postponed"),
    EventType.PAUSED: N_("Paused"),
    EventType.RESUMED: N_("Resumed"),
    EventType.CANCELLATION_SCHEDULED: N_("Cancellation scheduled"),
    EventType.CANCELLATION_MOVED: N_("Cancellation moved"),
    EventType.CANCELLATION_REVOKED: N_("Cancellation undone"),
    EventType.ADDON_ATTACHED: N_("Add-on attached"),
    EventType.ADDON_DETACHED: N_("Add-on removed"),
    EventType.ONE_OFF_DELIVERED: N_("One-off delivered"),
    EventType.SETUP_FEE_WAIVED: N_("Start-up fee waived"),
    EventType.CANCELLATION_VERIFIED: N_("Cancellation verified"),
    EventType.RETENTION_OFFER_MADE: N_("Retention offer"),
    EventType.TERMINATED: N_("Terminated"),
}
UNUSED_NAMES: dict[Unused, str] = {
    Unused.CREDIT_NOTE: N_("credit note"),
    Unused.REFUND: N_("refunded"),
    Unused.BALANCE: N_("kept as customer credit"),
}


def kind_name(event: Event, fmt: Formats) -> str:
    return fmt._(KIND_NAMES[event.type])


def describe(event: Event, fmt: Formats) -> str:
    """The event's facts in a line (its kind and date are shown beside it)."""
    return RENDERINGS[event.type](event, event.payload, fmt)


def _before(end: date) -> date:
    """The last day served of an exclusive end date."""
    return end - timedelta(days=1) if end > date.min else end


def _unused(u: Unused, fmt: Formats) -> str:
    return fmt._("unused time: %(what)s", what=fmt._(UNUSED_NAMES.get(u, u.value)))


def _choices(p: TermsChange, fmt: Formats) -> str:
    words = []
    if p.proration is Proration.FROM_NEXT_PERIOD and p.requested_date is not None:
        words.append(
            fmt._("asked for %(day)s, from the next period", day=fmt.day(p.requested_date))
        )
    elif p.proration is Proration.NONE or p.billing_from is not None:
        words.append(
            fmt._("billed from %(day)s", day=fmt.day(p.billing_from))
            if p.billing_from
            else fmt._("no proration")
        )
    if p.unused is not None and p.unused is not Unused.CREDIT_NOTE:
        words.append(_unused(p.unused, fmt))
    return "".join(f"; {w}" for w in words)


def _started(e: Event, p: Started, fmt: Formats) -> str:
    every = _months(p.interval_months, fmt)
    text = fmt._(
        "%(quantity)s × %(price)s per %(per)s, invoiced every %(every)s",
        quantity=p.quantity,
        price=fmt.money(p.unit_amount),
        per=_months(p.price_months, fmt),
        every=every,
    )
    text += " " + (
        fmt._("in advance") if p.billing_timing.value == "in_advance" else fmt._("in arrears")
    )
    if p.setup_fee_amount:
        text += "; " + fmt._("start-up fee %(fee)s", fee=fmt.money(p.setup_fee_amount))
    if p.anchor_day is not None:
        text += "; " + fmt._("periods from day %(day)s", day=p.anchor_day)
    return text


def _price(e: Event, p: PriceChanged, fmt: Formats) -> str:
    return fmt._("unit price %(price)s", price=fmt.money(p.unit_amount)) + _choices(p, fmt)


def _plan(e: Event, p: PlanChanged, fmt: Formats) -> str:
    text = fmt._(
        "plan %(plan)s, %(price)s per %(per)s",
        plan=p.plan_id,
        price=fmt.money(p.unit_amount),
        per=_months(p.price_months, fmt),
    )
    return text + _choices(p, fmt)


def _quantity(e: Event, p: QuantityChanged, fmt: Formats) -> str:
    text = fmt.ngettext("%(num)s licence", "%(num)s licences", p.quantity)
    return text + _choices(p, fmt)


def _interval(e: Event, p: IntervalChanged, fmt: Formats) -> str:
    every = _months(p.interval_months, fmt)
    return fmt._("invoiced every %(every)s", every=every) + _choices(p, fmt)


def _postponed(e: Event, p: object, fmt: Formats) -> str:
    return fmt._("service starts %(day)s", day=fmt.day(e.effective_date))


def _paused(e: Event, p: Paused, fmt: Formats) -> str:
    if p.resume_date:
        last = fmt.day(_before(p.resume_date))
        text = fmt._("paused to and including %(day)s", day=last)
    else:
        text = fmt._("until resumed")
    if p.billing_from:
        text += "; " + fmt._("off the bill from %(day)s", day=fmt.day(p.billing_from))
    return text


def _resumed(e: Event, p: object, fmt: Formats) -> str:
    return fmt._("served again from %(day)s", day=fmt.day(e.effective_date))


def _cancellation(e: Event, p: CancellationScheduled, fmt: Formats) -> str:
    last = fmt.day(_before(e.effective_date))
    words = [fmt._("last day served %(day)s", day=last)]
    if p.requested_on is not None:
        words.append(fmt._("notice given %(day)s", day=fmt.day(p.requested_on)))
    if p.approved_by:
        words.append(fmt._("approved by %(name)s", name=p.approved_by))
    if p.competitor_offer:
        details = f": {p.competitor_details}" if p.competitor_details else ""
        words.append(fmt._("competitor offer") + details)
    if p.requires_verification:
        words.append(fmt._("awaits a second staff member's check"))
    if p.unused is not None and p.unused is not Unused.CREDIT_NOTE:
        words.append(_unused(p.unused, fmt))
    return "; ".join(words)


def _revoked(e: Event, p: CancellationRevoked, fmt: Formats) -> str:
    if p.revoked_end_date:
        last = fmt.day(_before(p.revoked_end_date))
        was = fmt._("last day served %(day)s withdrawn", day=last)
    else:
        was = fmt._("withdrawn")
    return was + (" (" + fmt._("retention offer") + ")" if p.by_retention_offer else "")


def _verified(e: Event, p: object, fmt: Formats) -> str:
    return fmt._("cancellation checked by a second staff member")


def _addon(e: Event, p: AddonAttached, fmt: Formats) -> str:
    what = p.name or p.code or p.addon_key
    price = (
        fmt._("included") if p.unit_amount == 0 else f"{p.quantity} × {fmt.money(p.unit_amount)}"
    )
    return f"{what}: {price}"


def _detached(e: Event, p: AddonDetached, fmt: Formats) -> str:
    return fmt._("%(addon)s no longer billed", addon=p.addon_key)


def _one_off(e: Event, p: OneOffDelivered, fmt: Formats) -> str:
    what = p.description or fmt._("one-off")
    return f"{what}: {p.quantity} × {fmt.money(p.unit_amount)}"


def _waived(e: Event, p: object, fmt: Formats) -> str:
    return fmt._("start-up fee waived")


def _offer(e: Event, p: RetentionOfferMade, fmt: Formats) -> str:
    offered = []
    if p.unit_amount is not None:
        offered.append(fmt._("unit price %(price)s", price=fmt.money(p.unit_amount)))
    if p.quantity is not None:
        offered.append(fmt.ngettext("%(num)s licence", "%(num)s licences", p.quantity))
    if p.interval_months is not None:
        every = _months(p.interval_months, fmt)
        offered.append(fmt._("invoiced every %(every)s", every=every))
    if p.postpone_start_to is not None:
        offered.append(fmt._("service starts %(day)s", day=fmt.day(p.postpone_start_to)))
    if p.attach_addon:
        offered.append(fmt._("%(addon)s included", addon=p.attach_addon))
    if p.waive_setup_fee:
        offered.append(fmt._("no start-up fee"))
    return fmt._("offered by %(name)s", name=p.offered_by) + ": " + ", ".join(offered)


def _terminated(e: Event, p: Terminated, fmt: Formats) -> str:
    if p.by == "scheduler":
        return fmt._("the last day served has passed")
    return fmt._("terminated by %(who)s", who=p.by)


def _months(n: int, fmt: Formats) -> str:
    if n == 1:
        return fmt._("month")
    if n == 12:
        return fmt._("year")
    return fmt.ngettext("%(num)s month", "%(num)s months", n)


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
