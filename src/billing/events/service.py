"""Emitting events into the feed (the outbox), in the same transaction as what they report.

Each event gets the next number of the ``EVT`` series (:mod:`billing.storage.numbering`):
numbers are gapless and issued in commit order, so ``GET /v1/events`` read by number never
skips an event that commits later, nor repeats one. The number is taken last in the
transaction (:func:`billing.storage.numbering.later`): the counter row stays locked from then
until the commit, so the writers that emit events queue on it only for that last step, not
for the whole of their work. Webhook delivery reads the same table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.clock import utcnow
from billing.ids import new_id
from billing.storage.attribution import CUSTOMER
from billing.storage.models import OutboxEvent, Subscription
from billing.storage.numbering import FEED_SERIES, PREVIEW, later

SERIES = FEED_SERIES

#: An event's data, or what makes it once the numbers are taken (a document's number).
Data = dict[str, Any] | Callable[[], dict[str, Any]]


def emit(
    session: Session,
    type_: str,
    *,
    customer_id: str | None,
    subscription_id: str | None = None,
    subject_id: str | None = None,
    data: Data | None = None,
) -> None:
    """Add an event to the feed when the transaction takes its numbers, in the order emitted;
    nothing in a preview (it is rolled back unseen). ``data`` may be a function, called then
    (after the documents got their numbers)."""
    if session.info.get(PREVIEW):
        return
    event_id, created_at = new_id("ev"), utcnow()
    if customer_id is not None:
        # The event row is written last, but it belongs to the write's customer as it would
        # have had it been added now (billing.storage.attribution: the activity log's customer).
        session.info.setdefault(CUSTOMER, customer_id)

    def give(seq: int) -> None:
        made = data() if callable(data) else data
        session.add(
            OutboxEvent(
                seq=seq,
                id=event_id,
                type=type_,
                customer_id=customer_id,
                subscription_id=subscription_id,
                subject_id=subject_id,
                data=made or {},
                created_at=created_at,
            )
        )

    later(session, SERIES, give)


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
    data: Data,
    *,
    subject_id: str | None = None,
) -> None:
    """An event about ``row`` under its customer and subscription (a subscription is its own).
    The subject is the row unless ``subject_id`` names another (a payment on an invoice)."""
    subscription_id = row.id if isinstance(row, Subscription) else row.subscription_id
    emit(
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
