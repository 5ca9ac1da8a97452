"""What a customer has used: per metric, per billing period and per day (``GET
/v1/subscriptions/{id}/usage``), and this contract year's use for the cancellation brief.

A period of the report is a billing stretch (:func:`billing.domain.usage_target.stretches`):
its ``used`` is the metric's aggregate over it; ``billable`` and ``amount`` are what it is
charged in arrears once it has ended (for a contract-year metric, what it adds to the year:
the included units go to the year's first events). Days are the customer's calendar days.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from billing.domain.calendar import add_months
from billing.domain.errors import InvalidInput
from billing.domain.timeline import Schedule
from billing.domain.usage import Metric, Reset, Sample, aggregate, metrics_of, price_lines
from billing.domain.usage_target import contract_years, served_samples, stretches
from billing.subscriptions.state import Loaded
from billing.usage import repository

#: A report covers at most this many months.
MAX_REPORT_MONTHS = 37


def usage_report(
    session: Session,
    loaded: Loaded,
    *,
    start: date | None,
    end: date | None,
    metric: str | None,
) -> dict[str, Any]:
    """The usage of days ``[start, end)``: per metric, its periods and its days. By default
    from the start of the current contract year up to today, inclusive."""
    schedule, today = loaded.schedule, loaded.today
    subscription_id, stored_metrics = loaded.subscription.id, loaded.plan.usage_metrics
    if start is None:
        start = contract_years(schedule).period_containing(max(today, schedule.start)).start
    if end is None:
        end = max(today, start) + timedelta(days=1)
    if end <= start:
        raise InvalidInput(f"to ({end}) must be after from ({start})", code="usage_range_empty")
    if end > add_months(start, MAX_REPORT_MONTHS):
        raise InvalidInput(
            f"a report covers at most {MAX_REPORT_MONTHS} months", code="usage_range_too_long"
        )
    metrics = metrics_of(stored_metrics)
    if metric is not None:
        if metric not in metrics:
            raise InvalidInput(f"the plan bills no metric {metric!r}", code="unknown_metric")
        metrics = {metric: metrics[metric]}
    # From the contract year containing ``start``: a period's charge depends on the year so far.
    # (and the billing period containing it, which may begin in the year before).
    ref = max(start, schedule.start)
    first = min(
        contract_years(schedule).period_containing(ref).start,
        schedule.regime_on(ref).grid.period_containing(ref).start,
    )
    props = {code: m.property_key for code, m in metrics.items()}
    used = repository.samples_of(session, [subscription_id], properties=props, start=first,
                                 end=end).get(subscription_id, {})  # fmt: skip
    out = []
    for code, m in metrics.items():
        served = served_samples(schedule, used.get(code, []))
        out.append(
            {
                "metric": code,
                "name": m.name,
                "aggregation": m.aggregation.value,
                "reset": m.reset.value,
                "included": m.included,
                "total": aggregate(m, [s for s in served if start <= s.day < end]),
                "periods": _periods(schedule, m, served, start=start, end=end),
                "days": _days(m, served, start=start, end=end),
            }
        )
    return {"subscription_id": subscription_id, "from": start.isoformat(),
            "to": end.isoformat(), "metrics": out}  # fmt: skip


def _periods(
    schedule: Schedule, m: Metric, served: list[Sample], *, start: date, end: date
) -> list[dict[str, Any]]:
    years = contract_years(schedule) if m.reset is Reset.CONTRACT_YEAR else None
    days = [s.day for s in served]
    out = []
    for a, b in stretches(schedule, by_contract_year=years is not None, until=end):
        if b <= start or a >= end:
            continue
        i, j = bisect_left(days, a), bisect_left(days, b)
        before = 0
        if years is not None:
            y0 = bisect_left(days, years.period_containing(a).start)
            before, through = aggregate(m, served[y0:i]), aggregate(m, served[y0:j])
            quantity = through - before
        else:
            through = quantity = aggregate(m, served[i:j])
        lines = price_lines(m, through, before=before)
        out.append(
            {
                "start": a.isoformat(),
                "end": b.isoformat(),
                "used": quantity,
                "billable": sum(line.quantity for line in lines),
                "amount": sum(line.amount for line in lines),
            }
        )
    return out


def _days(m: Metric, served: list[Sample], *, start: date, end: date) -> list[dict[str, Any]]:
    by_day: dict[date, list[Sample]] = {}
    for s in served:
        if start <= s.day < end:
            by_day.setdefault(s.day, []).append(s)
    return [{"date": d.isoformat(), "used": aggregate(m, xs)} for d, xs in sorted(by_day.items())]


def contract_year_use(session: Session, loaded: Loaded) -> list[dict[str, Any]]:
    """Per metric, what was used this contract year (of what it includes), and the last day
    anything was used: what staff ask before calling a customer who wants to leave."""
    schedule, today = loaded.schedule, loaded.today
    subscription_id, stored_metrics = loaded.subscription.id, loaded.plan.usage_metrics
    metrics = metrics_of(stored_metrics)
    if not metrics:
        return []
    ref = max(today, schedule.start)
    if schedule.end is not None and ref >= schedule.end:
        ref = max(schedule.start, schedule.end - timedelta(days=1))
    year = contract_years(schedule).period_containing(ref)
    props = {code: m.property_key for code, m in metrics.items()}
    used = repository.samples_of(session, [subscription_id], properties=props, start=year.start,
                                 end=year.end).get(subscription_id, {})  # fmt: skip
    last = repository.last_activity(session, subscription_id)
    out = []
    for code, m in metrics.items():
        served = served_samples(schedule, used.get(code, []))
        quantity = aggregate(m, served)
        out.append(
            {
                "metric": code,
                "name": m.name,
                "contract_year": {"start": year.start.isoformat(), "end": year.end.isoformat()},
                "used_this_contract_year": quantity,
                "included_this_contract_year": (
                    m.included if m.reset is Reset.CONTRACT_YEAR else None
                ),
                "included_per_period": m.included if m.reset is Reset.BILLING_PERIOD else None,
                "ever_used": code in last,
                "last_activity": last[code].isoformat() if code in last else None,
            }
        )
    return out
