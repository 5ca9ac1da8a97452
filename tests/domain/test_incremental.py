"""Incremental derivation equals the full one, always (issue 15, part 1).

The full derivation (``difference`` over every posted entry, every period since the start) is
the oracle. Beside it, the incremental one: ``difference(..., since=D)`` given only the entries
of the groups ending after ``D``, where ``D`` comes from a stored settlement point and the
events recorded since (:func:`billing.domain.settlement.rederive_from`). Random timelines are
recorded event by event (in random effective order, so changes are back-dated as often as
not), between bill runs at random dates (forwards and backwards) and changes posting their
difference at once; at every step both derivations must return the same entries, and the
point must be true: no derivation, at any date in either scope, posts anything for a group
ending on or before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from builders import FakeLedger, Timeline, d
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from test_properties import EVENT_KINDS, FINAL, LAST_BILL, day, timelines

from billing.domain.errors import InvalidTimeline
from billing.domain.ledger import Entry, EntryKind, Scope, difference
from billing.domain.settlement import (
    BEGINNING,
    Settlement,
    rederive_from,
    settled_after,
)
from billing.domain.timeline import Event, EventType, Schedule

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class SettledLedger(FakeLedger):
    """A fake ledger that keeps a settlement point, as storage does, and derives both ways."""

    def __init__(self) -> None:
        super().__init__()
        self.point: Settlement | None = None

    def post_both_ways(
        self, events: Sequence[Event], schedule: Schedule, as_of: date, scope: Scope
    ) -> list[Entry]:
        """Derive incrementally, check it against the full derivation, post it, move the point."""
        since = rederive_from(events, self.point)
        read = [e for e in self.entries if e.period_end > since]  # what storage reads
        incremental = difference(schedule, read, as_of=as_of, scope=scope, since=since)
        full = difference(schedule, self.entries, as_of=as_of, scope=scope)
        assert incremental == full, (since, as_of, scope)
        posted = self.post(incremental)
        through = settled_after(schedule, as_of=as_of, scope=scope, since=since)
        self.point = Settlement(through, max(e.seq for e in events))
        return posted

    def assert_point_holds(self, schedule: Schedule, dates: Sequence[date]) -> None:
        """Nothing any derivation posts lies in a group ending on or before the point."""
        if self.point is None:
            return
        through = self.point.settled_through
        for as_of in dates:
            for scope in (Scope.DUE, Scope.BILLED):
                new = difference(schedule, self.entries, as_of=as_of, scope=scope)
                assert all(e.period_end > through for e in new), (through, as_of, scope, new)


MONEY_CHOICES = ("price_next", "quantity_next", "interval_next", "pause_kept", "cancel_kept",
                 "cancel_verified", "waive_setup", "postpone")


@st.composite
def timelines_with_choices(draw: st.DrawFn) -> Timeline:
    """:func:`timelines`, then a few changes whose billing reaches past their own date: billed
    from a later day (proration "none"), a pause billed until the period's end, a cancellation
    keeping the unused days (``unused: none``) or awaiting verification, the setup fee waived,
    the start postponed. Each lands at a random place in the recording order."""
    t = draw(timelines(max_events=7))
    start = t.events[0].effective_date
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(MONEY_CHOICES))
        eff = start + timedelta(days=draw(st.integers(-10, LAST_BILL)))
        later = eff + timedelta(days=draw(st.integers(1, 60)))
        events = list(t.events)
        if kind == "price_next":
            t.add(EventType.PRICE_CHANGED, eff, unit_amount=draw(st.integers(0, 900_000)),
                  proration="none", billing_from=later)
        elif kind == "quantity_next":
            t.add(EventType.QUANTITY_CHANGED, eff, quantity=draw(st.integers(1, 25)),
                  proration="none", billing_from=later)
        elif kind == "interval_next":
            t.add(EventType.INTERVAL_CHANGED, eff, interval_months=draw(st.sampled_from([1, 3])),
                  proration="none", billing_from=later)
        elif kind == "pause_kept":
            t.add(EventType.PAUSED, eff, unused="none", billing_from=later,
                  resume_date=later + timedelta(days=draw(st.integers(1, 90))))
        elif kind == "cancel_kept":
            t.add(EventType.CANCELLATION_SCHEDULED, eff, end_date=eff, unused="none")
        elif kind == "cancel_verified":
            asked = t.add(EventType.CANCELLATION_SCHEDULED, eff, end_date=eff,
                          requires_verification=True)
            t.add(EventType.CANCELLATION_VERIFIED, later, verifies=asked.id)
        elif kind == "waive_setup":
            t.add(EventType.SETUP_FEE_WAIVED, eff)
        else:
            t.add(EventType.START_POSTPONED, start + timedelta(days=draw(st.integers(1, 40))))
        added = t.events[len(events):]
        at = draw(st.integers(1, len(events)))  # anywhere after the start, in recording order
        t.events = _renumbered(events[:at] + added + events[at:])
        try:
            t.schedule()
        except InvalidTimeline:
            t.events = _renumbered(events)
    return t


def _renumbered(events: list[Event]) -> list[Event]:
    """Events in this order, with ``seq`` their place (ids stay: verifications name theirs)."""
    return [replace(e, seq=i + 1) for i, e in enumerate(events)]


steps = st.lists(
    st.tuples(st.sampled_from(["record", "bill", "bill"]), st.integers(-20, LAST_BILL)),
    max_size=16,
)


@PROPERTY
@given(t=timelines_with_choices(), plan=steps)
def test_incremental_equals_full_through_runs_and_back_dated_changes(
    t: Timeline, plan: list[tuple[str, int]]
) -> None:
    start = t.events[0].effective_date
    ledger = SettledLedger()
    recorded = 1
    for kind, offset in plan:
        as_of = start + timedelta(days=offset)
        if kind == "record" and recorded < len(t.events):
            recorded += 1
            scope = Scope.BILLED  # a change posts what it does to billed periods at once
        else:
            scope = Scope.DUE
        events = t.events[:recorded]
        schedule = Schedule(events)
        ledger.post_both_ways(events, schedule, as_of, scope)
        ledger.assert_point_holds(schedule, (as_of, start, day(FINAL)))
    # The rest recorded at once (several events since the point), then a final run.
    schedule = t.schedule()
    ledger.post_both_ways(t.events, schedule, day(FINAL), Scope.DUE)
    assert ledger.point is not None and ledger.point.settled_through == day(FINAL)
    assert difference(schedule, ledger.entries, as_of=day(FINAL)) == []


# -- by hand ---------------------------------------------------------------------------------


def test_nothing_recorded_since_the_point_derives_from_the_point() -> None:
    t = Timeline(d("2025-01-01"))
    assert rederive_from(t.events, None) == BEGINNING
    assert rederive_from(t.events, Settlement(d("2025-06-01"), 1)) == d("2025-06-01")


def test_a_back_dated_change_re_derives_from_its_own_date() -> None:
    """Billed January to June (settled through June 1st); a price change back-dated to March 10
    re-derives from March's period on: March is credited from the 10th and charged anew."""
    t = Timeline(d("2025-01-01"))
    ledger = SettledLedger()
    ledger.post_both_ways(t.events, t.schedule(), d("2025-06-01"), Scope.DUE)
    assert ledger.point == Settlement(d("2025-06-01"), 1)
    t.price(d("2025-03-10"), 20_000)
    assert rederive_from(t.events, ledger.point) == d("2025-03-10")
    new = ledger.post_both_ways(t.events, t.schedule(), d("2025-06-01"), Scope.BILLED)
    assert min(e.period_start for e in new) == d("2025-03-01")
    credits = [e for e in new if e.kind is EntryKind.CREDIT]
    assert [(c.period_start, c.service_start) for c in credits][0] == (
        d("2025-03-01"),
        d("2025-03-10"),
    )
    # A change's posting settles nothing new: the point is the change's date, on seq 2.
    assert ledger.point == Settlement(d("2025-03-10"), 2)


