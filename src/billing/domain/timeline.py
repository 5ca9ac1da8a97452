"""The timeline: one ordered record of dated events per subscription, and what follows from it.

Every event has an *effective date* (it takes effect at 00:00 local time that day) and a
*sequence number* (the order it was recorded in). Events are never edited or deleted: an undo
is a new event that revokes an earlier one.

What follows from the events (:class:`Schedule`):

* the start date (``started``, moved by ``start_postponed``) and the end date (the last
  un-revoked ``cancellation_scheduled`` / ``cancellation_moved`` in recording order): the
  subscription is served on ``[start, end)``;
* pauses ``[paused, resumed)``: paused days are not served and not billed;
* the terms in force on each day. A change sets its attribute (price, licences, interval) from
  its effective date until the next change of that attribute *by effective date*, whenever each
  was recorded; changes with the same effective date apply in recording order (domain.md);
* add-ons attached and detached, and one-off charges delivered.

From the schedule the ledger module derives what should be billed.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from billing.domain.calendar import PeriodGrid
from billing.domain.errors import InvalidTimeline
from billing.domain.money import round_half_up


class EventType(StrEnum):
    STARTED = "started"
    PRICE_CHANGED = "price_changed"
    QUANTITY_CHANGED = "quantity_changed"
    INTERVAL_CHANGED = "interval_changed"
    PLAN_CHANGED = "plan_changed"
    START_POSTPONED = "start_postponed"
    PAUSED = "paused"
    RESUMED = "resumed"
    CANCELLATION_SCHEDULED = "cancellation_scheduled"
    CANCELLATION_MOVED = "cancellation_moved"
    CANCELLATION_REVOKED = "cancellation_revoked"
    ADDON_ATTACHED = "addon_attached"
    ADDON_DETACHED = "addon_detached"
    ONE_OFF_DELIVERED = "one_off_delivered"
    SETUP_FEE_WAIVED = "setup_fee_waived"
    CANCELLATION_VERIFIED = "cancellation_verified"
    RETENTION_OFFER_MADE = "retention_offer_made"
    TERMINATED = "terminated"


class BillingTiming(StrEnum):
    IN_ADVANCE = "in_advance"
    IN_ARREARS = "in_arrears"


class Status(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    PAUSED = "paused"
    IN_TERMINATION = "in_termination"
    PENDING_VERIFICATION = "pending_verification"
    TERMINATED = "terminated"


_TERMS_CHANGES = frozenset(
    {
        EventType.PRICE_CHANGED,
        EventType.PLAN_CHANGED,
        EventType.QUANTITY_CHANGED,
        EventType.INTERVAL_CHANGED,
    }
)

CANCELLATION_TYPES = frozenset(
    {
        EventType.CANCELLATION_SCHEDULED,
        EventType.CANCELLATION_MOVED,
        EventType.CANCELLATION_REVOKED,
    }
)


def _as_date(value: Any) -> Any:
    """Dates inside event data may arrive as ISO strings (JSON storage) or as dates."""
    return date.fromisoformat(value) if isinstance(value, str) else value


@dataclass(frozen=True, slots=True)
class Event:
    """One recorded event. ``data`` holds the event's own facts (amounts are ints).

    ``started`` data: ``unit_amount``, ``quantity``, ``price_months`` (the months the unit
    amount pays for), ``interval_months`` (the invoice interval), optional ``anchor_day``
    and ``billing_timing``.
    """

    id: str
    seq: int
    type: EventType
    effective_date: date
    recorded_at: datetime
    recorded_by: str
    reason: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Terms:
    """What a full period of one item costs: ``unit_amount`` per ``price_months`` × quantity."""

    unit_amount: int
    quantity: int
    price_months: int
    source_event_id: str | None = None

    def period_amount(self, interval_months: int) -> int:
        """The full-period amount P for a period of ``interval_months`` months."""
        if interval_months == self.price_months:
            return self.unit_amount * self.quantity
        return round_half_up(self.unit_amount * self.quantity * interval_months, self.price_months)


@dataclass(frozen=True, slots=True)
class Pause:
    start: date
    end: date | None  # None: no resume date yet
    event_id: str
    #: The first day the pause takes off the bill. Later than ``start`` when the customer
    #: keeps paying for the period already under way (``"unused": "none"``).
    billing_start: date | None = None

    @property
    def billed_from(self) -> date:
        return self.billing_start or self.start


@dataclass(frozen=True, slots=True)
class Regime:
    """The period grid in force from ``start`` until the next regime (invoice interval changes)."""

    start: date
    grid: PeriodGrid


@dataclass(frozen=True, slots=True)
class AddOn:
    key: str
    code: str
    start: date
    end: date | None
    unit_amount: int
    quantity: int
    price_months: int
    event_id: str


@dataclass(frozen=True, slots=True)
class OneOff:
    event_id: str
    delivered_on: date
    description: str
    unit_amount: int
    quantity: int


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of the subscription with one state and one set of terms."""

    start: date
    end: date | None
    state: str  # "active" | "paused"
    unit_amount: int
    quantity: int


