"""Ledger derivation: how many subscription-years per second one core turns into ledger entries.

What a bill run does for each subscription: build its :class:`Schedule` from the timeline and
post the difference between the target and what is already posted. Two scenarios:

* **first pass**: nothing posted yet; a year of monthly periods comes out as charges;
* **re-run**: the same derivation against the ledger the first pass produced (ids assigned),
  which must post nothing ("billing twice posts nothing").

Beside them, in the same process, a **baseline**: a plain Python loop doing the irreducible work
for the same subscriptions (anchored boundaries from a month index, date ordinals, the cumulative
``(2·P·k + L) // (2·L)`` proration, one tuple per period). The ratio says how far the domain code
is from that floor.

The subscriptions are deterministic pseudo-random (``--seed``): start dates spread over 2024,
monthly interval, some with a price change, a quantity change, a pause and a resume, a
cancellation mid-period, billing in arrears, an anchor day (29–31), a yearly price billed
monthly. ``as_of`` is chosen so that each subscription bills exactly one year of service: the
anniversary minus one day in advance (the 13th period is not yet due), the anniversary in arrears
(the 12th period has ended).

The entry count and the sum of amounts are a checksum: a change to the domain that keeps them
equal bills the same; a faster run with a different checksum is not a speed-up.

    /work/venv/bin/python benchmarks/ledger_derivation.py [--subscriptions 100000]
    /work/venv/bin/python benchmarks/ledger_derivation.py --profile 20000
"""

from __future__ import annotations

import argparse
import calendar
import cProfile
import dataclasses
import gc
import io
import os
import platform
import pstats
import random
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from billing.domain.calendar import add_months
from billing.domain.codec import decode
from billing.domain.ledger import Entry, difference
from billing.domain.timeline import Event, EventType, Schedule

T = TypeVar("T")
TARGET_RATE = 50_000  # subscription-years per second per core
RECORDED_AT = datetime(2024, 1, 1, tzinfo=UTC)
YEAR_START = date(2024, 1, 1)


@dataclasses.dataclass(slots=True)
class Subscription:
    """One generated timeline, with what the baseline needs precomputed from its facts."""

    number: int
    events: list[Event]
    as_of: date
    # Baseline inputs: first day, anchor day, full-period amount.
    start: date
    anchor_day: int
    period_amount: int


def _event(
    sub: int, seq: int, kind: EventType, day: date, data: dict[str, object] | None = None
) -> Event:
    return Event(
        id=f"s{sub:06d}-e{seq:02d}",
        seq=seq,
        effective_date=day,
        recorded_at=RECORDED_AT,
        recorded_by="benchmark",
        payload=decode(kind, data or {}),
    )


def make_subscriptions(count: int, seed: int) -> list[Subscription]:
    """``count`` timelines of one to six events, the same for the same seed."""
    rng = random.Random(seed)
    subs: list[Subscription] = []
    for n in range(count):
        start = YEAR_START + timedelta(days=rng.randrange(366))
        roll = rng.random
        price_months = 12 if roll() < 0.10 else 1  # a yearly price billed monthly
        unit_amount = rng.randrange(100, 100_000) * (12 if price_months == 12 else 1)
        quantity = rng.randrange(1, 21)
        in_arrears = roll() < 0.20
        anchor_day = rng.choice((29, 30, 31)) if roll() < 0.15 else None
        started: dict[str, object] = {
            "unit_amount": unit_amount,
            "quantity": quantity,
            "price_months": price_months,
            "interval_months": 1,
        }
        if in_arrears:
            started["billing_timing"] = "in_arrears"
        if anchor_day is not None:
            started["anchor_day"] = anchor_day
        events = [_event(n, 0, EventType.STARTED, start, started)]

        def later(lo: int, hi: int, start: date = start) -> date:
            return start + timedelta(days=rng.randrange(lo, hi))

        if roll() < 0.30:
            new_price = max(100, unit_amount + rng.randrange(-5_000, 10_000))
            events.append(
                _event(
                    n,
                    len(events),
                    EventType.PRICE_CHANGED,
                    later(20, 340),
                    {"unit_amount": new_price},
                )
            )
        if roll() < 0.25:
            events.append(
                _event(
                    n,
                    len(events),
                    EventType.QUANTITY_CHANGED,
                    later(20, 340),
                    {"quantity": rng.randrange(1, 41)},
                )
            )
        if roll() < 0.15:
            paused = later(30, 250)
            events.append(_event(n, len(events), EventType.PAUSED, paused))
            events.append(
                _event(
                    n, len(events), EventType.RESUMED, paused + timedelta(days=rng.randrange(5, 90))
                )
            )
        if roll() < 0.10:
            # Cancelled mid-period, effective some day in the second half of the year.
            events.append(_event(n, len(events), EventType.CANCELLATION_SCHEDULED, later(180, 360)))
        anniversary = add_months(start, 12)
        as_of = anniversary if in_arrears else anniversary - timedelta(days=1)
        # Half-up, as Terms.period_amount does for a yearly price on a monthly period.
        period_amount = (2 * unit_amount * quantity + price_months) // (2 * price_months)
        subs.append(Subscription(n, events, as_of, start, anchor_day or start.day, period_amount))
    return subs


