"""Queries on subscriptions and their timeline events (events are only ever inserted)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing.domain import codec
from billing.domain.events import Event
from billing.errors import NotFound
from billing.storage.db import is_postgres
from billing.storage.models import Subscription, TimelineEvent


def get(
    session: Session,
    subscription_id: str,
    *,
    lock: bool = False,
    customer_scope: str | None = None,
) -> Subscription:
    """The subscription row; with ``lock`` it stays locked until commit (PostgreSQL row lock;
    SQLite holds the database write lock from BEGIN IMMEDIATE already). ``customer_scope`` (a
    portal caller's customer): another customer's subscription is not found (404)."""
    q = select(Subscription).where(Subscription.id == subscription_id)
    if customer_scope is not None:
        q = q.where(Subscription.customer_id == customer_scope)
    if lock and is_postgres(session):
        # FOR NO KEY UPDATE: as exclusive as FOR UPDATE between writers of the subscription,
        # but it lets other transactions' foreign-key checks (FOR KEY SHARE on this row, taken
        # when they insert or update a row pointing at it) through. FOR UPDATE blocked those,
        # and a payment updating an invoice twice then deadlocked with a change posting a
        # credit note against that invoice.
        q = q.with_for_update(key_share=True)
    sub = session.scalars(q).first()
    if sub is None:
        raise NotFound(f"subscription {subscription_id} not found")
    return sub


def events(session: Session, subscription_id: str) -> list[TimelineEvent]:
    return list(
        session.scalars(
            select(TimelineEvent)
            .where(TimelineEvent.subscription_id == subscription_id)
            .order_by(TimelineEvent.seq)
        )
    )


def next_seq(session: Session, subscription_id: str) -> int:
    value = session.scalar(
        select(func.max(TimelineEvent.seq)).where(TimelineEvent.subscription_id == subscription_id)
    )
    return int(value or 0) + 1


def add_event(session: Session, row: TimelineEvent) -> None:
    session.add(row)
    session.flush()


def to_domain(row: TimelineEvent) -> Event:
    """The stored row as the domain's event, its payload read by the one codec."""
    return Event(
        id=row.id,
        seq=row.seq,
        effective_date=row.effective_date,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
        reason=row.reason,
        payload=codec.decode(row.type, row.data),
    )


def page(
    session: Session,
    *,
    customer_id: str | None,
    after: str | None,
    limit: int,
    customer_scope: str | None = None,
) -> list[Subscription]:
    """A page by id; a portal caller's ``customer_scope`` replaces any ``customer_id`` asked."""
    q = select(Subscription).order_by(Subscription.id).limit(limit)
    customer_id = customer_scope or customer_id
    if customer_id is not None:
        q = q.where(Subscription.customer_id == customer_id)
    if after:
        q = q.where(Subscription.id > after)
    return list(session.scalars(q))


def ids_after(session: Session, *, after: str | None, limit: int) -> list[str]:
    q = select(Subscription.id).order_by(Subscription.id).limit(limit)
    if after:
        q = q.where(Subscription.id > after)
    return list(session.scalars(q))
