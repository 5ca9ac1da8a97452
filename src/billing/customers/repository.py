"""Queries on customers. ``customer_scope`` (a portal caller's customer) limits what is found:
another customer is not found (404), not forbidden."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.errors import NotFound
from billing.storage.models import Customer, Document
from billing.storage.rows import Lock, get_row, page_after, scoped


def get(
    session: Session, customer_id: str, *, customer_scope: str | None = None, lock: bool = False
) -> Customer:
    """``lock``: for a change of the customer (``FOR NO KEY UPDATE``, so that documents and
    subscriptions pointing at it are still written meanwhile), read fresh."""
    if lock:
        return get_row(
            session,
            Customer,
            customer_id,
            scoped(Customer.id, customer_scope),
            missing=f"customer {customer_id} not found",
            lock=Lock.NO_KEY_UPDATE,
            fresh=True,
        )
    customer = None
    if customer_scope is None or customer_id == customer_scope:
        customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    return customer


def page(
    session: Session, *, after: str | None, limit: int, customer_scope: str | None = None
) -> list[Customer]:
    filters = [(Customer.id, customer_scope)]
    return page_after(
        session, select(Customer), Customer.id, after=after, limit=limit, filters=filters
    )


def has_documents(session: Session, customer_id: str) -> bool:
    q = select(Document.id).where(Document.customer_id == customer_id).limit(1)
    return session.scalar(q) is not None
