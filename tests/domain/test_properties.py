"""Properties of the proration and the ledger, for any timeline (style.md, "Tests").

* the pieces of any period add up to its full amount, in any split;
* random timelines billed at random dates, in random order, with changes recorded in between,
  end with the ledger equal to the timeline's target, and a second difference posts nothing;
* cancel then undo is ledger-neutral once everything is re-billed;
* nothing is billed after the end date or inside a pause;
* a credit never gives back more than its charge billed; every amount is an ``int``.

A stateful machine then drives one subscription through changes and bill runs at an advancing
date, posting every change's difference at once as the service does, checking the same things
after every step.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from builders import FakeLedger, Timeline
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from billing.domain.calendar import PeriodGrid, clamp_day
from billing.domain.errors import InvalidTimeline
from billing.domain.ledger import (
    MAIN_ITEM,
    Entry,
    EntryKind,
    Scope,
    difference,
    net_coverage,
    target_pieces,
    target_total,
)
from billing.domain.proration import prorate_days, served_amount
from billing.domain.timeline import EventType, Schedule

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEAVY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

EPOCH = date(2024, 1, 1)
#: Every test bills at most this many days after the start; FINAL lies a year beyond, so every
#: period touched before it has ended by FINAL (even a yearly one billed in arrears).
LAST_BILL = 500
FINAL = 900


def day(offset: int) -> date:
    return EPOCH + timedelta(days=offset)


# -- strategies ------------------------------------------------------------------------------

EVENT_KINDS = (
    "price",
    "quantity",
    "interval",
    "pause",
    "resume",
    "cancel",
    "move",
    "revoke",
    "one_off",
    "attach",
    "detach",
)


@st.composite
def timelines(draw: st.DrawFn, *, kinds: Sequence[str] = EVENT_KINDS, max_events: int = 8
              ) -> Timeline:
    """A valid timeline: a start and up to ``max_events`` events, in random recording order."""
    start = day(draw(st.integers(0, 60)))
    t = Timeline(
        start,
        unit_amount=draw(st.integers(0, 1_000_000)),
        quantity=draw(st.integers(1, 25)),
        price_months=draw(st.sampled_from([1, 1, 3, 12])),
        interval_months=draw(st.sampled_from([1, 1, 2, 3, 6, 12])),
        anchor_day=draw(st.none() | st.integers(1, 31)),
        billing_timing=draw(st.sampled_from(["in_advance", "in_arrears"])),
        setup_fee_amount=draw(st.sampled_from([0, 0, 49_500])),
    )
    for _ in range(draw(st.integers(0, max_events))):
        kind = draw(st.sampled_from(kinds))
        eff = start + timedelta(days=draw(st.integers(-10, LAST_BILL)))
        if kind == "price":
            t.price(eff, draw(st.integers(0, 1_000_000)))
        elif kind == "quantity":
            t.quantity(eff, draw(st.integers(1, 25)))
        elif kind == "interval":
            t.interval(eff, draw(st.sampled_from([1, 2, 3, 6, 12])))
        elif kind == "pause":
            length = draw(st.none() | st.integers(1, 120))
            t.pause(eff, None if length is None else eff + timedelta(days=length))
        elif kind == "resume":
            t.resume(eff)
        elif kind == "cancel":
            t.cancel(eff)
        elif kind == "move":
            t.move_cancellation(eff)
        elif kind == "revoke":
            t.revoke_cancellation(eff)
        elif kind == "one_off":
            t.one_off(eff, draw(st.integers(0, 100_000)), draw(st.integers(1, 3)))
        elif kind == "attach":
            t.attach_addon(eff, draw(st.sampled_from(["sms", "app"])), draw(st.integers(0, 9_999)))
        else:
            t.detach_addon(eff, draw(st.sampled_from(["sms", "app"])))
        try:
            t.schedule()
        except InvalidTimeline:
            t.events.pop()  # e.g. a resume with no pause before it: staff could not record it
    return t


# -- the checks every ledger must pass ---------------------------------------------------------


def assert_amounts_are_ints(entries: Sequence[Entry]) -> None:
    for e in entries:
        for value in (e.amount, e.period_amount, e.unit_amount, e.quantity):
            assert type(value) is int, e  # not bool, not float, not Decimal
        assert e.amount != 0, "zero entries are never posted"
        assert (e.amount < 0) == e.is_credit


def assert_credits_within_charges(entries: Sequence[Entry]) -> None:
    charges = {e.id: e for e in entries if not e.is_credit}
    given_back: dict[str, int] = defaultdict(int)
    credited_days: dict[str, list[tuple[date, date]]] = defaultdict(list)
    for e in entries:
        if not e.is_credit:
            continue
        assert e.credits in charges, "a credit points at a posted charge"
        charge = charges[e.credits]
        assert e.key == charge.key
        assert (e.unit_amount, e.quantity, e.period_amount) == (
            charge.unit_amount, charge.quantity, charge.period_amount
        ), "credits carry the amounts as billed"
        assert charge.service_start <= e.service_start < e.service_end <= charge.service_end
        # the credit is exactly what the charge billed for those days
        assert -e.amount == served_amount(
            charge.period_amount,
            period_start=charge.period_start,
            period_end=charge.period_end,
            served_start=e.service_start,
            served_end=e.service_end,
        )
        given_back[charge.id or ""] += -e.amount
        credited_days[charge.id or ""].append((e.service_start, e.service_end))
    for charge_id, amount in given_back.items():
        assert amount <= charges[charge_id].amount
        ranges = sorted(credited_days[charge_id])
        for (_, hi), (lo, _) in zip(ranges, ranges[1:], strict=False):
            assert hi <= lo, "no day is credited twice"


def _served(schedule: Schedule, item: str, d: date) -> bool:
    if schedule.is_paused_on(d) or d < schedule.start:
        return False
    if schedule.end is not None and d >= schedule.end:
        return False
    if item == MAIN_ITEM:
        return True
    return any(
        a.start <= d and (a.end is None or d < a.end)
        for a in schedule.addon_history
        if f"addon:{a.key}" == item
    )


def assert_nothing_billed_unserved(schedule: Schedule, entries: Sequence[Entry]) -> None:
    """Days after the end, before the start, paused or detached carry no net amount.

    A day may stay covered by a charge only when giving it back would be worth 0 (a tiny P),
    so the check is on amounts: each run of unserved covered days must be worth exactly 0.
    """
    for lo, hi, charge in net_coverage(
        [e for e in entries if e.kind is not EntryKind.ONE_OFF]
    ):
        run_start: date | None = None
        d = lo
        while d <= hi:
            unserved = d < hi and not _served(schedule, charge.item, d)
            if unserved and run_start is None:
                run_start = d
            elif not unserved and run_start is not None:
                worth = served_amount(
                    charge.period_amount,
                    period_start=charge.period_start,
                    period_end=charge.period_end,
                    served_start=run_start,
                    served_end=d,
                )
                assert worth == 0, (charge, run_start, d)
                run_start = None
            d += timedelta(days=1)


def assert_sound(schedule: Schedule, entries: Sequence[Entry]) -> None:
    assert_amounts_are_ints(entries)
    assert_credits_within_charges(entries)
    assert_nothing_billed_unserved(schedule, entries)


def assert_matches_target(schedule: Schedule, ledger: FakeLedger, as_of: date,
                          scope: Scope = Scope.DUE) -> None:
    keys = {e.key for e in ledger.entries}
    target = target_pieces(schedule, as_of=as_of, scope=scope, posted_keys=keys)
    assert ledger.total == target_total(target)
    assert difference(schedule, ledger.entries, as_of=as_of, scope=scope) == []


def net_by_period(entries: Sequence[Entry]) -> dict[tuple[str, date, date], int]:
    net: dict[tuple[str, date, date], int] = defaultdict(int)
    for e in entries:
        net[e.key] += e.amount
    return {k: v for k, v in net.items() if v}


# -- proration -------------------------------------------------------------------------------


@FAST
@given(
    length=st.integers(1, 366),
    amount=st.integers(0, 10**12),
    cuts=st.lists(st.integers(0, 366), max_size=12),
    order=st.randoms(use_true_random=False),
)
def test_pieces_of_a_period_add_up_to_its_amount(
    length: int, amount: int, cuts: list[int], order: object
) -> None:
    bounds = sorted({0, length, *(c for c in cuts if c <= length)})
    pairs = list(zip(bounds, bounds[1:], strict=False))
    order.shuffle(pairs)  # type: ignore[attr-defined]
    pieces = [prorate_days(amount, length, a, b) for a, b in pairs]
    assert sum(pieces) == amount
    assert all(type(p) is int and 0 <= p <= amount for p in pieces)


@FAST
@given(
    anchor=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    anchor_day=st.none() | st.integers(1, 31),
    interval=st.sampled_from([1, 2, 3, 6, 12]),
    k=st.integers(-50, 50),
    amount=st.integers(0, 10**9),
    cuts=st.lists(st.integers(0, 400), max_size=6),
)
def test_pieces_of_an_anchored_period_add_up(
    anchor: date, anchor_day: int | None, interval: int, k: int, amount: int, cuts: list[int]
) -> None:
    grid = PeriodGrid.anchored_at(anchor, interval_months=interval, anchor_day=anchor_day)
    period = grid.period(k)
    assert grid.index_containing(period.start) == k
    assert grid.index_containing(period.end - timedelta(days=1)) == k
    assert 28 * interval <= period.days <= 31 * interval
    if interval == 12:
        assert period.days in (365, 366)
    inner = sorted({period.start, period.end} | {
        period.start + timedelta(days=c) for c in cuts if c < period.days
    })
    total = sum(
        served_amount(amount, period_start=period.start, period_end=period.end,
                      served_start=a, served_end=b)
        for a, b in zip(inner, inner[1:], strict=False)
    )
    assert total == amount


@FAST
@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    offset=st.integers(-800, 800),
    anchor_day=st.none() | st.integers(1, 31),
    interval=st.sampled_from([1, 3, 6, 12]),
)
def test_periods_tile_the_calendar_from_the_anchor(
    start: date, offset: int, anchor_day: int | None, interval: int
) -> None:
    grid = PeriodGrid.anchored_at(start, interval_months=interval, anchor_day=anchor_day)
    day_ = start + timedelta(days=offset)
    period = grid.period_containing(day_)
    assert period.contains(day_)
    assert period.start == clamp_day(period.start.year, period.start.month, grid.anchor_day)
    periods = grid.periods_from(day_)
    first, second = next(periods), next(periods)
    assert first == period and second.start == first.end


# -- the ledger ------------------------------------------------------------------------------

steps = st.lists(st.tuples(st.booleans(), st.integers(-20, LAST_BILL)), max_size=14)


@HEAVY
@given(t=timelines(), plan=steps)
def test_random_bill_runs_in_random_order_end_equal_to_the_target(
    t: Timeline, plan: list[tuple[bool, int]]
) -> None:
    """Changes recorded one by one (each posting its difference at once) between bill runs at
    random dates, in no particular order; a final bill run leaves the ledger on target."""
    start = t.events[0].effective_date
    ledger = FakeLedger()
    recorded = 1
    for record, offset in plan:
        as_of = start + timedelta(days=offset)
        if record and recorded < len(t.events):
            recorded += 1
            schedule = Schedule(t.events[:recorded])
            ledger.bill(schedule, as_of, scope=Scope.BILLED, cause=t.events[recorded - 1].id)
            assert difference(schedule, ledger.entries, as_of=as_of, scope=Scope.BILLED) == []
        else:
            schedule = Schedule(t.events[:recorded])
            ledger.bill(schedule, as_of)
            # billing twice posts nothing
            assert difference(schedule, ledger.entries, as_of=as_of) == []
        assert_amounts_are_ints(ledger.entries)
        assert_credits_within_charges(ledger.entries)

    schedule = t.schedule()
    ledger.bill(schedule, day(FINAL))
    assert_matches_target(schedule, ledger, day(FINAL))
    assert_sound(schedule, ledger.entries)
    event("credits posted" if ledger.credits() else "no credits")


NOT_CANCELLING = [k for k in EVENT_KINDS if k not in ("cancel", "move", "revoke")]


@HEAVY
@given(
    t=timelines(kinds=NOT_CANCELLING, max_events=5),
    before=st.lists(st.integers(-20, LAST_BILL), max_size=4),
    recorded_on=st.integers(-20, LAST_BILL),
    end=st.integers(-10, LAST_BILL),
    moves=st.lists(st.integers(-10, LAST_BILL), max_size=2),
    between=st.lists(st.integers(-20, LAST_BILL), max_size=3),
    revoked_on=st.integers(-20, LAST_BILL),
)
def test_cancel_then_undo_is_ledger_neutral(
    t: Timeline,
    before: list[int],
    recorded_on: int,
    end: int,
    moves: list[int],
    between: list[int],
    revoked_on: int,
) -> None:
    start = t.events[0].effective_date

    def at(offset: int) -> date:
        return start + timedelta(days=offset)

    plain, cancelled = FakeLedger(), FakeLedger()
    for offset in before:
        plain.bill(t.schedule(), at(offset))
        cancelled.bill(t.schedule(), at(offset))

    u = t.copy()
    ev = u.cancel(at(end))
    cancelled.bill(u.schedule(), at(recorded_on), scope=Scope.BILLED, cause=ev.id)
    for offset in moves:
        ev = u.move_cancellation(at(offset))
        cancelled.bill(u.schedule(), at(recorded_on), scope=Scope.BILLED, cause=ev.id)
    for offset in between:
        plain.bill(t.schedule(), at(offset))
        cancelled.bill(u.schedule(), at(offset))
        assert_nothing_billed_unserved(u.schedule(), cancelled.entries)
    ev = u.revoke_cancellation(at(revoked_on))
    cancelled.bill(u.schedule(), at(revoked_on), scope=Scope.BILLED, cause=ev.id)

    plain.bill(t.schedule(), day(FINAL))
    cancelled.bill(u.schedule(), day(FINAL))
    assert cancelled.total == plain.total
    event("credited, then charged back" if cancelled.credits() else "never credited")
    assert net_by_period(cancelled.entries) == net_by_period(plain.entries)
    assert_sound(u.schedule(), cancelled.entries)


def billed_before(entries: Sequence[Entry], cutoff: date) -> dict[tuple[str, date, date], int]:
    """Net amount per period of one item for the days before ``cutoff`` only."""
    net: dict[tuple[str, date, date], int] = defaultdict(int)
    for e in entries:
        if e.service_start >= cutoff:
            continue
        part = served_amount(
            e.period_amount,
            period_start=e.period_start,
            period_end=e.period_end,
            served_start=e.service_start,
            served_end=min(e.service_end, cutoff),
        )
        net[e.key] += -part if e.is_credit else part
    return {k: v for k, v in net.items() if v}


@HEAVY
@given(
    t=timelines(),
    bills=st.lists(st.integers(-20, LAST_BILL), max_size=4),
    kind=st.sampled_from(["price", "quantity", "interval", "pause", "cancel", "one_off",
                          "attach", "detach"]),
    effective=st.integers(-10, LAST_BILL),
    value=st.integers(1, 25),
    length=st.none() | st.integers(1, 120),
    addon=st.sampled_from(["sms", "app"]),
)
def test_a_change_never_touches_what_the_days_before_it_cost(
    t: Timeline,
    bills: list[int],
    kind: str,
    effective: int,
    value: int,
    length: int | None,
    addon: str,
) -> None:
    """A change effective D bills old terms until D: the days before D keep their amounts."""
    start = t.events[0].effective_date
    eff = start + timedelta(days=effective)
    ledger = FakeLedger()
    for offset in bills:
        ledger.bill(t.schedule(), start + timedelta(days=offset))
    ledger.bill(t.schedule(), day(FINAL))
    before = billed_before(ledger.entries, eff)

    end = t.schedule().end
    if kind == "price":
        ev = t.price(eff, value * 1_000)
    elif kind == "quantity":
        ev = t.quantity(eff, value)
    elif kind == "interval":
        ev = t.interval(eff, [1, 2, 3, 6, 12][value % 5])
    elif kind == "pause":
        ev = t.pause(eff, None if length is None else eff + timedelta(days=length))
    elif kind == "cancel":
        assume(end is None or end >= eff)  # an earlier end moved later serves days before D
        ev = t.cancel(eff)
    elif kind == "one_off":
        ev = t.one_off(eff, value * 100)
    elif kind == "attach":
        ev = t.attach_addon(eff, addon, value * 100)
    else:
        ev = t.detach_addon(eff, addon)
    try:
        schedule = t.schedule()
    except InvalidTimeline:
        assume(False)
        raise
    ledger.bill(schedule, day(FINAL), scope=Scope.BILLED, cause=ev.id)
    assert billed_before(ledger.entries, eff) == before
    ledger.bill(schedule, day(FINAL))
    assert billed_before(ledger.entries, eff) == before
    assert_matches_target(schedule, ledger, day(FINAL))


@HEAVY
@given(t=timelines(), as_of=st.integers(-20, LAST_BILL))
def test_the_target_bills_nothing_after_the_end_or_inside_a_pause(t: Timeline, as_of: int
                                                                    ) -> None:
    schedule = t.schedule()
    target = target_pieces(schedule, as_of=t.events[0].effective_date + timedelta(days=as_of))
    for pieces in target.values():
        for p in pieces:
            assert p.start < p.end
            assert p.period_start <= p.start and p.end <= p.period_end
            if p.kind is EntryKind.ONE_OFF:
                continue
            assert p.start >= schedule.start
            assert schedule.end is None or p.end <= schedule.end
            assert not any(
                pause.start < p.end and (pause.end is None or p.start < pause.end)
                for pause in schedule.pauses
            )


# -- a subscription's life, step by step -----------------------------------------------------


class SubscriptionLife(RuleBasedStateMachine):
    """Staff change one subscription while bill runs happen at an advancing date.

    Every change posts its difference at once for the periods already billed (Scope.BILLED), as
    the service does; bill runs post what has become due. After every step the ledger must equal
    the timeline's target for what has been billed, and be sound.
    """

    def __init__(self) -> None:
        super().__init__()
        self.t: Timeline | None = None
        self.ledger = FakeLedger()
        self.today = EPOCH

    @initialize(
        start=st.integers(0, 40),
        unit_amount=st.integers(0, 500_000),
        quantity=st.integers(1, 30),
        price_months=st.sampled_from([1, 12]),
        interval=st.sampled_from([1, 1, 3, 12]),
        anchor_day=st.none() | st.integers(1, 31),
        timing=st.sampled_from(["in_advance", "in_arrears"]),
    )
    def start(
        self,
        start: int,
        unit_amount: int,
        quantity: int,
        price_months: int,
        interval: int,
        anchor_day: int | None,
        timing: str,
    ) -> None:
        self.t = Timeline(
            day(start),
            unit_amount=unit_amount,
            quantity=quantity,
            price_months=price_months,
            interval_months=interval,
            anchor_day=anchor_day,
            billing_timing=timing,
        )
        # The first bill run on the start date, so that later changes meet billed periods.
        self.today = day(start)
        self.ledger.bill(self.schedule(), self.today)

    # -- helpers -----------------------------------------------------------------------------

    @property
    def timeline(self) -> Timeline:
        assert self.t is not None
        return self.t

    def schedule(self) -> Schedule:
        return self.timeline.schedule()

    def later(self, days: int) -> date:
        return self.today + timedelta(days=days)

    def record(self, ev_id: str) -> None:
        try:
            schedule = self.schedule()
        except InvalidTimeline:
            self.timeline.events.pop()
            return
        self.ledger.bill(schedule, self.today, scope=Scope.BILLED, cause=ev_id)

    def not_ended(self) -> bool:
        return self.t is not None and not self.schedule().has_ended(self.today)

    def cancelled_not_ended(self) -> bool:
        return self.not_ended() and self.schedule().end is not None

    def has_pause(self) -> bool:
        return self.t is not None and any(
            e.type is EventType.PAUSED for e in self.timeline.events
        )

    # -- rules -------------------------------------------------------------------------------

    @rule(days=st.integers(-20, 120), amount=st.integers(0, 500_000))
    def change_price(self, days: int, amount: int) -> None:
        self.record(self.timeline.price(self.later(days), amount).id)

    @rule(days=st.integers(-20, 120), quantity=st.integers(1, 30))
    def change_quantity(self, days: int, quantity: int) -> None:
        self.record(self.timeline.quantity(self.later(days), quantity).id)

    @rule(days=st.integers(-5, 60), length=st.none() | st.integers(1, 90))
    def pause(self, days: int, length: int | None) -> None:
        eff = self.later(days)
        resume = None if length is None else eff + timedelta(days=length)
        self.record(self.timeline.pause(eff, resume).id)

    @precondition(has_pause)
    @rule(days=st.integers(1, 90))
    def resume(self, days: int) -> None:
        latest = max(e.effective_date for e in self.timeline.events
                     if e.type is EventType.PAUSED)
        self.record(self.timeline.resume(latest + timedelta(days=days)).id)

    @precondition(not_ended)
    @rule(days=st.integers(-5, 200))
    def schedule_cancellation(self, days: int) -> None:
        self.record(self.timeline.cancel(self.later(days)).id)

    @precondition(cancelled_not_ended)
    @rule(days=st.integers(-5, 200))
    def move_cancellation(self, days: int) -> None:
        self.record(self.timeline.move_cancellation(self.later(days)).id)

    @precondition(cancelled_not_ended)
    @rule()
    def revoke_cancellation(self) -> None:
        self.record(self.timeline.revoke_cancellation(self.today).id)

    @rule(days=st.integers(0, 30), amount=st.integers(1, 100_000))
    def deliver_one_off(self, days: int, amount: int) -> None:
        self.record(self.timeline.one_off(self.later(days), amount).id)

    @rule(step=st.integers(0, 45))
    def bill_run(self, step: int) -> None:
        self.today = self.later(step)
        schedule = self.schedule()
        self.ledger.bill(schedule, self.today)
        assert_matches_target(schedule, self.ledger, self.today)  # and again posts nothing

    @rule()
    def post_billed_again(self) -> None:
        assert self.ledger.bill(self.schedule(), self.today, scope=Scope.BILLED) == []

    # -- invariants --------------------------------------------------------------------------

    @invariant()
    def ledger_equals_target_of_what_was_billed(self) -> None:
        if self.t is not None:
            assert_matches_target(self.schedule(), self.ledger, self.today, scope=Scope.BILLED)

    @invariant()
    def ledger_is_sound(self) -> None:
        if self.t is not None:
            assert_sound(self.schedule(), self.ledger.entries)
            event(f"credits in the ledger: {min(len(self.ledger.credits()), 3)} or more")

    @invariant()
    def nothing_after_the_end_once_ended(self) -> None:
        if self.t is None:
            return
        schedule = self.schedule()
        if schedule.end is not None and schedule.has_ended(self.today):
            assert difference(schedule, self.ledger.entries, as_of=day(2000)) == [] or all(
                e.kind is EntryKind.ONE_OFF or e.service_end <= schedule.end
                for e in difference(schedule, self.ledger.entries, as_of=day(2000))
            )


SubscriptionLife.TestCase.settings = settings(
    max_examples=300,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestSubscriptionLife = SubscriptionLife.TestCase
