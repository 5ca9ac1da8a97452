"""One-off orders: ordered (``pending``), delivered and invoiced delivery by delivery, cancelled
at no cost before delivery (after a partial delivery, the rest only).

A delivery is idempotent on its reference (unique per order): the same reference with the same
content answers the delivery already recorded and invoices nothing again; the same reference
with other content is refused (``delivery_reference_conflict``). Each delivery issues one
invoice (series ``INV``, no subscription) of exactly what it delivered; its lines are kept in
``order_invoice_lines`` (ledger entries belong to subscriptions).

Events: ``order.created``, ``order.delivered`` (one per delivery, with its invoice),
``invoice.issued`` and ``order.cancelled``.

Locks: the order row first (deliveries and cancellation of one order queue on it), then the
feed, then documents and the customer (balance).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import Clock, utcnow
from billing.customers import repository as customers
from billing.domain import orders as rules
from billing.domain.errors import InvalidInput
from billing.domain.orders import LineState, OrderStatus
from billing.domain.posting import INVOICE_SERIES
from billing.errors import Conflict
from billing.events.service import emit, lock_feed
from billing.ids import new_id
from billing.invoicing import balance
from billing.invoicing.service import emit_document, session_payment_terms
from billing.orders import repository
from billing.orders.schemas import DeliveryCreate, OrderCancel, OrderCreate
from billing.storage.models import Document, Order, OrderDelivery, OrderInvoiceLine, OrderLine
from billing.storage.numbering import next_number


def create_order(session: Session, actor: Actor, body: OrderCreate) -> Order:
    customer = customers.get(session, body.customer_id)
    total = rules.order_total([(line.unit_amount, line.quantity) for line in body.lines])
    order = Order(
        id=new_id("ord"),
        customer_id=customer.id,
        currency=customer.currency,
        status=OrderStatus.PENDING.value,
        total=total,
        created_at=utcnow(),
        created_by=actor.name,
    )
    lines = [
        OrderLine(
            id=new_id("ol"),
            order_id=order.id,
            seq=seq,
            code=line.code,
            description=line.description,
            unit_amount=line.unit_amount,
            quantity=line.quantity,
            delivered=0,
            cancelled=0,
        )
        for seq, line in enumerate(body.lines, start=1)
    ]
    repository.add(session, [order])
    repository.add(session, lines)
    _emit(
        session,
        order,
        "order.created",
        {
            "total": total,
            "currency": order.currency,
            "lines": [
                {"line_id": ln.id, "code": ln.code, "quantity": ln.quantity, "unit": ln.unit_amount}
                for ln in lines
            ],
        },
    )
    return order


def _emit(session: Session, order: Order, type_: str, data: dict[str, Any]) -> None:
    emit(session, type_, customer_id=order.customer_id, subject_id=order.id, data=data)


def _states(lines: list[OrderLine]) -> list[LineState]:
    return [
        LineState(ln.id, ln.unit_amount, ln.quantity, ln.delivered, ln.cancelled) for ln in lines
    ]


def _canonical(body: DeliveryCreate) -> dict[str, Any]:
    """What a delivery asks, independent of line order (the retry check compares this)."""
    quantities: dict[str, int] = {}
    for line in body.lines:
        if line.line_id in quantities:
            raise InvalidInput(f"line {line.line_id} is given twice", code="duplicate_line")
        quantities[line.line_id] = line.quantity
    return {
        "delivered_on": body.delivered_on.isoformat(),
        "lines": [[line_id, quantities[line_id]] for line_id in sorted(quantities)],
    }


@dataclass(frozen=True, slots=True)
class Delivered:
    delivery: OrderDelivery
    replayed: bool


def deliver(
    session: Session, actor: Actor, clock: Clock, order_id: str, body: DeliveryCreate
) -> Delivered:
    order = repository.get(session, order_id, lock=True)
    request = _canonical(body)
    earlier = repository.delivery_by_reference(session, order.id, body.reference)
    if earlier is not None:
        if earlier.request != request:
            raise Conflict(
                f"delivery {body.reference!r} was recorded with other content",
                code="delivery_reference_conflict",
            )
        return Delivered(earlier, replayed=True)
    customer = customers.get(session, order.customer_id)
    today = clock.today(session, customer.timezone)
    lines = repository.lines(session, order.id)
    quantities = {line_id: qty for line_id, qty in request["lines"]}
    total = rules.check_delivery(_states(lines), quantities)
    if body.delivered_on > today:
        raise InvalidInput(
            f"delivered_on {body.delivered_on} is after today ({today})", code="delivery_in_future"
        )

    lock_feed(session)
    now = utcnow()
    invoice = Document(
        id=new_id("inv"),
        type="invoice",
        series=INVOICE_SERIES,
        number=next_number(session, INVOICE_SERIES),
        customer_id=order.customer_id,
        subscription_id=None,
        invoice_id=None,
        bill_run_id=None,
        currency=order.currency,
        issue_date=today,
        due_date=today + timedelta(days=session_payment_terms(session)),
        total=total,
        amount_paid=0,
        status="open" if total > 0 else "paid",
        created_at=now,
    )
    delivery = OrderDelivery(
        id=new_id("dlv"),
        order_id=order.id,
        reference=body.reference,
        delivered_on=body.delivered_on,
        request=request,
        invoice_id=invoice.id,
        recorded_at=now,
        recorded_by=actor.name,
    )
    repository.add(session, [invoice])
    repository.add(session, [delivery])
    invoiced = []
    for line in lines:
        qty = quantities.get(line.id)
        if not qty:
            continue
        line.delivered += qty
        invoiced.append(
            OrderInvoiceLine(
                document_id=invoice.id,
                delivery_id=delivery.id,
                order_line_id=line.id,
                code=line.code,
                description=line.description,
                delivered_on=body.delivered_on,
                unit_amount=line.unit_amount,
                quantity=qty,
                amount=line.unit_amount * qty,
                currency=order.currency,
            )
        )
    repository.add(session, invoiced)
    order.status = rules.status_of(_states(lines)).value
    session.flush()
    balance.apply_balance(session, invoice)  # credit the customer holds pays first
    emit_document(session, invoice)
    _emit(
        session,
        order,
        "order.delivered",
        {
            "delivery_id": delivery.id,
            "reference": delivery.reference,
            "delivered_on": body.delivered_on.isoformat(),
            "invoice_id": invoice.id,
            "total": total,
            "currency": order.currency,
            "lines": [{"line_id": x.order_line_id, "quantity": x.quantity} for x in invoiced],
            "order_status": order.status,
        },
    )
    return Delivered(delivery, replayed=False)


def cancel(session: Session, actor: Actor, order_id: str, body: OrderCancel | None) -> Order:
    """Cancel what has not been delivered: it costs nothing and issues no document."""
    order = repository.get(session, order_id, lock=True)
    lines = repository.lines(session, order.id)
    released = rules.cancellable(_states(lines))
    lock_feed(session)
    for line in lines:
        line.cancelled += released.get(line.id, 0)
    before = order.status
    order.status = rules.status_of(_states(lines)).value
    order.cancelled_at = utcnow()
    order.cancelled_by = actor.name
    order.cancel_reason = body.reason if body else None
    session.flush()
    _emit(
        session,
        order,
        "order.cancelled",
        {
            "from": before,
            "order_status": order.status,
            "reason": order.cancel_reason,
            "lines": [{"line_id": k, "quantity": v} for k, v in released.items()],
        },
    )
    return order


def get_order(session: Session, actor: Actor, order_id: str) -> Order:
    return repository.get(session, order_id, customer_scope=actor.customer_scope)


def list_orders(
    session: Session,
    actor: Actor,
    *,
    customer_id: str | None,
    status: str | None,
    after: str | None,
    limit: int,
) -> list[Order]:
    return repository.page(
        session,
        customer_id=customer_id,
        status=status,
        after=after,
        limit=limit,
        customer_scope=actor.customer_scope,
    )