def test_the_oracle_catches_a_derivation_that_starts_too_late() -> None:
    """Deriving from the stored point alone, ignoring the back-dated change, misses March."""
    t = Timeline(d("2025-01-01"))
    ledger = FakeLedger()
    ledger.bill(t.schedule(), d("2025-06-01"))
    t.price(d("2025-03-10"), 20_000)
    full = difference(t.schedule(), ledger.entries, as_of=d("2025-06-01"))
    too_late = difference(t.schedule(), ledger.entries, as_of=d("2025-06-01"),
                          since=d("2025-06-01"))
    assert full != too_late and {e.period_start for e in full} > {e.period_start
                                                                 for e in too_late}


def test_in_arrears_the_setup_fee_holds_the_point_at_the_start() -> None:
    """In arrears the setup fee is due with the first period's end: a run before it settles
    nothing from the start on, though the start's day has passed."""
    t = Timeline(d("2025-01-10"), billing_timing="in_arrears", setup_fee_amount=49_500)
    schedule = t.schedule()
    assert settled_after(schedule, as_of=d("2025-01-20"), scope=Scope.DUE,
                         since=BEGINNING) == d("2025-01-10")
    assert settled_after(schedule, as_of=d("2025-02-10"), scope=Scope.DUE,
                         since=BEGINNING) == d("2025-02-10")


