"""The termination routine (from the alarm business).

* Between the notice and the end date a subscription is ``in_termination``; on the end date the
  scheduler marks it ``terminated`` (a ``terminated`` event on its timeline), and a customer
  whose last active subscription has ended becomes ``passive``.
* Four eyes: where the plan asks for it, a cancellation recorded by one staff member is
  ``pending_verification`` (not billed, not final) until a different staff member verifies it.
* A final termination opens the plan's follow-up tasks, due relative to the end date; moving the
  end date re-dates them and undoing the cancellation cancels them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from billing.auth.service import Actor, Role
from billing.clock import Clock, utcnow
from billing.customers import repository as customers
from billing.domain.errors import InvalidTimeline
from billing.domain.timeline import EventType, Schedule, Status
from billing.errors import Conflict
from billing.events.service import emit, lock_feed
from billing.onboarding.service import run_onboarding
from billing.storage.db import unit_of_work
from billing.storage.models import Task
from billing.subscriptions import repository as subscriptions
from billing.subscriptions.service import ChangeResult, _record, load, load_for_change
from billing.terminations import repository

SCHEDULER = "scheduler"


def verify_cancellation(
    session: Session,
    actor: Actor,
    clock: Clock,
    subscription_id: str,
    *,
    expected_version: int | None = None,
) -> ChangeResult:
    actor.require(Role.STAFF)
    loaded = load_for_change(session, actor, clock, subscription_id, expected_version)
    schedule = loaded.schedule
    pending = schedule.pending_event_id
    if pending is None:
        raise InvalidTimeline("no cancellation awaits verification", code="nothing_to_verify")
    recorded = next(
        e for e in subscriptions.events(session, loaded.subscription.id) if e.id == pending
    )
    if recorded.recorded_by == actor.name:
        raise Conflict(
            "four eyes: a different staff member must verify this termination", code="four_eyes"
        )
    result = _record(
        session,
        loaded,
        actor,
        type_=EventType.CANCELLATION_VERIFIED,
        effective_date=loaded.today,
        data={"verifies": pending},
        reason=None,
    )
    return result


def complete_task(session: Session, actor: Actor, task_id: str) -> Task:
    actor.require(Role.STAFF)
    lock_feed(session)
    task = repository.get_task(session, task_id, lock=True)
    if task.status != "open":
        raise Conflict(f"the task is {task.status}", code="task_closed")
    task.status = "done"
    task.completed_at = utcnow()
    task.completed_by = actor.name
    emit(
        session,
        "task.completed",
        customer_id=task.customer_id,
        subscription_id=task.subscription_id,
        subject_id=task.id,
        data={"kind": task.kind, "completed_by": actor.name},
    )
    session.flush()
    return task


@dataclass
class SchedulerResult:
    checked: int = 0
    terminated: list[str] | None = None
    passive_customers: list[str] | None = None


def tick_subscription(session: Session, clock: Clock, subscription_id: str) -> tuple[bool, str]:
    """Bring one subscription's stored status up to today; record its termination once."""
    actor = Actor(SCHEDULER, Role.STAFF)
    loaded = load(session, actor, clock, subscription_id, lock=True)
    sub, schedule, today = loaded.subscription, loaded.schedule, loaded.today
    status = schedule.status_on(today)
    terminated_now = False
    if status is Status.TERMINATED:
        events = subscriptions.events(session, sub.id)
        already = any(
            e.type == EventType.TERMINATED.value and e.effective_date == schedule.end
            for e in events
        )
        if not already:
            assert schedule.end is not None
            version = sub.version
            _record(
                session,
                loaded,
                actor,
                type_=EventType.TERMINATED,
                effective_date=schedule.end,
                data={"by": SCHEDULER},
                reason=None,
            )
            sub.version = version  # the scheduler's note is not a change staff must re-read
            terminated_now = True
    if sub.status != status.value:
        emit(
            session,
            "subscription.status_changed",
            customer_id=sub.customer_id,
            subscription_id=sub.id,
            subject_id=sub.id,
            data={"from": sub.status, "to": status.value, "on": today.isoformat()},
        )
    sub.status = status.value
    session.flush()
    return terminated_now, sub.customer_id