@dataclass(frozen=True, slots=True)
class _Change:
    effective: date
    seq: int
    value: Any


class Schedule:
    """Everything that follows from a timeline; built once, read many times."""

    __slots__ = (
        "start",
        "end",
        "pauses",
        "timing",
        "anchor_day",
        "regimes",
        "addons",
        "addon_history",
        "one_offs",
        "revoked_by",
        "_price_dates",
        "_price_values",
        "_qty_dates",
        "_qty_values",
        "_shown",
        "plan_id",
        "pending_end",
        "billing_end",
        "pending_event_id",
        "setup_fee",
        "setup_event_id",
        "contract",
    )

    def __init__(self, events: Sequence[Event]) -> None:
        ordered = sorted(events, key=lambda e: e.seq)
        if not ordered or ordered[0].type is not EventType.STARTED:
            raise InvalidTimeline("a timeline begins with its started event")
        started = ordered[0]
        d = started.data
        self.start: date = started.effective_date
        self.timing = BillingTiming(d.get("billing_timing", BillingTiming.IN_ADVANCE))
        self.plan_id: Any = d.get("plan_id")
        explicit_anchor: int | None = d.get("anchor_day")
        base_price = (int(d["unit_amount"]), int(d["price_months"]), started.id, started.seq)
        base_qty = (int(d["quantity"]), started.id, started.seq)
        base_interval = int(d["interval_months"])

        prices: list[_Change] = []
        quantities: list[_Change] = []
        intervals: list[_Change] = []
        end: date | None = None
        end_unused_none = False
        # Four eyes: a cancellation that needs verification is pending until verified; the
        # end date in force (if any) stays until then.
        pending: tuple[date, str] | None = None
        self.setup_fee: int = int(d.get("setup_fee_amount", 0))
        self.setup_event_id: str = started.id
        self.contract: Mapping[str, Any] | None = d.get("contract")
        chain: list[str] = []
        revoked_by: dict[str, str] = {}
        pauses: list[list[Any]] = []  # [start, end, event_id]
        # Per add-on key: its attach and detach events, applied by effective date like any
        # other attribute (ties in recording order), whenever each was recorded.
        addon_events: dict[str, list[tuple[date, int, str, list[Any] | None]]] = {}
        one_offs: list[OneOff] = []

        # Changes billed from a later date than they apply (proration "none") are also kept
        # at their own date, for what the subscription shows: (kind, change).
        shown_at_own_date: list[tuple[str, _Change]] = []
        for ev in ordered[1:]:
            t, eff, data = ev.type, ev.effective_date, ev.data
            if t in _TERMS_CHANGES and data.get("billing_from") is not None:
                if t is EventType.QUANTITY_CHANGED:
                    own = _Change(eff, ev.seq, (int(data["quantity"]), ev.id, ev.seq))
                    shown_at_own_date.append(("quantity", own))
                elif t in (EventType.PRICE_CHANGED, EventType.PLAN_CHANGED):
                    months = int(data["price_months"]) if "price_months" in data else None
                    own = _Change(eff, ev.seq, (int(data["unit_amount"]), months, ev.id))
                    shown_at_own_date.append(("price", own))
                # "proration": "none": the new terms apply from the date, but the period
                # under way is neither charged nor credited: billing follows from the next one.
                eff = _as_date(data["billing_from"])
            if t is EventType.PRICE_CHANGED:
                prices.append(_Change(eff, ev.seq, (int(data["unit_amount"]), None, ev.id)))
            elif t is EventType.PLAN_CHANGED:
                prices.append(
                    _Change(
                        eff,
                        ev.seq,
                        (int(data["unit_amount"]), int(data["price_months"]), ev.id),
                    )
                )
                if "plan_id" in data:
                    self.plan_id = data["plan_id"]
            elif t is EventType.QUANTITY_CHANGED:
                quantities.append(_Change(eff, ev.seq, (int(data["quantity"]), ev.id, ev.seq)))
            elif t is EventType.INTERVAL_CHANGED:
                intervals.append(_Change(eff, ev.seq, int(data["interval_months"])))
            elif t is EventType.START_POSTPONED:
                self.start = eff
            elif t is EventType.PAUSED:
                resume = _as_date(data.get("resume_date"))
                pauses.append([eff, resume, ev.id, _as_date(data.get("billing_from"))])
            elif t is EventType.RESUMED:
                candidates = [p for p in pauses if p[0] <= eff]
                if not candidates:
                    raise InvalidTimeline("resumed without a pause before it")
                latest = max(candidates, key=lambda p: p[0])
                latest[1] = eff
            elif t in (EventType.CANCELLATION_SCHEDULED, EventType.CANCELLATION_MOVED):
                if data.get("requires_verification"):
                    pending = (eff, ev.id)
                else:
                    end = eff
                    end_unused_none = data.get("unused") == "none"
                    pending = None
                chain.append(ev.id)
            elif t is EventType.CANCELLATION_VERIFIED:
                if pending is not None and data.get("verifies") == pending[1]:
                    end = pending[0]
                    end_unused_none = False
                    pending = None
            elif t is EventType.CANCELLATION_REVOKED:
                end = None
                pending = None
                for eid in chain:
                    revoked_by[eid] = ev.id
                chain = []
            elif t is EventType.SETUP_FEE_WAIVED:
                self.setup_fee = 0
            elif t is EventType.ADDON_ATTACHED:
                key = str(data.get("addon_key") or ev.id)
                addon_events.setdefault(key, []).append(
                    (
                        eff,
                        ev.seq,
                        "attach",
                        [
                            str(data.get("code", key)),
                            int(data["unit_amount"]),
                            int(data.get("quantity", 1)),
                            int(data.get("price_months", base_price[1])),
                            ev.id,
                        ],
                    )
                )
            elif t is EventType.ADDON_DETACHED:
                key = str(data["addon_key"])
                if key not in addon_events:
                    raise InvalidTimeline(f"add-on {key} is not attached")
                addon_events[key].append((eff, ev.seq, "detach", None))
            elif t is EventType.ONE_OFF_DELIVERED:
                one_offs.append(
                    OneOff(
                        ev.id,
                        eff,
                        str(data.get("description", "")),
                        int(data["unit_amount"]),
                        int(data.get("quantity", 1)),
                    )
                )

        self.end: date | None = end
        self.pending_end: date | None = pending[0] if pending else None
        self.pending_event_id: str | None = pending[1] if pending else None
        self.revoked_by = revoked_by
        self.anchor_day: int = explicit_anchor or self.start.day
        self.pauses: tuple[Pause, ...] = tuple(
            Pause(p[0], p[1], p[2], p[3])
            for p in sorted(pauses, key=lambda p: p[0])
            if p[1] is None or p[1] > p[0]
        )

        # Attribute changes apply by effective date, ties in recording order.
        intervals.sort(key=lambda c: (c.effective, c.seq))
        self._price_dates, self._price_values, self._qty_dates, self._qty_values = _terms_steps(
            base_price, base_qty, prices, quantities
        )
        self._shown: Schedule | None = None
        if shown_at_own_date:
            # What the subscription shows: the same, with those changes at their own date.
            by_id = {
                c.value[1] if k == "quantity" else c.value[2]: (k, c) for k, c in shown_at_own_date
            }
            shown_prices = [by_id[c.value[2]][1] if c.value[2] in by_id else c for c in prices]
            shown_qty = [by_id[c.value[1]][1] if c.value[1] in by_id else c for c in quantities]
            twin = Schedule.__new__(Schedule)
            (twin._price_dates, twin._price_values, twin._qty_dates, twin._qty_values) = (
                _terms_steps(base_price, base_qty, shown_prices, shown_qty)
            )
            self._shown = twin

        # Invoice interval regimes: the first grid is anchored at the start; a later interval
        # change starts a new grid on the same anchor day from its effective date.
        first_interval = base_interval
        later: list[_Change] = []
        for c in intervals:
            if c.effective <= self.start:
                first_interval = c.value
            else:
                later.append(c)
        regimes = [
            Regime(
                self.start,
                PeriodGrid.anchored_at(
                    self.start, interval_months=first_interval, anchor_day=self.anchor_day
                ),
            )
        ]
        for c in later:
            grid = PeriodGrid.anchored_at(
                c.effective, interval_months=c.value, anchor_day=self.anchor_day
            )
            if regimes[-1].start == c.effective:
                regimes[-1] = Regime(c.effective, grid)
            elif not _same_boundaries(regimes[-1].grid, grid):
                regimes.append(Regime(c.effective, grid))
            # else: the interval "changed" to the one in force, on the same boundaries: the
            # periods go on as they were (a new regime would split a period's due date).
        self.regimes: tuple[Regime, ...] = tuple(regimes)
        # "unused": "none" on the cancellation in force: the customer keeps paying for the
        # whole period the end date falls in; service still ends on the end date.
        self.billing_end: date | None = end
        if end is not None and end_unused_none and end > self.start:
            last_day = end - timedelta(days=1)
            self.billing_end = self.regime_on(last_day).grid.period_containing(last_day).end

        history: list[AddOn] = []
        last_attached: dict[str, AddOn] = {}
        for key, changes in addon_events.items():
            changes.sort(key=lambda c: (c[0], c[1]))
            for i, (day, _, kind, terms) in enumerate(changes):
                if kind != "attach" or terms is None:
                    continue
                until = changes[i + 1][0] if i + 1 < len(changes) else None
                addon = AddOn(key, terms[0], day, until, terms[1], terms[2], terms[3], terms[4])
                last_attached[key] = addon
                if until is None or until > day:
                    history.append(addon)
        #: Per key, its attachment latest by effective date (what is attached now or last).
        self.addons: tuple[AddOn, ...] = tuple(last_attached.values())
        #: Every stretch an add-on was attached on its terms: what is billed.
        self.addon_history: tuple[AddOn, ...] = tuple(history)
        self.one_offs: tuple[OneOff, ...] = tuple(one_offs)

    # -- terms ---------------------------------------------------------------------------------

    def terms_on(self, day: date) -> Terms:
        unit, months, price_source, price_seq = self._price_values[
            bisect_right(self._price_dates, day)
        ]
        qty, qty_source, qty_seq = self._qty_values[bisect_right(self._qty_dates, day)]
        # The charge names the later-recorded of the two events that set its terms.
        source = price_source if price_seq > qty_seq else qty_source
        return Terms(unit, qty, months, source)

    def shown_terms_on(self, day: date) -> Terms:
        """The terms the subscription is on that day, as shown to people: a change made with
        proration "none" applies from its own date here, though billed from the next period."""
        return (self._shown or self).terms_on(day)

    def change_dates(self) -> list[date]:
        """Dates on which the main item's terms may change (sorted, deduplicated)."""
        return sorted(set(self._price_dates) | set(self._qty_dates))

    def interval_on(self, day: date) -> int:
        return self.regime_on(day).grid.interval_months

    def regime_on(self, day: date) -> Regime:
        current = self.regimes[0]
        for r in self.regimes[1:]:
            if r.start <= day:
                current = r
        return current

    # -- state ---------------------------------------------------------------------------------

    @property
    def served_until(self) -> date | None:
        """The first day not served, or None while open-ended."""
        return self.end

    def is_paused_on(self, day: date) -> bool:
        return any(p.start <= day and (p.end is None or day < p.end) for p in self.pauses)

    def status_on(self, today: date) -> Status:
        if self.end is not None and today >= self.end:
            return Status.TERMINATED
        if today < self.start:
            return Status.PENDING
        if self.pending_end is not None:
            return Status.PENDING_VERIFICATION
        if self.end is not None:
            return Status.IN_TERMINATION
        if self.is_paused_on(today):
            return Status.PAUSED
        return Status.ACTIVE

    def has_ended(self, today: date) -> bool:
        return self.end is not None and today >= self.end

    def segments(self) -> list[Segment]:
        """The main item's stretches of one state and one set of terms, from start to end."""
        end = self.end
        if end is not None and end <= self.start:
            return []
        cuts = {self.start}
        for d in (self._shown or self).change_dates():
            if d > self.start and (end is None or d < end):
                cuts.add(d)
        for p in self.pauses:
            for edge in (p.start, p.end):
                if edge is not None and edge > self.start and (end is None or edge < end):
                    cuts.add(edge)
        ordered = sorted(cuts)
        out: list[Segment] = []
        for i, s in enumerate(ordered):
            e = ordered[i + 1] if i + 1 < len(ordered) else end
            terms = self.shown_terms_on(s)
            state = "paused" if self.is_paused_on(s) else "active"
            if (
                out
                and out[-1].state == state
                and out[-1].unit_amount == terms.unit_amount
                and (out[-1].quantity == terms.quantity)
            ):
                out[-1] = Segment(out[-1].start, e, state, terms.unit_amount, terms.quantity)
            else:
                out.append(Segment(s, e, state, terms.unit_amount, terms.quantity))
        return out


