"""Queries on follow-up tasks (termination and onboarding call tasks)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.errors import NotFound
from billing.storage.db import is_postgres
from billing.storage.models import Task


def open_tasks(session: Session, subscription_id: str, *, kind: str | None = None) -> list[Task]:
    """A subscription's open tasks (of one ``kind``, if given), by due date."""
    q = select(Task).where(Task.subscription_id == subscription_id, Task.status == "open")
    if kind is not None:
        q = q.where(Task.kind == kind)
    return list(session.scalars(q.order_by(Task.due_date, Task.id)))


def get_task(session: Session, task_id: str, *, lock: bool = False) -> Task:
    q = select(Task).where(Task.id == task_id)
    if lock and is_postgres(session):
        q = q.with_for_update()
    task = session.scalars(q).first()
    if task is None:
        raise NotFound(f"task {task_id} not found")
    return task


def tasks_page(
    session: Session,
    *,
    subscription_id: str | None,
    customer_id: str | None,
    status: str | None,
    after: str | None,
    limit: int,
) -> list[Task]:
    q = select(Task).order_by(Task.id).limit(limit)
    if subscription_id:
        q = q.where(Task.subscription_id == subscription_id)
    if customer_id:
        q = q.where(Task.customer_id == customer_id)
    if status:
        q = q.where(Task.status == status)
    if after:
        q = q.where(Task.id > after)
    return list(session.scalars(q))
