"""Queries on customers. ``customer_scope`` (a portal caller's customer) limits what is found:
another customer is not found (404), not forbidden."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.errors import NotFound
from billing.storage.models import Customer
from billing.storage.rows import page_after


def get(session: Session, customer_id: str, *, customer_scope: str | None = None) -> Customer:
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