def _terms_steps(
    base_price: tuple[int, int, str, int],
    base_qty: tuple[int, str, int],
    prices: list[_Change],
    quantities: list[_Change],
) -> tuple[list[date], list[tuple[int, int, str, int]], list[date], list[tuple[int, str, int]]]:
    """Step functions of price and quantity over dates: changes by effective date, ties in
    recording order; a plan change may also change the months the price pays for."""
    prices = sorted(prices, key=lambda c: (c.effective, c.seq))
    quantities = sorted(quantities, key=lambda c: (c.effective, c.seq))
    price_months = base_price[1]
    price_dates: list[date] = []
    price_values: list[tuple[int, int, str, int]] = [base_price]
    for c in prices:
        unit, months, source = c.value
        price_months = months if months is not None else price_months
        price_dates.append(c.effective)
        price_values.append((unit, price_months, source, c.seq))
    qty_dates = [c.effective for c in quantities]
    qty_values: list[tuple[int, str, int]] = [base_qty] + [c.value for c in quantities]
    return price_dates, price_values, qty_dates, qty_values


def _same_boundaries(a: PeriodGrid, b: PeriodGrid) -> bool:
    """Whether two grids have exactly the same period boundaries."""
    return (
        a.interval_months == b.interval_months
        and a.anchor_day == b.anchor_day
        and (a.base_index - b.base_index) % a.interval_months == 0
    )