# -- the scenarios -------------------------------------------------------------------------------


def derive_all(subs: list[Subscription]) -> list[list[Entry]]:
    """First pass: each subscription's year, nothing posted yet."""
    return [difference(Schedule(s.events), [], as_of=s.as_of) for s in subs]


def rederive_all(subs: list[Subscription], posted: list[list[Entry]]) -> int:
    """Re-run against the posted ledger; returns how many entries it would post (must be 0)."""
    new = 0
    for s, ledger in zip(subs, posted, strict=True):
        new += len(difference(Schedule(s.events), ledger, as_of=s.as_of))
    return new


def schedules_only(subs: list[Subscription]) -> int:
    """Only the Schedule construction, to split the first pass in two."""
    n = 0
    for s in subs:
        n += len(Schedule(s.events).regimes)
    return n


_MONTH_DAYS = {
    (y, m): calendar.monthrange(y, m)[1] for y in range(2023, 2027) for m in range(1, 13)
}


def baseline(subs: list[Subscription]) -> tuple[int, int]:
    """The floor: 12 monthly periods per subscription, boundaries from a month index and a
    clamp, ordinals, cumulative half-up proration of the first (stub) period, one tuple each."""
    month_days = _MONTH_DAYS
    count = 0
    amount_sum = 0
    for s in subs:
        start = s.start.toordinal()
        day = s.anchor_day
        p = s.period_amount
        index = s.start.year * 12 + s.start.month - 1
        y, m = divmod(index, 12)
        e_ord = date(y, m + 1, min(day, month_days[y, m + 1])).toordinal()
        if e_ord > start:  # the start falls in the period anchored in the month before
            index -= 1
            y, m = divmod(index, 12)
            e_ord = date(y, m + 1, min(day, month_days[y, m + 1])).toordinal()
        out = []
        for k in range(1, 13):
            y, m = divmod(index + k, 12)
            s_ord, e_ord = e_ord, date(y, m + 1, min(day, month_days[y, m + 1])).toordinal()
            length = e_ord - s_ord
            a = start - s_ord if start > s_ord else 0
            amount = p - (2 * p * a + length) // (2 * length)
            out.append(("main", s_ord, e_ord, a, length, amount))
        count += len(out)
        amount_sum += sum(t[5] for t in out)
    return count, amount_sum


# -- running -------------------------------------------------------------------------------------


class Timing:
    """Best of the repeats, in CPU seconds of this (single-threaded) process.

    CPU time rather than wall time: on a shared 2-core machine a neighbour's job stretches the
    wall clock but not the time this core spent on our work. Wall time is kept for the record.
    """

    def __init__(self) -> None:
        self.cpu = float("inf")
        self.wall = float("inf")

    def measure(self, fn: Callable[[], T]) -> T:
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        c1, w1 = time.process_time(), time.perf_counter()
        self.cpu = min(self.cpu, c1 - c0)
        self.wall = min(self.wall, w1 - w0)
        return result

    def line(self, label: str, count: int) -> str:
        return (
            f"{label:<13}: {count / self.cpu:>10,.0f} subscription-years/s "
            f"({self.cpu:.2f} s CPU, {self.wall:.2f} s wall)"
        )


def with_ids(ledgers: list[list[Entry]]) -> list[list[Entry]]:
    return [
        [dataclasses.replace(e, id=f"{i}-{j}") for j, e in enumerate(entries)]
        for i, entries in enumerate(ledgers)
    ]


