"""Reading a timeline: one pass over its events in recording order, one small step per kind.

:class:`TimelineFold` gathers the facts each kind of event contributes (price and licence
changes with their effective dates, pauses, the cancellation chain, add-on attachments,
one-off charges); :class:`billing.domain.timeline.Schedule` then works out what follows from
them (terms by date, period regimes, the end date in force). Which kinds change nothing the
schedule shows is said here too (``NO_EFFECT``), so that every kind has a declared place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any

from billing.domain.choices import Unused
from billing.domain.errors import InvalidTimeline
from billing.domain.events import (
    AddonAttached,
    AddonDetached,
    BillingTiming,
    CancellationScheduled,
    CancellationVerified,
    ContractOverride,
    Event,
    EventType,
    IntervalChanged,
    OneOffDelivered,
    Paused,
    PlanChanged,
    PriceChanged,
    QuantityChanged,
    Started,
    TermsChange,
)


@dataclass(frozen=True, slots=True)
class Change:
    """One change of an attribute: applies from ``effective`` (ties in recording order)."""

    effective: date
    seq: int
    value: Any


@dataclass(frozen=True, slots=True)
class OneOff:
    event_id: str
    delivered_on: date
    description: str
    unit_amount: int
    quantity: int


#: (effective, seq, "attach" | "detach", [code, unit_amount, quantity, price_months, event_id])
AddonStep = tuple[date, int, str, list[Any] | None]


class TimelineFold:
    """The facts of a timeline, gathered event by event (see the module docstring)."""

    def __init__(self, started: Event) -> None:
        p = started.payload
        if not isinstance(p, Started):
            raise InvalidTimeline("a timeline begins with its started event")
        self.start: date = started.effective_date
        timing = p.billing_timing
        # Decoded payloads hold the member already; the Enum call would cost 0.4 us a Schedule.
        self.timing = timing if type(timing) is BillingTiming else BillingTiming(timing)
        self.plan_id: str | None = p.plan_id
        self.explicit_anchor: int | None = p.anchor_day
        self.base_price = (p.unit_amount, p.price_months, started.id, started.seq)
        self.base_qty = (p.quantity, started.id, started.seq)
        self.base_interval = p.interval_months
        self.setup_fee = p.setup_fee_amount
        self.setup_event_id = started.id
        self.contract: ContractOverride | None = p.contract
        self.prices: list[Change] = []
        self.quantities: list[Change] = []
        self.intervals: list[Change] = []
        #: Changes billed from a later date than they apply (proration "none"), also kept at
        #: their own date for what the subscription shows: (kind, change).
        self.shown_at_own_date: list[tuple[str, Change]] = []
        self.end: date | None = None
        self.end_unused_none = False
        #: Four eyes: a cancellation awaiting verification (end date, event id).
        self.pending: tuple[date, str] | None = None
        self.chain: list[str] = []
        self.revoked_by: dict[str, str] = {}
        self.pauses: list[list[Any]] = []  # [start, end, event_id, billing_from]
        self.addon_steps: dict[str, list[AddonStep]] = {}
        self.one_offs: list[OneOff] = []

    def apply(self, ev: Event) -> None:
        step = STEPS.get(ev.type)
        if step is not None:
            step(self, ev, ev.payload)
        elif ev.type not in NO_EFFECT:
            raise InvalidTimeline(f"a {ev.type} event cannot follow the start")

    # -- terms ---------------------------------------------------------------------------------

    def _billed_from(self, ev: Event, p: TermsChange) -> date:
        """The date the change is billed from: its own, or ``billing_from`` (proration none)."""
        if p.billing_from is None:
            return ev.effective_date
        own_date = ev.effective_date
        if isinstance(p, QuantityChanged):
            own = Change(own_date, ev.seq, (p.quantity, ev.id, ev.seq))
            self.shown_at_own_date.append(("quantity", own))
        elif isinstance(p, PriceChanged | PlanChanged):
            months = p.price_months if isinstance(p, PlanChanged) else None
            own = Change(own_date, ev.seq, (p.unit_amount, months, ev.id))
            self.shown_at_own_date.append(("price", own))
        return p.billing_from

    def price_changed(self, ev: Event, p: PriceChanged) -> None:
        eff = self._billed_from(ev, p)
        self.prices.append(Change(eff, ev.seq, (p.unit_amount, None, ev.id)))

    def plan_changed(self, ev: Event, p: PlanChanged) -> None:
        eff = self._billed_from(ev, p)
        self.prices.append(Change(eff, ev.seq, (p.unit_amount, p.price_months, ev.id)))
        self.plan_id = p.plan_id

    def quantity_changed(self, ev: Event, p: QuantityChanged) -> None:
        eff = self._billed_from(ev, p)
        self.quantities.append(Change(eff, ev.seq, (p.quantity, ev.id, ev.seq)))

    def interval_changed(self, ev: Event, p: IntervalChanged) -> None:
        eff = self._billed_from(ev, p)
        self.intervals.append(Change(eff, ev.seq, p.interval_months))

    # -- service: start, pauses, end -----------------------------------------------------------

    def start_postponed(self, ev: Event, p: object) -> None:
        self.start = ev.effective_date

    def paused(self, ev: Event, p: Paused) -> None:
        self.pauses.append([ev.effective_date, p.resume_date, ev.id, p.billing_from])

    def resumed(self, ev: Event, p: object) -> None:
        candidates = [p for p in self.pauses if p[0] <= ev.effective_date]
        if not candidates:
            raise InvalidTimeline("resumed without a pause before it")
        latest = max(candidates, key=lambda p: p[0])
        latest[1] = ev.effective_date

    def cancellation(self, ev: Event, p: CancellationScheduled) -> None:
        if p.requires_verification:
            self.pending = (ev.effective_date, ev.id)
        else:
            self.end = ev.effective_date
            self.end_unused_none = p.unused is Unused.NONE
            self.pending = None
        self.chain.append(ev.id)

    def cancellation_verified(self, ev: Event, p: CancellationVerified) -> None:
        if self.pending is not None and p.verifies == self.pending[1]:
            self.end = self.pending[0]
            self.end_unused_none = False
            self.pending = None

    def cancellation_revoked(self, ev: Event, p: object) -> None:
        self.end = None
        self.pending = None
        for eid in self.chain:
            self.revoked_by[eid] = ev.id
        self.chain = []

    # -- what else is billed -------------------------------------------------------------------

    def setup_fee_waived(self, ev: Event, p: object) -> None:
        self.setup_fee = 0

    def addon_attached(self, ev: Event, p: AddonAttached) -> None:
        key = p.addon_key or ev.id
        months = p.price_months if p.price_months is not None else self.base_price[1]
        terms = [p.code or key, p.unit_amount, p.quantity, months, ev.id]
        self.addon_steps.setdefault(key, []).append((ev.effective_date, ev.seq, "attach", terms))

    def addon_detached(self, ev: Event, p: AddonDetached) -> None:
        if p.addon_key not in self.addon_steps:
            raise InvalidTimeline(f"add-on {p.addon_key} is not attached")
        self.addon_steps[p.addon_key].append((ev.effective_date, ev.seq, "detach", None))

    def one_off_delivered(self, ev: Event, p: OneOffDelivered) -> None:
        self.one_offs.append(
            OneOff(ev.id, ev.effective_date, p.description, p.unit_amount, p.quantity)
        )


Step = Callable[[TimelineFold, Event, Any], None]

#: The step each kind takes in the fold.
STEPS: dict[EventType, Step] = {
    EventType.PRICE_CHANGED: TimelineFold.price_changed,
    EventType.PLAN_CHANGED: TimelineFold.plan_changed,
    EventType.QUANTITY_CHANGED: TimelineFold.quantity_changed,
    EventType.INTERVAL_CHANGED: TimelineFold.interval_changed,
    EventType.START_POSTPONED: TimelineFold.start_postponed,
    EventType.PAUSED: TimelineFold.paused,
    EventType.RESUMED: TimelineFold.resumed,
    EventType.CANCELLATION_SCHEDULED: TimelineFold.cancellation,
    EventType.CANCELLATION_MOVED: TimelineFold.cancellation,
    EventType.CANCELLATION_VERIFIED: TimelineFold.cancellation_verified,
    EventType.CANCELLATION_REVOKED: TimelineFold.cancellation_revoked,
    EventType.SETUP_FEE_WAIVED: TimelineFold.setup_fee_waived,
    EventType.ADDON_ATTACHED: TimelineFold.addon_attached,
    EventType.ADDON_DETACHED: TimelineFold.addon_detached,
    EventType.ONE_OFF_DELIVERED: TimelineFold.one_off_delivered,
}

#: Kinds that record something (an offer made, the scheduler's note) but change no term,
#: date or charge: the offer's changes are events of their own.
NO_EFFECT = frozenset({EventType.RETENTION_OFFER_MADE, EventType.TERMINATED})


_BY_DATE_THEN_SEQ = attrgetter("effective", "seq")


def terms_steps(
    base_price: tuple[int, int, str, int],
    base_qty: tuple[int, str, int],
    prices: list[Change],
    quantities: list[Change],
) -> tuple[list[date], list[tuple[int, int, str, int]], list[date], list[tuple[int, str, int]]]:
    """Step functions of price and quantity over dates: changes by effective date, ties in
    recording order; a plan change may also change the months the price pays for."""
    if len(prices) > 1:
        prices = sorted(prices, key=_BY_DATE_THEN_SEQ)
    if len(quantities) > 1:
        quantities = sorted(quantities, key=_BY_DATE_THEN_SEQ)
    price_months = base_price[1]
    price_dates: list[date] = []
    price_values: list[tuple[int, int, str, int]] = [base_price]
    for c in prices:
        unit, months, source = c.value
        price_months = months if months is not None else price_months
        price_dates.append(c.effective)
        price_values.append((unit, price_months, source, c.seq))
    if not quantities:  # the usual case: no list comprehensions over nothing
        return price_dates, price_values, [], [base_qty]
    qty_dates = [c.effective for c in quantities]
    qty_values: list[tuple[int, str, int]] = [base_qty] + [c.value for c in quantities]
    return price_dates, price_values, qty_dates, qty_values
