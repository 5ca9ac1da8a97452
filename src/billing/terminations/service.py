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

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from billing.auth.service import Actor, Role
from billing.clock import Clock
from billing.customers import repository as customers
from billing.domain.events import CancellationVerified, EventType, Terminated
from billing.domain.timeline import Status
from billing.errors import Conflict
from billing.events.service import emit, emit_for
from billing.onboarding.service import run_onboarding
from billing.reminders.service import run_reminders
from billing.storage.db import unit_of_work
from billing.storage.models import Customer
from billing.subscriptions.recording import Change, ChangeResult, command, record
from billing.subscriptions.state import Loaded, load
from billing.terminations import repository

SCHEDULER = "scheduler"


@command
def verify_cancellation(session: Session, actor: Actor, loaded: Loaded, body: None) -> ChangeResult:
    """Four eyes: another staff member than the one who recorded it verifies the pending
    cancellation (``body``: nothing to say)."""
    pending = loaded.schedule.pending_event_id
    recorded = next((e for e in loaded.events if e.id == pending), None)
    if recorded is not None and recorded.recorded_by == actor.name:
        raise Conflict(
            "four eyes: a different staff member must verify this termination", code="four_eyes"
        )
    # No pending cancellation: the recording path refuses it (nothing_to_verify).
    change = Change(loaded.today, CancellationVerified(verifies=pending or ""))
    return record(session, loaded, actor, [change], reason=None)


def tick_subscription(session: Session, clock: Clock, subscription_id: str) -> tuple[bool, str]:
    """Bring one subscription's stored status up to today; record its termination once."""
    actor = Actor(SCHEDULER, Role.STAFF)
    loaded = load(session, actor, clock, subscription_id, lock=True)
    sub, schedule, today = loaded.subscription, loaded.schedule, loaded.today
    status = schedule.status_on(today)
    terminated_now = False
    if status is Status.TERMINATED:
        assert schedule.end is not None
        already = any(
            e.type is EventType.TERMINATED and e.effective_date == schedule.end
            for e in loaded.events
        )
        if not already:
            note = Change(schedule.end, Terminated(by=SCHEDULER))
            # The scheduler's note is not a change staff must re-read: no new version.
            record(session, loaded, actor, [note], reason=None, counts_as_version=False)
            terminated_now = True
    if sub.status != status.value:
        moved = {"from": sub.status, "to": status.value, "on": today.isoformat()}
        emit_for(session, "subscription.status_changed", sub, moved)
    sub.status = status.value
    session.flush()
    return terminated_now, sub.customer_id


def refresh_customer_status(session: Session, clock: Clock, customer_id: str) -> bool:
    """A customer is passive once every one of its subscriptions has ended; True if it
    became passive now. The status moves in one conditional statement (which takes the
    customer's row lock), so of two transactions refreshing one customer at once only one
    sees it change and announces it."""
    customer = customers.get(session, customer_id)
    today = clock.today(session, customer.timezone)
    subs = repository.customer_subscriptions(session, customer_id)
    passive = bool(subs) and all(s.end_date is not None and s.end_date <= today for s in subs)
    new_status = "passive" if passive else "active"
    moved = session.execute(
        update(Customer)
        .where(Customer.id == customer.id, Customer.status != new_status)
        .values(status=new_status)
        .execution_options(synchronize_session=False)
    )
    changed = moved.rowcount == 1  # type: ignore[attr-defined]
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
        "reminders": run_reminders(factory, clock),
    }