def domain_version() -> str:
    """The commit measured, and whether the domain core had uncommitted edits at the time."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=here, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "../src/billing/domain"],
            cwd=here,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown (no git)"
    return f"{head or 'unknown'}{' + uncommitted domain edits' if dirty else ''}"


def run(count: int, seed: int, repeat: int) -> None:
    print(
        f"machine: nproc={os.cpu_count()}, python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.machine()}; "
        f"domain at {domain_version()}"
    )
    t0 = time.perf_counter()
    subs = make_subscriptions(count, seed)
    print(
        f"built {count:,} subscriptions, {sum(len(s.events) for s in subs):,} events "
        f"in {time.perf_counter() - t0:.1f} s (seed {seed}); best of {repeat}"
    )

    # Setup objects are long-lived; freezing them keeps the collector's full passes from
    # rescanning them and charging that to whichever scenario happens to trigger one. The
    # collections the scenarios' own allocations trigger are counted, as in a real bill run.
    gc.collect()
    gc.freeze()

    base, sched, first, again = Timing(), Timing(), Timing(), Timing()
    paused = Timing()
    ledgers: list[list[Entry]] = []
    for _ in range(repeat):
        b_count, b_sum = base.measure(lambda: baseline(subs))
        sched.measure(lambda: schedules_only(subs))
        ledgers = []
        gc.collect()
        ledgers = first.measure(lambda: derive_all(subs))
        # The same first pass with the collector paused: what its passes over the entries the
        # run keeps cost (for the record only; the first pass above pays them, as a bill run).
        gc.disable()
        paused.measure(lambda: derive_all(subs))
        gc.enable()
    entries = sum(len(x) for x in ledgers)
    amount_sum = sum(e.amount for x in ledgers for e in x)
    assert all(e.amount > 0 for x in ledgers for e in x), "a first pass posts only charges"

    posted = with_ids(ledgers)
    del ledgers
    gc.collect()
    gc.freeze()
    for _ in range(repeat):
        new = again.measure(lambda: rederive_all(subs, posted))
        assert new == 0, f"re-deriving against the posted ledger posted {new} entries"

    rate, base_rate, again_rate = count / first.cpu, count / base.cpu, count / again.cpu
    print()
    print(first.line("first pass", count))
    print(f"  of which Schedule(events) alone: {sched.cpu / first.cpu:.0%} ({sched.cpu:.2f} s)")
    print(
        f"  of which the collector: {1 - paused.cpu / first.cpu:.0%} "
        f"(first pass with it paused: {count / paused.cpu:,.0f} subscription-years/s)"
    )
    print(again.line("re-run", count) + ", posted 0")
    print(base.line("baseline", count))
    print(
        f"ratio        : baseline / first pass = {base_rate / rate:.1f}x, "
        f"baseline / re-run = {base_rate / again_rate:.1f}x"
    )
    print(
        f"target       : {TARGET_RATE:,} subscription-years/s per core -> first pass at "
        f"{rate / TARGET_RATE:.0%}, re-run at {again_rate / TARGET_RATE:.0%}"
    )
    print()
    print(f"checksum     : {entries:,} entries, sum of amounts {amount_sum:,}")
    print(
        f"baseline sum : {b_count:,} tuples, sum of amounts {b_sum:,} (its own simpler model: "
        "one price, no changes, pauses or cancellations)"
    )


def _print_profile(name: str, fn: Callable[[], object], count: int, top: int) -> None:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    print(f"== {name}: {count:,} subscriptions, top {top} by own time (tottime) ==")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))
    print()


def profile(count: int, seed: int, top: int) -> None:
    subs = make_subscriptions(count, seed)
    gc.collect()
    gc.freeze()
    _print_profile("first pass", lambda: derive_all(subs), count, top)
    posted = with_ids(derive_all(subs))
    gc.collect()
    gc.freeze()
    _print_profile("re-run", lambda: rederive_all(subs, posted), count, top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--repeat", type=int, default=1, help="report the best of N runs")
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        default=0,
        help="instead of timing, profile N subscriptions with cProfile",
    )
    parser.add_argument("--top", type=int, default=25, help="profile lines to print")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.profile, args.seed, args.top)
    else:
        run(args.subscriptions, args.seed, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
