"""Queries on follow-up tasks (termination and onboarding call tasks)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.storage.models import Task
from billing.storage.rows import Lock, get_row, page_after, rows_where


def open_tasks(session: Session, subscription_id: str, *, kind: str | None = None) -> list[Task]:
    """A subscription's open tasks (of one ``kind``, if given), by due date."""
    where = [Task.subscription_id == subscription_id, Task.status == "open"]
    if kind is not None:
        where.append(Task.kind == kind)
    return rows_where(session, Task, *where, order_by=[Task.due_date, Task.id])


def get_task(session: Session, task_id: str, *, lock: bool = False) -> Task:
    lock_mode = Lock.UPDATE if lock else None
    return get_row(session, Task, task_id, lock=lock_mode, missing=f"task {task_id} not found")


def tasks_page(
    session: Session,
    *,
    subscription_id: str | None,
    customer_id: str | None,
    status: str | None,
    after: str | None,
    limit: int,
) -> list[Task]:
    """A page of tasks by id; an empty filter (``status=``) filters nothing."""
    filters = [
        (Task.subscription_id, subscription_id or None),
        (Task.customer_id, customer_id or None),
        (Task.status, status or None),
    ]
    return page_after(session, select(Task), Task.id, after=after, limit=limit, filters=filters)
