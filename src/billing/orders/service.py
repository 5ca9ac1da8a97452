"""One-off orders: ordered (``pending``), delivered and invoiced delivery by delivery, cancelled
at no cost before delivery (after a partial delivery, the rest only).

A delivery is idempotent on its reference (unique per order): the same reference with the same
content answers the delivery already recorded and invoices nothing again; the same reference
with other content is refused (``delivery_reference_conflict``). Each delivery posts its lines
to the ledger as ``one_off`` entries owned by the order and issues one invoice (series ``INV``,
no subscription) of exactly what it delivered, through the same posting plan as subscriptions
(:func:`billing.domain.posting.plan_posting`). What was delivered can be credited later
(:mod:`billing.orders.credits`).

Events: ``order.created``, ``order.delivered`` (one per delivery, with its invoice),
``invoice.issued`` and ``order.cancelled``.

Locks: the order row first (deliveries and cancellation of one order queue on it), then the
feed, then documents and the customer (balance).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import Clock, utcnow
from billing.customers import repository as customers
from billing.domain import orders as rules
from billing.domain.errors import InvalidInput
from billing.domain.ledger import Entry, EntryKind
from billing.domain.orders import LineState, OrderStatus
from billing.domain.posting import plan_posting
from billing.domain.vat import TaxCategory
from billing.events.service import emit
from billing.ids import new_id
from billing.invoicing import issuing
from billing.invoicing import repository as ledger_repo
from billing.invoicing.service import (
    OrderLineRef,
    Owner,
    Posting,
    check_taxable,
    post_plan,
    posted_taxes,
    sale_for,
    terms_of,
)
from billing.orders import repository
from billing.orders.references import canonical_lines, keyed, replay_of
from billing.orders.schemas import DeliveryCreate, OrderCancel, OrderCreate
from billing.storage.models import Document, Order, OrderDelivery, OrderLine


def create_order(session: Session, actor: Actor, body: OrderCreate) -> Order:
    customer = customers.get(session, body.customer_id)
    # Refused now what could not be invoiced with its VAT (the rate is taken again on delivery).
    check_taxable(
        session, customer.id, [line.tax_category for line in body.lines], on=utcnow().date()
    )
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
        # The line as ordered (code, description, unit amount, quantity), nothing delivered.
        OrderLine(
            id=new_id("ol"),
            order_id=order.id,
            seq=seq,
            delivered=0,
            cancelled=0,
            **line.model_dump(mode="json"),
        )
        for seq, line in enumerate(body.lines, start=1)
    ]
    repository.add(session, [order])
    repository.add(session, lines)
    announce(
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


def announce(session: Session, order: Order, type_: str, data: dict[str, Any]) -> None:
    """An event about ``order`` in the feed (it has no subscription)."""
    emit(session, type_, customer_id=order.customer_id, subject_id=order.id, data=data)


def line_states(lines: list[OrderLine]) -> list[LineState]:
    return [
        LineState(ln.id, ln.unit_amount, ln.quantity, ln.delivered, ln.cancelled) for ln in lines
    ]


@dataclass(frozen=True, slots=True)
class Delivered:
    delivery: OrderDelivery
    replayed: bool


def deliver(
    session: Session, actor: Actor, clock: Clock, order_id: str, body: DeliveryCreate
) -> Delivered:
    order = repository.get(session, order_id, lock=True)
    asked = canonical_lines(body.lines)
    request: dict[str, Any] = {"delivered_on": body.delivered_on.isoformat(), "lines": asked}
    earlier = repository.delivery_by_reference(session, order.id, body.reference)
    if replay := replay_of(earlier, request, what="delivery", reference=body.reference):
        return Delivered(replay, replayed=True)
    customer = customers.get(session, order.customer_id)
    today = clock.today(session, customer.timezone)
    lines = repository.lines(session, order.id)
    quantities: dict[str, int] = {line_id: qty for line_id, qty in asked}
    rules.check_delivery(line_states(lines), quantities)  # refuses what does not fit
    if body.delivered_on > today:
        raise InvalidInput(
            f"delivered_on {body.delivered_on} is after today ({today})", code="delivery_in_future"
        )

    delivery_id = new_id("dlv")
    day = body.delivered_on
    delivered = [
        (delivered_entry(line, quantities[line.id], day=day, delivery_id=delivery_id), line)
        for line in lines  # in the order's line order
        if quantities.get(line.id)
    ]
    [invoice] = post_order_entries(session, order, delivered, issue_date=today).documents
    for line in lines:
        line.delivered += quantities.get(line.id, 0)
    order.status = rules.status_of(line_states(lines)).value
    delivery = OrderDelivery(
        id=delivery_id,
        delivered_on=body.delivered_on,
        invoice_id=invoice.id,
        **keyed(order, body.reference, request, by=actor),
    )
    repository.add(session, [delivery])
    quantities_delivered = [(ln.id, e.quantity) for e, ln in delivered]
    announce(
        session,
        order,
        "order.delivered",
        _delivered_data(delivery, invoice, quantities_delivered, order),
    )
    return Delivered(delivery, replayed=False)


def _delivered_data(
    delivery: OrderDelivery, invoice: Document, lines: list[tuple[str, int]], order: Order
) -> dict[str, Any]:
    """The payload of ``order.delivered``."""
    return {
        "delivery_id": delivery.id,
        "reference": delivery.reference,
        "delivered_on": delivery.delivered_on.isoformat(),
        "invoice_id": invoice.id,
        "total": invoice.total,
        "currency": order.currency,
        "lines": [{"line_id": line_id, "quantity": qty} for line_id, qty in lines],
        "order_status": order.status,
    }


def post_order_entries(
    session: Session, order: Order, new: list[tuple[Entry, OrderLine]], *, issue_date: date
) -> Posting:
    """Post an order's new entries (each with the line it bills or gives back) through the one
    posting plan, as a subscription's are: an invoice for what is delivered, a credit note per
    invoice given back."""
    posted = repository.entries(session, order.id)
    sale = sale_for(session, order.customer_id)
    invoice_of = {str(e.id): e.document_id for e in posted if e.document_id is not None}
    credited = [invoice_of[e.credits] for e, _ in new if e.credits is not None]
    # By identity: two lines may ask for equal entries (same code, amount and day).
    book = issuing.order_book(
        sale,
        category_of={id(e): TaxCategory(line.tax_category) for e, line in new},
        posted=posted_taxes(posted),
        before=issuing.credited_before(ledger_repo.credit_breakdowns(session, credited)),
    )
    plan = plan_posting(
        [e for e, _ in new],
        invoice_of=invoice_of,
        currency=order.currency,
        issue_date=issue_date,
        payment_terms_days=terms_of(session, sale),
        taxes=book,
        issuer=sale.issuer,
    )
    refs = {id(e): OrderLineRef(line.id, line.description) for e, line in new}
    owner = Owner(order.customer_id, order.currency, None, order_id=order.id, sale=sale)
    return post_plan(session, plan, owner=owner, line_of=lambda e: refs[id(e)])


def delivered_entry(line: OrderLine, quantity: int, *, day: date, delivery_id: str) -> Entry:
    """A delivered line as a ledger entry: a one-off service served on its delivery day
    (``[day, day + 1)``), caused by the delivery."""
    amount = line.unit_amount * quantity
    next_day = day + timedelta(days=1)
    return Entry(
        item=f"order:{line.code}" if line.code else "order",
        kind=EntryKind.ONE_OFF,
        period_start=day,
        period_end=next_day,
        service_start=day,
        service_end=next_day,
        unit_amount=line.unit_amount,
        quantity=quantity,
        period_amount=amount,
        amount=amount,
        event_id=delivery_id,
    )


def cancel(session: Session, actor: Actor, order_id: str, body: OrderCancel | None) -> Order:
    """Cancel what has not been delivered: it costs nothing and issues no document."""
    order = repository.get(session, order_id, lock=True)
    lines = repository.lines(session, order.id)
    released = rules.cancellable(line_states(lines))
    for line in lines:
        line.cancelled += released.get(line.id, 0)
    before = order.status
    order.status = rules.status_of(line_states(lines)).value
    order.cancelled_at = utcnow()
    order.cancelled_by = actor.name
    order.cancel_reason = body.reason if body else None
    session.flush()
    announce(
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
