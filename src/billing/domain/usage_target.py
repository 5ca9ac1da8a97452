"""What usage should be billed: the usage target, beside the timeline's (:mod:`.target`).

Usage is billed **in arrears** (whatever the plan's timing for its subscription price): a
**stretch** is the served part of one billing period (the schedule's anchored periods, cut by
the start and the end date), and, for a contract-year metric, cut again where a contract year
begins, so that a charge never mixes two years' allowances. A stretch is due once it has ended
(``end <= as_of``); a stretch cut short by the end date has ended on the end date.

The target of a metric is, per due stretch, one piece per priced tier
(:func:`billing.domain.usage.price_lines`), grouped like any piece by
``(item, stretch start, stretch end)`` with ``item`` = ``usage:<metric>:<tier>``: a piece is
always its group's whole (a usage charge is never prorated), its quantity the tier's units, its
unit amount the tier's price. :func:`billing.domain.difference.post_difference` then makes the
ledger equal it like any other target: a late event that changes a billed stretch's quantity
credits the charge as billed (pointing at it) and charges the stretch anew.

**Included quantities and tiers are not prorated** (docs/usage.md): a shortened first or last
period, a paused one, or a contract year cut short by the end date keeps its whole allowance and
its tier bounds. Only served days count: events on paused days, before the start or from the
end date on are not billed (the API refuses them; this also holds for a pause or an end
recorded after the events).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import date

from billing.domain.calendar import PeriodGrid
from billing.domain.difference import post_difference
from billing.domain.entries import Entry, EntryKind, GroupKey, Piece, is_usage_item
from billing.domain.events import Event, PlanChanged, Started
from billing.domain.timeline import Schedule
from billing.domain.usage import Metric, Reset, Sample, aggregate, parse_item, price_lines

Target = dict[GroupKey, list[Piece]]


def contract_years(schedule: Schedule) -> PeriodGrid:
    """The contract years: 12 months from the start, on the start's day of the month."""
    return PeriodGrid.anchored_at(schedule.start, interval_months=12)


def stretches(
    schedule: Schedule, *, by_contract_year: bool, until: date
) -> Iterator[tuple[date, date]]:
    """The served parts ``[a, b)`` of the billing periods (cut at contract years with
    ``by_contract_year``), in order, the first days up to ``until``."""
    start, end = schedule.start, schedule.end
    if end is not None and end <= start:
        return
    years = contract_years(schedule) if by_contract_year else None
    regimes = schedule.regimes
    for ri, regime in enumerate(regimes):
        nxt = regimes[ri + 1].start if ri + 1 < len(regimes) else None
        lo = max(start, regime.start)
        hi = nxt if end is None else (end if nxt is None else min(end, nxt))
        if hi is not None and lo >= hi:
            continue
        for s, e in regime.grid.bounds_from(lo):
            a = max(s, lo)
            if a > until or (hi is not None and a >= hi):
                break
            b = e if hi is None or e < hi else hi
            if years is None:
                yield a, b
                continue
            while a < b:
                year_end = years.period_containing(a).end
                cut = min(b, year_end)
                yield a, cut
                a = cut


def served_samples(schedule: Schedule, samples: Sequence[Sample]) -> list[Sample]:
    """The samples of served days (not before the start, not from the end, not paused),
    in day order."""
    start, end, pauses = schedule.start, schedule.end, schedule.pauses
    out = [
        s
        for s in samples
        if s.day >= start
        and (end is None or s.day < end)
        and not (pauses and schedule.is_paused_on(s.day))
    ]
    out.sort(key=lambda s: s.day)
    return out


#: The metrics in force from each date on, in date order: a plan's, then another plan's from
#: the day the subscription moved to it (:func:`plan_metrics`).
MetricHistory = Sequence[tuple[date, Mapping[str, Metric]]]


def plan_metrics(
    events: Sequence[Event], of_plan: Mapping[str, Mapping[str, Metric]], current: str | None
) -> list[tuple[date, Mapping[str, Metric]]]:
    """The :data:`MetricHistory` of a timeline: its plan's metrics from the start, another
    plan's from each change of plan on (from the day it is billed from), each plan's from
    ``of_plan`` (``current``: the plan of a start that names none)."""
    history: list[tuple[date, int, str | None]] = []
    for ev in events:
        p = ev.payload
        if isinstance(p, Started):
            history.append((ev.effective_date, ev.seq, p.plan_id or current))
        elif isinstance(p, PlanChanged):
            history.append((p.billing_from or ev.effective_date, ev.seq, p.plan_id))
    history.sort(key=lambda h: (h[0], h[1]))
    return [(day, of_plan.get(plan or "", {})) for day, _, plan in history]


def plans_of(events: Sequence[Event], current: str | None) -> set[str]:
    """Every plan a timeline has been on (``current``: the plan of a start that names none)."""
    out = {current} if current is not None else set()
    for ev in events:
        p = ev.payload
        if isinstance(p, Started | PlanChanged) and p.plan_id is not None:
            out.add(p.plan_id)
    return out