def refresh_customer_status(session: Session, clock: Clock, customer_id: str) -> bool:
    """A customer is passive once every one of its subscriptions has ended; True if it
    became passive now."""
    lock_feed(session)
    customer = customers.get(session, customer_id)
    today = clock.today(session, customer.timezone)
    subs = repository.customer_subscriptions(session, customer_id)
    passive = bool(subs) and all(s.end_date is not None and s.end_date <= today for s in subs)
    new_status = "passive" if passive else "active"
    changed = customer.status != new_status
    if changed:
        emit(
            session,
            "customer.status_changed",
            customer_id=customer.id,
            subject_id=customer.id,
            data={"from": customer.status, "to": new_status, "on": today.isoformat()},
        )
    customer.status = new_status
    session.flush()
    return changed and passive


def run_scheduler(factory: sessionmaker[Session], clock: Clock) -> dict[str, Any]:
    """One idempotent pass: statuses, terminations, passive customers. Safe to run any time."""
    terminated: list[str] = []
    passive: list[str] = []
    touched: set[str] = set()
    checked = 0
    after: str | None = None
    while True:
        with unit_of_work(factory) as session:
            ids = repository.due_for_scheduler(session, after=after, limit=500)
        if not ids:
            break
        for sid in ids:
            with unit_of_work(factory) as session:
                now_terminated, customer_id = tick_subscription(session, clock, sid)
            checked += 1
            touched.add(customer_id)
            if now_terminated:
                terminated.append(sid)
        after = ids[-1]
    # Customers whose subscriptions ended (or were passive) too: the test clock may have moved
    # back and forth since their subscriptions' statuses were stored.
    with unit_of_work(factory) as session:
        touched.update(repository.customers_to_recheck(session))
    for customer_id in sorted(touched):
        with unit_of_work(factory) as session:
            if refresh_customer_status(session, clock, customer_id):
                passive.append(customer_id)
    return {
        "checked": checked,
        "terminated": terminated,
        "passive_customers": passive,
        "onboarding": run_onboarding(factory, clock),
    }


def month_bounds(month: str) -> tuple[date, date]:
    from billing.domain.errors import InvalidInput

    try:
        year, mon = (int(x) for x in month.split("-"))
        first = date(year, mon, 1)
    except (ValueError, TypeError) as exc:
        raise InvalidInput("month is YYYY-MM") from exc
    if len(month) != 7 or not 1900 <= year <= 2199:
        raise InvalidInput("month is YYYY-MM between 1900 and 2199")
    nxt = date(year + (mon == 12), mon % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def terminations_report(session: Session, actor: Actor, month: str) -> list[dict[str, Any]]:
    """Every termination effective in the month, with its reasons, who recorded and verified
    it, and what was billed and credited in the end (to reconcile against billing)."""
    from billing.invoicing import repository as ledger

    actor.require(Role.STAFF)
    first, last = month_bounds(month)
    rows = []
    for sub in repository.ended_in(session, first=first, last=last):
        events = subscriptions.events(session, sub.id)
        schedule = Schedule([subscriptions.to_domain(e) for e in events])
        if schedule.end is None or not first <= schedule.end <= last:
            continue
        setting = [
            e
            for e in events
            if e.type in ("cancellation_scheduled", "cancellation_moved")
            and e.id not in schedule.revoked_by
        ]
        last_cancel = setting[-1] if setting else None
        verified = next(
            (
                e
                for e in events
                if e.type == "cancellation_verified"
                and last_cancel is not None
                and e.data.get("verifies") == last_cancel.id
            ),
            None,
        )
        entries = ledger.posted_entries(session, sub.id)
        data = last_cancel.data if last_cancel else {}
        customer = customers.get(session, sub.customer_id)
        rows.append(
            {
                "subscription_id": sub.id,
                "customer_id": sub.customer_id,
                "customer_name": customer.name,
                "end_date": schedule.end.isoformat(),
                "last_served_day": (schedule.end - timedelta(days=1)).isoformat(),
                "requested_on": data.get("requested_on"),
                "mode": data.get("mode"),
                "reason": last_cancel.reason if last_cancel else None,
                "competitor_offer": data.get("competitor_offer"),
                "competitor_details": data.get("competitor_details"),
                "approved_by": data.get("approved_by"),
                "recorded_by": last_cancel.recorded_by if last_cancel else None,
                "recorded_at": last_cancel.recorded_at.isoformat() if last_cancel else None,
                "verified_by": verified.recorded_by if verified else None,
                "currency": sub.currency,
                "billed": sum(e.amount for e in entries if e.amount > 0),
                "credited": -sum(e.amount for e in entries if e.amount < 0),
                "net": sum(e.amount for e in entries),
            }
        )
    return rows
