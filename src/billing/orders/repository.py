"""Queries on orders, their lines, deliveries and credits, and the order's ledger entries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.domain.ledger import EntryKind
from billing.errors import NotFound
from billing.storage.db import is_postgres
from billing.storage.models import LedgerEntry, Order, OrderCredit, OrderDelivery, OrderLine


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


def credit_by_reference(session: Session, order_id: str, reference: str) -> OrderCredit | None:
    return session.scalars(
        select(OrderCredit).where(
            OrderCredit.order_id == order_id, OrderCredit.reference == reference
        )
    ).first()


def credits(session: Session, order_id: str) -> list[OrderCredit]:
    return list(
        session.scalars(
            select(OrderCredit)
            .where(OrderCredit.order_id == order_id)
            .order_by(OrderCredit.recorded_at, OrderCredit.id)
        )
    )


def entries(session: Session, order_id: str) -> list[LedgerEntry]:
    """The order's ledger entries (deliveries and credits), in posting order."""
    return list(
        session.scalars(
            select(LedgerEntry).where(LedgerEntry.order_id == order_id).order_by(LedgerEntry.id)
        )
    )


def entries_of(session: Session, event_ids: Iterable[str]) -> list[LedgerEntry]:
    """The ledger entries that deliveries or credits (by id) posted, in posting order."""
    ids = list(event_ids)
    if not ids:
        return []
    return list(
        session.scalars(
            select(LedgerEntry).where(LedgerEntry.event_id.in_(ids)).order_by(LedgerEntry.id)
        )
    )


class InvoicedLine(NamedTuple):
    """A delivered line as its order invoice shows it."""

    description: str
    delivered_on: date
    unit_amount: int
    quantity: int
    amount: int
    currency: str


def invoice_lines(session: Session, document_id: str) -> list[InvoicedLine]:
    """The delivered lines an order invoice carries (its one-off ledger entries)."""
    rows = session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.document_id == document_id, LedgerEntry.kind == EntryKind.ONE_OFF.value)
        .order_by(LedgerEntry.id)
    )
    return [
        InvoicedLine(
            e.description or "", e.service_start, e.unit_amount, e.quantity, e.amount, e.currency
        )
        for e in rows
    ]


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
