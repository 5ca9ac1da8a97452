"""Queries on subscriptions and their timeline events (events are only ever inserted)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.domain import codec
from billing.domain.events import Event
from billing.storage.models import Subscription, TimelineEvent
from billing.storage.rows import Lock, get_row, page_after, rows_where, scoped


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
    # FOR NO KEY UPDATE: as exclusive as FOR UPDATE between writers of the subscription,
    # but it lets other transactions' foreign-key checks (FOR KEY SHARE on this row, taken
    # when they insert or update a row pointing at it) through. FOR UPDATE blocked those,
    # and a payment updating an invoice twice then deadlocked with a change posting a
    # credit note against that invoice.
    scope = scoped(Subscription.customer_id, customer_scope)
    mode = Lock.NO_KEY_UPDATE if lock else None
    missing = f"subscription {subscription_id} not found"
    return get_row(session, Subscription, subscription_id, scope, lock=mode, missing=missing)


def events(session: Session, subscription_id: str) -> list[TimelineEvent]:
    return rows_where(
        session,
        TimelineEvent,
        TimelineEvent.subscription_id == subscription_id,
        order_by=[TimelineEvent.seq],
    )


def add_event(session: Session, row: TimelineEvent) -> None:
    session.add(row)
    session.flush()


def event_from_row(row: Any) -> Event:
    """The stored event as the domain's event, its payload read by the one codec. ``row``: a
    :class:`~billing.storage.models.TimelineEvent` (requests) or a Core row of its table (the
    bill run): anything with its columns as attributes."""
    return Event(
        id=row.id,
        seq=row.seq,
        effective_date=row.effective_date,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
        reason=row.reason,
        payload=codec.decode(row.type, row.data),
    )


#: The name the services read timeline rows by.
to_domain = event_from_row


def page(
    session: Session,
    *,
    customer_id: str | None,
    after: str | None,
    limit: int,
    customer_scope: str | None = None,
) -> list[Subscription]:
    """A page by id; a portal caller's ``customer_scope`` replaces any ``customer_id`` asked."""
    customer = customer_scope or customer_id
    return page_after(
        session,
        select(Subscription),
        Subscription.id,
        after=after,
        limit=limit,
        filters=[(Subscription.customer_id, customer)],
    )
