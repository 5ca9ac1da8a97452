"""The timeline: one ordered record of dated events per subscription, and what follows from it.

Every event has an *effective date* (it takes effect at 00:00 local time that day) and a
*sequence number* (the order it was recorded in). Events are never edited or deleted: an undo
is a new event that revokes an earlier one. The kinds of event and their facts are in
:mod:`billing.domain.events`; reading them in order is :mod:`billing.domain.fold`.

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
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from operator import attrgetter

from billing.domain.calendar import PeriodGrid, same_boundaries
from billing.domain.choices import Proration, Unused
from billing.domain.errors import InvalidTimeline
from billing.domain.events import (
    BillingTiming,
    ContractOverride,
    Event,
    EventType,
    Payload,
)
from billing.domain.fold import Change, OneOff, TimelineFold, terms_steps
from billing.domain.money import round_half_up

__all__ = [
    "AddOn",
    "BillingTiming",
    "CANCELLATION_TYPES",
    "ContractOverride",
    "Event",
    "EventType",
    "OneOff",
    "Pause",
    "Payload",
    "Proration",
    "Regime",
    "Schedule",
    "Segment",
    "Status",
    "Terms",
    "Unused",
]


class Status(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    PAUSED = "paused"
    IN_TERMINATION = "in_termination"
    PENDING_VERIFICATION = "pending_verification"
    TERMINATED = "terminated"


CANCELLATION_TYPES = frozenset(
    {
        EventType.CANCELLATION_SCHEDULED,
        EventType.CANCELLATION_MOVED,
        EventType.CANCELLATION_REVOKED,
    }
)


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
class Segment:
    """A stretch of the subscription with one state and one set of terms."""

    start: date
    end: date | None
    state: str  # "active" | "paused"
    unit_amount: int
    quantity: int


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
        # A timeline of one event (a plain start) needs no sort.
        ordered = sorted(events, key=_BY_SEQ) if len(events) > 1 else list(events)
        if not ordered:
            raise InvalidTimeline("a timeline begins with its started event")
        fold = TimelineFold(ordered[0])
        for ev in ordered[1:]:
            fold.apply(ev)
        self.start: date = fold.start
        self.timing = fold.timing
        self.plan_id: str | None = fold.plan_id
        self.setup_fee: int = fold.setup_fee
        self.setup_event_id: str = fold.setup_event_id
        self.contract: ContractOverride | None = fold.contract
        self.end: date | None = fold.end
        self.pending_end: date | None = fold.pending[0] if fold.pending else None
        self.pending_event_id: str | None = fold.pending[1] if fold.pending else None
        self.revoked_by: Mapping[str, str] = fold.revoked_by
        self.anchor_day: int = fold.explicit_anchor or self.start.day
        self.pauses: tuple[Pause, ...] = ()
        if fold.pauses:  # most timelines have none: no sort and no generator for nothing
            self.pauses = tuple(
                Pause(p[0], p[1], p[2], p[3])
                for p in sorted(fold.pauses, key=lambda p: p[0])
                if p[1] is None or p[1] > p[0]
            )
        self._set_terms(fold)
        self.regimes: tuple[Regime, ...] = self._regimes(fold)
        # "unused": "none" on the cancellation in force: the customer keeps paying for the
        # whole period the end date falls in; service still ends on the end date.
        end = self.end
        self.billing_end: date | None = end
        if end is not None and fold.end_unused_none and end > self.start:
            last_day = end - timedelta(days=1)
            self.billing_end = self.regime_on(last_day).grid.period_containing(last_day).end
        self._set_addons(fold)
        self.one_offs: tuple[OneOff, ...] = tuple(fold.one_offs)

    def _set_terms(self, fold: TimelineFold) -> None:
        """Price and quantity as step functions of the date (changes by effective date, ties
        in recording order), and the same as shown to people where they differ."""
        self._price_dates, self._price_values, self._qty_dates, self._qty_values = terms_steps(
            fold.base_price, fold.base_qty, fold.prices, fold.quantities
        )
        self._shown: Schedule | None = None
        if fold.shown_at_own_date:
            # What the subscription shows: the same, with those changes at their own date.
            by_id = {
                c.value[1] if k == "quantity" else c.value[2]: c for k, c in fold.shown_at_own_date
            }
            prices = [by_id.get(c.value[2], c) for c in fold.prices]
            quantities = [by_id.get(c.value[1], c) for c in fold.quantities]
            twin = Schedule.__new__(Schedule)
            (twin._price_dates, twin._price_values, twin._qty_dates, twin._qty_values) = (
                terms_steps(fold.base_price, fold.base_qty, prices, quantities)
            )
            self._shown = twin

    def _regimes(self, fold: TimelineFold) -> tuple[Regime, ...]:
        """Invoice interval regimes: the first grid is anchored at the start; a later interval
        change starts a new grid on the same anchor day from its effective date."""
        if not fold.intervals:  # the usual case: one grid from the start on
            grid = PeriodGrid.anchored_at(
                self.start, interval_months=fold.base_interval, anchor_day=self.anchor_day
            )
            return (Regime(self.start, grid),)
        intervals = sorted(fold.intervals, key=lambda c: (c.effective, c.seq))
        first_interval = fold.base_interval
        later: list[Change] = []
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
            elif not same_boundaries(regimes[-1].grid, grid):
                regimes.append(Regime(c.effective, grid))
            # else: the interval "changed" to the one in force, on the same boundaries: the
            # periods go on as they were (a new regime would split a period's due date).
        return tuple(regimes)

    def _set_addons(self, fold: TimelineFold) -> None:
        """Add-on attachments by effective date like any attribute, whenever recorded."""
        if not fold.addon_steps:
            self.addons: tuple[AddOn, ...] = ()
            self.addon_history: tuple[AddOn, ...] = ()
            return
        history: list[AddOn] = []
        last_attached: dict[str, AddOn] = {}
        for key, steps in fold.addon_steps.items():
            steps.sort(key=lambda c: (c[0], c[1]))
            for i, (day, _, kind, terms) in enumerate(steps):
                if kind != "attach" or terms is None:
                    continue
                until = steps[i + 1][0] if i + 1 < len(steps) else None
                addon = AddOn(key, terms[0], day, until, terms[1], terms[2], terms[3], terms[4])
                last_attached[key] = addon
                if until is None or until > day:
                    history.append(addon)
        #: Per key, its attachment latest by effective date (what is attached now or last).
        self.addons = tuple(last_attached.values())
        #: Every stretch an add-on was attached on its terms: what is billed.
        self.addon_history = tuple(history)

    # -- terms ---------------------------------------------------------------------------------

    def terms_on(self, day: date) -> Terms:
        unit, months, price_source, price_seq = self._price_values[
            bisect_right(self._price_dates, day)
        ]
        qty, qty_source, qty_seq = self._qty_values[bisect_right(self._qty_dates, day)]
        # The charge names the later-recorded of the two events that set its terms.
        source = price_source if price_seq > qty_seq else qty_source
        return Terms(unit, qty, months, source)

    def charge_terms_on(self, day: date, interval_months: int) -> tuple[int, int, int, str | None]:
        """:meth:`terms_on` as the ledger derivation reads it: unit amount, quantity, the
        full-period amount for ``interval_months`` (:meth:`Terms.period_amount`) and the
        source event, without a ``Terms`` (it runs for every stretch of every bill run)."""
        unit, months, price_source, price_seq = self._price_values[
            bisect_right(self._price_dates, day)
        ]
        qty, qty_source, qty_seq = self._qty_values[bisect_right(self._qty_dates, day)]
        amount = (
            unit * qty
            if interval_months == months
            else round_half_up(unit * qty * interval_months, months)
        )
        return unit, qty, amount, price_source if price_seq > qty_seq else qty_source

    def shown_terms_on(self, day: date) -> Terms:
        """The terms the subscription is on that day, as shown to people: a change made with
        proration "none" applies from its own date here, though billed from the next period."""
        return (self._shown or self).terms_on(day)

    def change_dates(self) -> list[date]:
        """Dates on which the main item's terms may change (sorted, deduplicated)."""
        if not self._price_dates and not self._qty_dates:
            return []
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
        for p in self.pauses:
            if p.start <= day and (p.end is None or day < p.end):
                return True
        return False

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


_BY_SEQ = attrgetter("seq")
