"""Queries on customers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.errors import NotFound
from billing.storage.models import Customer


def get(session: Session, customer_id: str) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    return customer


def page(
    session: Session, *, after: str | None, limit: int, only: str | None = None
) -> list[Customer]:
    q = select(Customer).order_by(Customer.id).limit(limit)
    if after:
        q = q.where(Customer.id > after)
    if only is not None:
        q = q.where(Customer.id == only)
    return list(session.scalars(q))