def usage_target(
    schedule: Schedule,
    metrics: Mapping[str, Metric] | MetricHistory,
    samples: Mapping[str, Sequence[Sample]],
    *,
    as_of: date,
    posted: Collection[GroupKey] = (),
    changed_from: date | None = None,
) -> Target:
    """The usage pieces of every due stretch of every metric, and every posted usage group of
    a metric in ``metrics`` (an empty list where nothing is to be billed any more: the
    difference credits it). ``metrics``: one plan's, or a :data:`MetricHistory` (a stretch is
    priced by the metrics in force on its first day). Posted groups of a metric no plan of the
    history bills are left as they are (not in the target).

    With ``changed_from``, only the stretches ending after it (and the posted groups ending
    after it): ``samples`` then need to hold only the events from :func:`read_from` on."""
    history = [(date.min, metrics)] if isinstance(metrics, Mapping) else list(metrics)
    posted_stretches: dict[str, set[tuple[date, date]]] = {}
    horizon = as_of
    for item, a, b in posted:
        parsed = parse_item(item)
        if parsed is not None:
            posted_stretches.setdefault(parsed[0], set()).add((a, b))
            horizon = max(horizon, a)
    out: Target = {}
    codes = {code for _, ms in history for code in ms}
    for code in codes:
        served = served_samples(schedule, samples.get(code, ()))
        billed = posted_stretches.get(code, set())
        for k, (since, ms) in enumerate(history):
            metric = ms.get(code)
            until = history[k + 1][0] if k + 1 < len(history) else None
            if metric is not None:
                window = (since, until, horizon)
                _metric_pieces(schedule, metric, served, billed, window, as_of=as_of, out=out,
                               changed_from=changed_from)  # fmt: skip
    for key in posted:
        parsed = parse_item(key[0])
        if (
            parsed is not None
            and parsed[0] in codes
            and (changed_from is None or key[2] > changed_from)
        ):
            out.setdefault(key, [])
    return out


def _metric_pieces(
    schedule: Schedule,
    metric: Metric,
    served: list[Sample],
    billed: set[tuple[date, date]],
    window: tuple[date, date | None, date],
    *,
    as_of: date,
    out: Target,
    changed_from: date | None = None,
) -> None:
    """Add to ``out`` the pieces of ``metric`` for the due (or billed) stretches that begin in
    ``[since, until)``, walking up to ``horizon`` (``window``), and end after
    ``changed_from``."""
    since, until, horizon = window
    days = [s.day for s in served]
    years = contract_years(schedule) if metric.reset is Reset.CONTRACT_YEAR else None
    for a, b in stretches(schedule, by_contract_year=years is not None, until=horizon):
        if a < since or (until is not None and a >= until):
            continue
        if b > as_of and (a, b) not in billed:
            continue
        if changed_from is not None and b <= changed_from:
            continue
        i, j = bisect_left(days, a), bisect_left(days, b)
        before = 0
        if years is not None:
            y0 = bisect_left(days, years.period_containing(a).start)
            before = aggregate(metric, served[y0:i])
            quantity = aggregate(metric, served[y0:j])
        else:
            quantity = aggregate(metric, served[i:j])
        for line in price_lines(metric, quantity, before=before):
            if line.amount:
                item = metric.item(line.tier)
                out[(item, a, b)] = [
                    Piece(item, a, b, a, b, line.unit_amount, line.quantity, line.amount,
                          None, EntryKind.USAGE)
                ]  # fmt: skip


def usage_difference(
    schedule: Schedule,
    metrics: Mapping[str, Metric] | MetricHistory,
    samples: Mapping[str, Sequence[Sample]],
    posted: Sequence[Entry],
    *,
    as_of: date,
    changed_from: date | None = None,
) -> list[Entry]:
    """The new usage entries that bring the posted usage entries (others in ``posted`` are
    ignored) in line with :func:`usage_target` at ``as_of``. With ``changed_from`` (see
    :func:`read_from`), only the stretches ending after it are derived: exactly the full
    derivation's answer when every stretch ending on or before it is settled."""
    mine = [
        e
        for e in posted
        if is_usage_item(e.item) and (changed_from is None or e.period_end > changed_from)
    ]
    target = usage_target(schedule, metrics, samples, as_of=as_of, posted={e.key for e in mine},
                          changed_from=changed_from)  # fmt: skip
    return post_difference(target, mine)


def changed_from(
    schedule: Schedule, settled_as_of: date | None, dirty_from: date | None
) -> date | None:
    """The day from which a subscription's usage charges can differ from what is posted, when
    its last bill run posted its usage difference at ``settled_as_of`` (against the same
    timeline) and the earliest event stored since occurred on ``dirty_from``: a stretch ending
    on or before it was due then and no event of what it counts is new. None: from the start
    (no such run, or a day before the start)."""
    if settled_as_of is None:
        return None
    day = settled_as_of if dirty_from is None else min(settled_as_of, dirty_from)
    return day if day > schedule.start else None


def read_from(schedule: Schedule, history: MetricHistory, day: date) -> date:
    """The first day whose events a stretch ending after ``day`` can count: for any metric of
    ``history``, the start of the billing period holding ``day`` (a stretch ending after it
    holds it or follows it), or for a contract-year metric of the contract year holding it (a
    stretch counts its year's earlier events too)."""
    out = schedule.regime_on(day).grid.period_containing(day).start
    if any(m.reset is Reset.CONTRACT_YEAR for _, ms in history for m in ms.values()):
        out = min(out, contract_years(schedule).period_containing(day).start)
    return out


def used_in(metric: Metric, samples: Sequence[Sample], *, start: date, end: date) -> int:
    """The metric's aggregate over the samples of days ``[start, end)``."""
    return aggregate(metric, [s for s in samples if start <= s.day < end])
