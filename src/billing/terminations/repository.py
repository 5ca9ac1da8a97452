"""Queries on follow-up tasks and on subscriptions the scheduler looks at."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.errors import NotFound
from billing.storage.db import is_postgres
from billing.storage.models import Customer, Subscription, Task


def open_tasks(session: Session, subscription_id: str) -> list[Task]:
    return list(
        session.scalars(
            select(Task)
            .where(Task.subscription_id == subscription_id, Task.status == "open")
            .order_by(Task.due_date, Task.id)
        )
    )


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


def due_for_scheduler(session: Session, *, after: str | None, limit: int) -> list[str]:
    """Subscriptions whose cached status may be stale: everything not yet terminated."""
    q = (
        select(Subscription.id)
        .where(Subscription.status != "terminated")
        .order_by(Subscription.id)
        .limit(limit)
    )
    if after:
        q = q.where(Subscription.id > after)
    return list(session.scalars(q))


def customers_to_recheck(session: Session) -> list[str]:
    """Customers marked passive, and customers with a terminated subscription: the scheduler
    re-checks them whatever their subscriptions' stored status (the test clock may move back
    and forth)."""
    with_ended = select(Subscription.customer_id).where(Subscription.status == "terminated")
    return list(
        session.scalars(
            select(Customer.id)
            .where((Customer.status == "passive") | Customer.id.in_(with_ended))
            .order_by(Customer.id)
        )
    )


def customer_subscriptions(session: Session, customer_id: str) -> list[Subscription]:
    return list(
        session.scalars(select(Subscription).where(Subscription.customer_id == customer_id))
    )


def ended_in(session: Session, *, first: date, last: date) -> list[Subscription]:
    return list(
        session.scalars(
            select(Subscription)
            .where(Subscription.end_date >= first, Subscription.end_date <= last)
            .order_by(Subscription.end_date, Subscription.id)
        )
    )
