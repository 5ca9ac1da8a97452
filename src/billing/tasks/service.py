"""Follow-up tasks: opened by the termination routine (kept in step with the timeline's end
date) and by onboarding (its call tasks), cancelled when they become moot, completed by staff.

This is the one place a task is opened, cancelled or completed, and each of those is announced
in the feed here: ``task.opened`` (kind, title, due date, and what the opener adds),
``task.cancelled`` (kind, due date) and ``task.completed`` (kind, by whom).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import utcnow
from billing.domain.timeline import Schedule
from billing.errors import Conflict
from billing.events.service import emit_for
from billing.ids import new_id
from billing.plans.schemas import DEFAULT_TERMINATION_TASKS
from billing.storage.models import Plan, Subscription, Task
from billing.tasks import repository as tasks_repo

#: Who closes a task that the system made moot (a moved end date, a booked meeting).
SYSTEM = "system"


def open_task(
    session: Session,
    *,
    subscription_id: str,
    customer_id: str,
    kind: str,
    title: str,
    due_date: date,
    source_event_id: str | None = None,
    announce: dict[str, Any] | None = None,
) -> Task:
    """Open a task on a subscription and announce it (``task.opened``; ``announce`` adds to its
    payload, e.g. the onboarding day)."""
    task = Task(
        id=new_id("task"),
        subscription_id=subscription_id,
        customer_id=customer_id,
        source_event_id=source_event_id,
        kind=kind,
        title=title,
        due_date=due_date,
        status="open",
        created_at=utcnow(),
    )
    session.add(task)
    data = {"kind": kind, "title": title, "due_date": due_date.isoformat()}
    emit_for(session, "task.opened", task, {**data, **(announce or {})})
    return task


def cancel_task(session: Session, task: Task, *, by: str = SYSTEM) -> None:
    """Close an open task that is no longer needed, and announce it (``task.cancelled``)."""
    _close(task, "cancelled", by=by)
    data = {"kind": task.kind, "due_date": task.due_date.isoformat()}
    emit_for(session, "task.cancelled", task, data)


def complete_task(session: Session, actor: Actor, task_id: str) -> Task:
    """Staff mark a task done (``task.completed``); a closed task cannot be completed."""
    task = tasks_repo.get_task(session, task_id, lock=True)
    if task.status != "open":
        raise Conflict(f"the task is {task.status}", code="task_closed")
    _close(task, "done", by=actor.name)
    emit_for(session, "task.completed", task, {"kind": task.kind, "completed_by": actor.name})
    session.flush()
    return task


def _close(task: Task, status: str, *, by: str) -> None:
    task.status = status
    task.completed_at = utcnow()
    task.completed_by = by


def sync_tasks(session: Session, sub: Subscription, plan: Plan, schedule: Schedule) -> None:
    """Open termination tasks match the final end date in force (none if there is none): the
    plan's templates, each due ``due_days`` after the end date. Tasks of other kinds (onboarding's
    call tasks) are not the termination routine's to open or cancel."""
    templates: list[dict[str, Any]] = (
        plan.termination_tasks if plan.termination_tasks is not None else DEFAULT_TERMINATION_TASKS
    )
    kinds = {t["kind"] for t in templates}
    existing = [t for t in tasks_repo.open_tasks(session, sub.id) if t.kind in kinds]
    end = schedule.end
    wanted = (
        {(t["kind"], end + timedelta(days=int(t.get("due_days", 0)))): t for t in templates}
        if end is not None
        else {}
    )
    have = {(t.kind, t.due_date): t for t in existing}
    for key, task in have.items():
        if key not in wanted:
            cancel_task(session, task)
    for (kind, due_date), template in wanted.items():
        if (kind, due_date) not in have:
            open_task(
                session,
                subscription_id=sub.id,
                customer_id=sub.customer_id,
                kind=kind,
                title=template["title"],
                due_date=due_date,
            )
    session.flush()