def test_a_resume_that_lengthens_a_pause_reaches_back_to_the_old_resume_date() -> None:
    t = Timeline(d("2025-01-01"))
    t.pause(d("2025-02-01"), d("2025-03-01"))
    point = Settlement(d("2025-06-01"), 2)
    t.resume(d("2025-04-15"))
    assert rederive_from(t.events, point) == d("2025-03-01")


def test_a_cancellation_moved_later_reaches_back_to_the_old_end() -> None:
    t = Timeline(d("2025-01-01"))
    t.cancel(d("2025-03-01"))
    point = Settlement(d("2025-06-01"), 2)
    t.move_cancellation(d("2025-05-01"))
    assert rederive_from(t.events, point) == d("2025-03-01")
    t.revoke_cancellation(d("2025-05-20"))  # revokes the end of May 1st
    assert rederive_from(t.events, Settlement(d("2025-06-01"), 3)) == d("2025-05-01")


def test_a_postponed_start_re_derives_everything() -> None:
    t = Timeline(d("2025-01-01"))
    t.add(EventType.START_POSTPONED, d("2025-02-01"))
    assert rederive_from(t.events, Settlement(d("2025-06-01"), 1)) == BEGINNING


# -- a subscription's life, with a stored point ----------------------------------------------


class IncrementalLife(RuleBasedStateMachine):
    """Bill runs at an advancing date and changes recorded at any date around it (back-dated
    ones too), each posting incrementally from the stored point; the full derivation must agree
    at every step and the point must hold."""

    def __init__(self) -> None:
        super().__init__()
        self.t = Timeline(EPOCH_START)
        self.ledger = SettledLedger()
        self.today = EPOCH_START

    @initialize(
        unit_amount=st.integers(0, 500_000),
        interval=st.sampled_from([1, 1, 3, 12]),
        anchor_day=st.none() | st.integers(1, 31),
        timing=st.sampled_from(["in_advance", "in_arrears"]),
        setup_fee=st.sampled_from([0, 49_500]),
    )
    def start(
        self, unit_amount: int, interval: int, anchor_day: int | None, timing: str, setup_fee: int
    ) -> None:
        self.t = Timeline(
            EPOCH_START,
            unit_amount=unit_amount,
            interval_months=interval,
            anchor_day=anchor_day,
            billing_timing=timing,
            setup_fee_amount=setup_fee,
        )

    def post(self, scope: Scope) -> None:
        self.ledger.post_both_ways(self.t.events, self.t.schedule(), self.today, scope)

    @rule(step=st.integers(0, 45))
    def bill_run(self, step: int) -> None:
        self.today += timedelta(days=step)
        self.post(Scope.DUE)

    @rule(
        kind=st.sampled_from(EVENT_KINDS),
        back=st.integers(-400, 60),
        value=st.integers(1, 25),
        length=st.none() | st.integers(1, 90),
        addon=st.sampled_from(["sms", "app"]),
    )
    def record_change(self, kind: str, back: int, value: int, length: int | None, addon: str
                      ) -> None:
        eff = max(EPOCH_START - timedelta(days=10), self.today + timedelta(days=back))
        add = {
            "price": lambda: self.t.price(eff, value * 1_000),
            "quantity": lambda: self.t.quantity(eff, value),
            "interval": lambda: self.t.interval(eff, [1, 2, 3, 6, 12][value % 5]),
            "pause": lambda: self.t.pause(eff, None if length is None
                                          else eff + timedelta(days=length)),
            "resume": lambda: self.t.resume(eff),
            "cancel": lambda: self.t.cancel(eff),
            "move": lambda: self.t.move_cancellation(eff),
            "revoke": lambda: self.t.revoke_cancellation(eff),
            "one_off": lambda: self.t.one_off(eff, value * 100),
            "attach": lambda: self.t.attach_addon(eff, addon, value * 100),
            "detach": lambda: self.t.detach_addon(eff, addon),
        }
        add[kind]()
        try:
            self.t.schedule()
        except InvalidTimeline:
            self.t.events.pop()  # staff could not have recorded it
            return
        self.post(Scope.BILLED)

    @invariant()
    def the_point_holds(self) -> None:
        self.ledger.assert_point_holds(self.t.schedule(), (self.today, day(FINAL)))


EPOCH_START = date(2024, 1, 15)

IncrementalLife.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestIncrementalLife = IncrementalLife.TestCase
