"""The scheduler's onboarding pass: each flow's due steps, taken in order, idempotently.

A step is due at 08:00 local time (the customer's time zone) on its day: the welcome the day
after the start, the call tasks on days 3 and 7 (``task.opened``), then ``needs_follow_up`` and
``inactive``. The automation holds while the subscription has an end date (a customer who has
given notice gets no onboarding nudges); it catches up, in order, if the cancellation is undone.

Locks: the flow's row first (it plays the subscription row's part), then the feed, then tasks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from billing.clock import Clock, utcnow
from billing.domain import onboarding as rules
from billing.domain.calendar import local_datetime
from billing.domain.onboarding import Step, StepKind
from billing.onboarding import repository
from billing.onboarding.history import (
    emit_for_flow,
    progress_of,
    record,
    set_progress,
    welcome_on_day,
)
from billing.storage.db import unit_of_work
from billing.storage.models import Onboarding
from billing.tasks.service import open_task

SCHEDULER = "scheduler"


CALL_TITLES = {
    3: "Onboarding: call the customer to book a start meeting (day 3)",
    7: "Onboarding: call the customer again to book a start meeting (day 7)",
}


def step_time_reached(session: Session, clock: Clock, timezone: str) -> Callable[[date], bool]:
    """Has 08:00 local time on a day passed? With the test clock: is the day on or before
    the clock's date (the test clock has no time of day)."""
    fixed = clock.test_date(session)
    if fixed is not None:
        return lambda day: day <= fixed
    now = utcnow()
    return lambda day: now >= local_datetime(day, rules.STEP_HOUR, timezone)


def _take(session: Session, flow: Onboarding, step: Step) -> None:
    set_progress(flow, step.after)
    data: dict[str, Any] = {"day": step.day}
    if step.kind is StepKind.CALL_TASK:
        _open_call_task(session, flow, step, data)
        return
    welcome = step.kind is StepKind.WELCOME
    record(
        session,
        flow,
        type_="welcomed" if welcome else f"day_{step.day}",
        before=step.before.stage,
        effective_date=step.due,
        by=SCHEDULER,
        data=data,
    )
    if welcome:
        emit_for_flow(session, flow, "onboarding.welcome", {"on": step.due.isoformat()})


def _open_call_task(session: Session, flow: Onboarding, step: Step, data: dict[str, Any]) -> None:
    """A call-task step: the task with ``task.opened``, and its history row (the task's
    source). A call-task step changes no stage, so its row adds nothing to the feed."""
    task = open_task(
        session,
        subscription_id=flow.subscription_id,
        customer_id=flow.customer_id,
        kind=repository.CALL_TASK_KIND,
        title=CALL_TITLES[step.day],
        due_date=step.due,
        announce={"onboarding_day": step.day},
    )
    row = record(
        session,
        flow,
        type_="call_task_opened",
        before=step.before.stage,
        effective_date=step.due,
        by=SCHEDULER,
        data={**data, "task_id": task.id},
    )
    task.source_event_id = row.id


def tick(session: Session, clock: Clock, subscription_id: str) -> list[Step]:
    """Take every step of one flow that is due by now, in order; returns them."""
    flow = repository.get(session, subscription_id, lock=True)
    sub, customer = repository.subscription_and_customer(session, subscription_id)
    if sub.end_date is not None:
        return []
    steps = rules.due_steps(
        progress_of(flow),
        welcome_on=welcome_on_day(flow, sub),
        reached=step_time_reached(session, clock, customer.timezone),
    )
    if steps:
        for step in steps:
            _take(session, flow, step)
        session.flush()
    return steps


def run_onboarding(factory: sessionmaker[Session], clock: Clock) -> dict[str, Any]:
    """The scheduler's onboarding pass: one transaction per flow; idempotent."""
    checked = 0
    moved: list[str] = []
    steps = 0
    after: str | None = None
    while True:
        with unit_of_work(factory) as session:
            ids = repository.automated_page(
                session, stages=[s.value for s in rules.AUTOMATED], after=after, limit=500
            )
        if not ids:
            break
        for sid in ids:
            with unit_of_work(factory) as session:
                taken = tick(session, clock, sid)
            checked += 1
            if taken:
                moved.append(sid)
                steps += len(taken)
        after = ids[-1]
    return {"checked": checked, "steps": steps, "subscriptions": moved}
