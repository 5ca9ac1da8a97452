"""The monthly terminations report: every termination effective in a month, to reconcile
against what was billed (from the alarm business's routine)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from billing.customers import repository as customers
from billing.domain.errors import InvalidInput
from billing.domain.events import CancellationScheduled, CancellationVerified, Event
from billing.domain.timeline import Schedule
from billing.invoicing import repository as ledger
from billing.storage.models import Subscription
from billing.subscriptions import repository as subscriptions
from billing.terminations import repository


def month_bounds(month: str) -> tuple[date, date]:
    try:
        year, mon = (int(x) for x in month.split("-"))
        first = date(year, mon, 1)
    except (ValueError, TypeError) as exc:
        raise InvalidInput("month is YYYY-MM") from exc
    if len(month) != 7 or not 1900 <= year <= 2199:
        raise InvalidInput("month is YYYY-MM between 1900 and 2199")
    nxt = date(year + (mon == 12), mon % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def terminations_report(session: Session, month: str) -> list[dict[str, Any]]:
    """Every termination effective in the month, with its reasons, who recorded and verified
    it, and what was billed and credited in the end."""
    first, last = month_bounds(month)
    rows = []
    for sub in repository.ended_in(session, first=first, last=last):
        events = [subscriptions.to_domain(e) for e in subscriptions.events(session, sub.id)]
        schedule = Schedule(events)
        if schedule.end is None or not first <= schedule.end <= last:
            continue
        rows.append(_row(session, sub, events, schedule, schedule.end))
    return rows


def _row(
    session: Session, sub: Subscription, events: list[Event], schedule: Schedule, end: date
) -> dict[str, Any]:
    setting = [
        e
        for e in events
        if isinstance(e.payload, CancellationScheduled) and e.id not in schedule.revoked_by
    ]
    last_cancel = setting[-1] if setting else None
    verified = next(
        (
            e
            for e in events
            if isinstance(e.payload, CancellationVerified)
            and last_cancel is not None
            and e.payload.verifies == last_cancel.id
        ),
        None,
    )
    cancel = last_cancel.payload if last_cancel else None
    assert cancel is None or isinstance(cancel, CancellationScheduled)
    entries = ledger.posted_entries(session, sub.id)
    customer = customers.get(session, sub.customer_id)
    return {
        "subscription_id": sub.id,
        "customer_id": sub.customer_id,
        "customer_name": customer.name,
        "end_date": end.isoformat(),
        "last_served_day": (end - timedelta(days=1)).isoformat(),
        "requested_on": cancel.requested_on.isoformat() if cancel and cancel.requested_on else None,
        "mode": cancel.mode.value if cancel and cancel.mode else None,
        "reason": last_cancel.reason if last_cancel else None,
        "competitor_offer": cancel.competitor_offer if cancel else None,
        "competitor_details": cancel.competitor_details if cancel else None,
        "approved_by": cancel.approved_by if cancel else None,
        "recorded_by": last_cancel.recorded_by if last_cancel else None,
        "recorded_at": last_cancel.recorded_at.isoformat() if last_cancel else None,
        "verified_by": verified.recorded_by if verified else None,
        "currency": sub.currency,
        "billed": sum(e.amount for e in entries if e.amount > 0),
        "credited": -sum(e.amount for e in entries if e.amount < 0),
        "net": sum(e.amount for e in entries),
    }
