"""Emitting events into the feed (the outbox), in the same transaction as what they report.

Each event gets the next number of the ``EVT`` series (:mod:`billing.storage.numbering`),
whose counter row stays locked until the transaction commits: numbers are gapless and issued in
commit order, so ``GET /v1/events`` read by number never skips an event that commits later, nor
repeats one. (The price: writers that emit events queue on that row for the rest of their
transaction; bill runs emit once per batch.) Webhook delivery reads the same table.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.clock import utcnow
from billing.ids import new_id
from billing.storage.models import OutboxEvent, Subscription
from billing.storage.numbering import PREVIEW, lock_series, next_number

SERIES = "EVT"


def lock_feed(session: Session) -> None:
    """Take the feed's counter lock now (PostgreSQL). Every transaction that emits events
    takes it before any document, invoice, task or customer row lock, so that lock order is
    the same everywhere and emitting can never deadlock (subscription row → feed → rest)."""
    lock_series(session, SERIES)


def emit(
    session: Session,
    type_: str,
    *,
    customer_id: str | None,
    subscription_id: str | None = None,
    subject_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> OutboxEvent | None:
    """Add an event to the feed; nothing in a preview (it is rolled back unseen)."""
    if session.info.get(PREVIEW):
        return None
    event = OutboxEvent(
        seq=next_number(session, SERIES),
        id=new_id("ev"),
        type=type_,
        customer_id=customer_id,
        subscription_id=subscription_id,
        subject_id=subject_id,
        data=data or {},
        created_at=utcnow(),
    )
    session.add(event)
    return event


class OwnedRow(Protocol):
    """A row that belongs to a customer and perhaps a subscription: a document, a task."""

    @property
    def id(self) -> str: ...
    @property
    def customer_id(self) -> str | None: ...
    @property
    def subscription_id(self) -> str | None: ...


def emit_for(
    session: Session,
    type_: str,
    row: OwnedRow | Subscription,
    data: dict[str, Any],
    *,
    subject_id: str | None = None,
) -> OutboxEvent | None:
    """An event about ``row`` under its customer and subscription (a subscription is its own).
    The subject is the row unless ``subject_id`` names another (a payment on an invoice)."""
    subscription_id = row.id if isinstance(row, Subscription) else row.subscription_id
    return emit(
        session,
        type_,
        customer_id=row.customer_id,
        subscription_id=subscription_id,
        subject_id=subject_id or row.id,
        data=data,
    )


def page(
    session: Session,
    *,
    after: int | None,
    limit: int,
    customer_scope: str | None = None,
    types: list[str] | None = None,
) -> list[OutboxEvent]:
    """Events after the cursor in commit order; with ``customer_scope`` (a portal caller's
    customer) only that customer's."""
    q = select(OutboxEvent).order_by(OutboxEvent.seq).limit(limit)
    if after is not None:
        q = q.where(OutboxEvent.seq > after)
    if customer_scope is not None:
        q = q.where(OutboxEvent.customer_id == customer_scope)
    if types:
        q = q.where(OutboxEvent.type.in_(types))
    return list(session.scalars(q))


def event_out(e: OutboxEvent) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "id": e.id,
        "type": e.type,
        "customer_id": e.customer_id,
        "subscription_id": e.subscription_id,
        "subject_id": e.subject_id,
        "data": e.data,
        "created_at": e.created_at.isoformat(),
        "actor": e.actor,
    }
