"""The contract's bound on usage (api-contract, "Bounds"): a usage line, like any period's
amount of one item, is at most 10^13 minor units, and usage that would pass it is refused when
it is reported (``amount_too_large``), so that no bill run can meet it.

The check is an upper bound, one query per request: for each subscription and metric the
request reports, the units of every stored event from the earliest billing period (or contract
year, by the metric's reset) the new events fall in, plus the new events' (a count or a unique
count: events; a sum: quantities; a max: the largest), times the metric's highest unit price.
Real lines are never above it; a request is refused only when the bound passes the limit, which
no honest use comes near (10^13 öre is 10^11 kronor).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing.domain.bounds import MAX_PERIOD_AMOUNT
from billing.domain.timeline import Schedule
from billing.domain.usage import Aggregation, Metric, Reset
from billing.domain.usage_target import contract_years
from billing.storage.models import UsageEvent

#: Positions in a row to store (usage.repository.COLUMNS).
_SUB, _METRIC, _QUANTITY, _DAY = 1, 3, 4, 6


def too_large(
    session: Session,
    rows: Sequence[tuple[Any, ...]],
    *,
    schedules: Mapping[str, Schedule],
    metrics: Mapping[str, Mapping[str, Metric]],
) -> set[tuple[str, str]]:
    """The (subscription, metric) pairs of ``rows`` whose usage could pass the bound."""
    new: dict[tuple[str, str], tuple[int, int, int]] = {}  # count, sum, max
    earliest: dict[tuple[str, str], date] = {}
    priced = {id(m): m.max_unit_amount > 0 for ms in metrics.values() for m in ms.values()}
    for r in rows:
        key = (r[_SUB], r[_METRIC])
        if not priced[id(metrics[key[0]][key[1]])]:
            continue  # nothing to charge: no amount to bound
        n, s, m = new.get(key, (0, 0, 0))
        q = r[_QUANTITY]
        new[key] = (n + 1, s + q, m if m >= q else q)
        day = r[_DAY]
        if key not in earliest or day < earliest[key]:
            earliest[key] = day
    # Period and contract-year starts only grow with the day: the earliest day's is the least.
    since_of = {
        key: _first_day(schedules[key[0]], metrics[key[0]][key[1]], day)
        for key, day in earliest.items()
    }
    if not new:
        return set()
    stored = _stored(session, sorted({k[0] for k in new}), since_of)
    out = set()
    for key, (n, s, m) in new.items():
        sn, ss, sm = stored.get(key, (0, 0, 0))
        metric = metrics[key[0]][key[1]]
        units = {
            Aggregation.SUM: s + ss,
            Aggregation.MAX: max(m, sm),
        }.get(metric.aggregation, n + sn)
        if units * metric.max_unit_amount > MAX_PERIOD_AMOUNT:
            out.add(key)
    return out


def _first_day(schedule: Schedule, metric: Metric, day: date) -> date:
    """The earliest day whose events a line with ``day`` in it can count: the start of its
    billing period, or of its contract year."""
    if metric.reset is Reset.CONTRACT_YEAR:
        return contract_years(schedule).period_containing(day).start
    return schedule.regime_on(day).grid.period_containing(day).start


def _stored(
    session: Session, subscription_ids: list[str], since_of: Mapping[tuple[str, str], date]
) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(count, sum, max) of the stored events of each pair from its own first day on: read per
    day from the earliest of them, summed here."""
    q = (
        select(
            UsageEvent.subscription_id,
            UsageEvent.metric,
            UsageEvent.occurred_on,
            func.count(),
            func.coalesce(func.sum(UsageEvent.quantity), 0),
            func.coalesce(func.max(UsageEvent.quantity), 0),
        )
        .where(
            UsageEvent.subscription_id.in_(subscription_ids),
            UsageEvent.occurred_on >= min(since_of.values()),
        )
        .group_by(UsageEvent.subscription_id, UsageEvent.metric, UsageEvent.occurred_on)
    )
    out: dict[tuple[str, str], tuple[int, int, int]] = {}
    for sid, code, day, n, s, m in session.execute(q):
        since = since_of.get((sid, code))
        if since is None or day < since:
            continue
        on, os_, om = out.get((sid, code), (0, 0, 0))
        out[(sid, code)] = (on + int(n), os_ + int(s), max(om, int(m)))
    return out
