"""One-off orders: ordered, delivered (each delivery invoiced, idempotent on its reference) or
cancelled at no cost before delivery."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from billing.http.deps import ClockDep, PageParams, SessionDep
from billing.http.permissions import ReadsOrders, StaffActor
from billing.orders import service
from billing.orders.credits import credit
from billing.orders.schemas import (
    CreditCreate,
    CreditOut,
    DeliveryCreate,
    DeliveryOut,
    OrderCancel,
    OrderCreate,
    OrderOut,
    OrderPage,
)
from billing.orders.views import credit_out, delivery_out, order_out

router = APIRouter(tags=["orders"])

Status = Literal["pending", "partially_delivered", "delivered", "cancelled"]


@router.post("/orders", status_code=201, response_model=OrderOut)
def post_order(body: OrderCreate, session: SessionDep, actor: StaffActor) -> Any:
    """A one-off order, also of a customer with no subscription: ``pending`` until delivered;
    it binds (and is invoiced) only when delivered."""
    return order_out(session, service.create_order(session, actor, body))


@router.get("/orders", response_model=OrderPage)
def list_orders(
    session: SessionDep,
    actor: ReadsOrders,
    page: PageParams,
    customer_id: Annotated[
        str | None, Query(max_length=40, description="Only the orders of this customer.")
    ] = None,
    status: Annotated[
        Status | None,
        Query(
            description="Only orders in this status: pending, partially_delivered, delivered or "
            "cancelled."
        ),
    ] = None,
) -> Any:
    """One-off orders in id order, a page at a time (a portal key sees only its customer's)."""
    rows = service.list_orders(
        session, actor, customer_id=customer_id, status=status, after=page.after, limit=page.limit
    )
    return page.answer(rows, [order_out(session, o) for o in rows])


@router.get("/orders/{order_id}", response_model=OrderOut)
def get_order(order_id: str, session: SessionDep, actor: ReadsOrders) -> Any:
    """One order: its lines, deliveries and credits."""
    return order_out(session, service.get_order(session, actor, order_id))


@router.post("/orders/{order_id}/deliveries", status_code=201, response_model=DeliveryOut)
def post_delivery(
    order_id: str,
    body: DeliveryCreate,
    response: Response,
    session: SessionDep,
    actor: StaffActor,
    clock: ClockDep,
) -> Any:
    """Record a delivery and invoice exactly what it delivered. The same ``reference`` again
    with the same content answers the same delivery (``Idempotent-Replayed: true``) and
    invoices nothing; with other content it is refused (409 ``delivery_reference_conflict``)."""
    done = service.deliver(session, actor, clock, order_id, body)
    if done.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    order = service.get_order(session, actor, order_id)
    return delivery_out(session, done.delivery, order.currency)


@router.post("/orders/{order_id}/credits", status_code=201, response_model=CreditOut)
def post_credit(
    order_id: str,
    body: CreditCreate,
    response: Response,
    session: SessionDep,
    actor: StaffActor,
    clock: ClockDep,
) -> Any:
    """Give back delivered lines: a credit note per invoice given back, never more of a line
    than was delivered and not yet credited (409 ``credit_exceeds_delivered``). The same
    ``reference`` again with the same content answers the same credit
    (``Idempotent-Replayed: true``); with other content it is refused (409
    ``credit_reference_conflict``)."""
    done = credit(session, actor, clock, order_id, body)
    if done.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    order = service.get_order(session, actor, order_id)
    return credit_out(session, done.credit, order.currency)


@router.post("/orders/{order_id}/cancel", response_model=OrderOut)
def post_cancel(
    order_id: str,
    session: SessionDep,
    actor: StaffActor,
    body: OrderCancel | None = None,
) -> Any:
    """Cancel what is not delivered yet: costs nothing, leaves no document."""
    return order_out(session, service.cancel(session, actor, order_id, body))
