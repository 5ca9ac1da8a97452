"""Queries on orders, their lines, deliveries and invoiced lines."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.errors import NotFound
from billing.storage.db import is_postgres
from billing.storage.models import Order, OrderDelivery, OrderInvoiceLine, OrderLine


def get(
    session: Session, order_id: str, *, lock: bool = False, customer_scope: str | None = None
) -> Order:
    """The order; with ``lock``, locked until commit (deliveries and cancellation of one order
    queue on it) and read afresh. With ``customer_scope`` (a portal caller's customer), another
    customer's order is not found (404), not forbidden."""
    q = select(Order).where(Order.id == order_id)
    if customer_scope is not None:
        q = q.where(Order.customer_id == customer_scope)
    if lock:
        q = q.execution_options(populate_existing=True)
        if is_postgres(session):
            q = q.with_for_update()
    order = session.scalars(q).first()
    if order is None:
        raise NotFound(f"order {order_id} not found")
    return order


def lines(session: Session, order_id: str) -> list[OrderLine]:
    return list(
        session.scalars(
            select(OrderLine)
            .where(OrderLine.order_id == order_id)
            .order_by(OrderLine.seq)
            .execution_options(populate_existing=True)
        )
    )


def deliveries(session: Session, order_id: str) -> list[OrderDelivery]:
    return list(
        session.scalars(
            select(OrderDelivery)
            .where(OrderDelivery.order_id == order_id)
            .order_by(OrderDelivery.recorded_at, OrderDelivery.id)
        )
    )


def delivery_by_reference(session: Session, order_id: str, reference: str) -> OrderDelivery | None:
    return session.scalars(
        select(OrderDelivery).where(
            OrderDelivery.order_id == order_id, OrderDelivery.reference == reference
        )
    ).first()


def invoice_lines(session: Session, document_id: str) -> list[OrderInvoiceLine]:
    return list(
        session.scalars(
            select(OrderInvoiceLine)
            .where(OrderInvoiceLine.document_id == document_id)
            .order_by(OrderInvoiceLine.id)
        )
    )


def delivery_lines(session: Session, delivery_ids: Iterable[str]) -> list[OrderInvoiceLine]:
    ids = list(delivery_ids)
    if not ids:
        return []
    return list(
        session.scalars(
            select(OrderInvoiceLine)
            .where(OrderInvoiceLine.delivery_id.in_(ids))
            .order_by(OrderInvoiceLine.id)
        )
    )


def page(
    session: Session,
    *,
    customer_id: str | None,
    status: str | None,
    after: str | None,
    limit: int,
    customer_scope: str | None = None,
) -> list[Order]:
    """A page of orders by id; ``customer_scope`` replaces any ``customer_id`` filter."""
    if customer_scope is not None:
        customer_id = customer_scope
    q = select(Order).order_by(Order.id).limit(limit)
    if customer_id is not None:
        q = q.where(Order.customer_id == customer_id)
    if status is not None:
        q = q.where(Order.status == status)
    if after is not None:
        q = q.where(Order.id > after)
    return list(session.scalars(q))


def add(session: Session, rows: Iterable[object]) -> None:
    session.add_all(list(rows))
    session.flush()
