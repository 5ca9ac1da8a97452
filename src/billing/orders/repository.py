"""Queries on orders, their lines, deliveries and credits, and the order's ledger entries."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.storage.models import LedgerEntry, Order, OrderCredit, OrderDelivery, OrderLine
from billing.storage.rows import Lock, get_row, page_after, rows_where, scoped


def get(
    session: Session, order_id: str, *, lock: bool = False, customer_scope: str | None = None
) -> Order:
    """The order; with ``lock``, locked until commit (deliveries and cancellation of one order
    queue on it) and read afresh. With ``customer_scope`` (a portal caller's customer), another
    customer's order is not found (404), not forbidden."""
    scope, missing = scoped(Order.customer_id, customer_scope), f"order {order_id} not found"
    mode = Lock.UPDATE if lock else None
    return get_row(session, Order, order_id, scope, lock=mode, fresh=lock, missing=missing)


def lines(session: Session, order_id: str) -> list[OrderLine]:
    return rows_where(
        session, OrderLine, OrderLine.order_id == order_id, order_by=[OrderLine.seq], fresh=True
    )


def deliveries(session: Session, order_id: str) -> list[OrderDelivery]:
    order = [OrderDelivery.recorded_at, OrderDelivery.id]
    return rows_where(session, OrderDelivery, OrderDelivery.order_id == order_id, order_by=order)


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
    order = [OrderCredit.recorded_at, OrderCredit.id]
    return rows_where(session, OrderCredit, OrderCredit.order_id == order_id, order_by=order)


def entries(session: Session, order_id: str) -> list[LedgerEntry]:
    """The order's ledger entries (deliveries and credits), in posting order."""
    return rows_where(
        session, LedgerEntry, LedgerEntry.order_id == order_id, order_by=[LedgerEntry.id]
    )


def entries_of(session: Session, event_ids: Iterable[str]) -> list[LedgerEntry]:
    """The ledger entries that deliveries or credits (by id) posted, in posting order."""
    ids = list(event_ids)
    if not ids:
        return []
    posted_by = LedgerEntry.event_id.in_(ids)
    return rows_where(session, LedgerEntry, posted_by, order_by=[LedgerEntry.id])


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
    filters = [(Order.customer_id, customer_id), (Order.status, status)]
    return page_after(session, select(Order), Order.id, after=after, limit=limit, filters=filters)


def add(session: Session, rows: Iterable[object]) -> None:
    session.add_all(list(rows))
    session.flush()
