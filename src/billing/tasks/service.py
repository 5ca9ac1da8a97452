"""Follow-up tasks of the termination routine, kept in step with the timeline's end date, and
closed by staff."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import utcnow
from billing.domain.timeline import Schedule
from billing.errors import Conflict
from billing.events.service import emit, lock_feed
from billing.ids import new_id
from billing.plans.schemas import DEFAULT_TERMINATION_TASKS
from billing.storage.models import Plan, Subscription, Task
from billing.tasks import repository as tasks_repo


def sync_tasks(session: Session, sub: Subscription, plan: Plan, schedule: Schedule) -> None:
    """Open tasks match the final end date in force (none if there is none)."""
    existing = tasks_repo.open_tasks(session, sub.id)
    templates: list[dict[str, Any]] = (
        plan.termination_tasks if plan.termination_tasks is not None else DEFAULT_TERMINATION_TASKS
    )
    end = schedule.end
    wanted = (
        {(t["kind"], end + timedelta(days=int(t.get("due_days", 0)))): t for t in templates}
        if end is not None
        else {}
    )
    have = {(t.kind, t.due_date): t for t in existing}
    for key, task in have.items():
        if key not in wanted:
            emit(
                session,
                "task.cancelled",
                customer_id=task.customer_id,
                subscription_id=task.subscription_id,
                subject_id=task.id,
                data={"kind": task.kind, "due_date": task.due_date.isoformat()},
            )
            task.status = "cancelled"
            task.completed_at = utcnow()
            task.completed_by = "system"
    for key, template in wanted.items():
        if key not in have:
            task = Task(
                id=new_id("task"),
                subscription_id=sub.id,
                customer_id=sub.customer_id,
                source_event_id=None,
                kind=template["kind"],
                title=template["title"],
                due_date=key[1],
                status="open",
                created_at=utcnow(),
            )
            session.add(task)
            emit(
                session,
                "task.opened",
                customer_id=sub.customer_id,
                subscription_id=sub.id,
                subject_id=task.id,
                data={
                    "kind": task.kind,
                    "title": task.title,
                    "due_date": task.due_date.isoformat(),
                },
            )
    session.flush()


def complete_task(session: Session, actor: Actor, task_id: str) -> Task:
    lock_feed(session)
    task = tasks_repo.get_task(session, task_id, lock=True)
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

