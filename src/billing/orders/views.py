"""Orders, deliveries and order invoices' lines as integrators read them."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from billing.domain.money import format_money
from billing.orders import repository
from billing.storage.models import Order, OrderDelivery, OrderInvoiceLine


def _delivery_out(d: OrderDelivery, lines: list[OrderInvoiceLine], currency: str) -> dict[str, Any]:
    return {
        "id": d.id,
        "order_id": d.order_id,
        "reference": d.reference,
        "delivered_on": d.delivered_on.isoformat(),
        "invoice_id": d.invoice_id,
        "total": sum(x.amount for x in lines),
        "currency": currency,
        "lines": [
            {
                "line_id": x.order_line_id,
                "code": x.code,
                "description": x.description,
                "unit_amount": x.unit_amount,
                "quantity": x.quantity,
                "amount": x.amount,
            }
            for x in lines
        ],
        "recorded_at": d.recorded_at.isoformat(),
        "recorded_by": d.recorded_by,
    }


def delivery_out(session: Session, d: OrderDelivery, currency: str) -> dict[str, Any]:
    return _delivery_out(d, repository.delivery_lines(session, [d.id]), currency)


def order_out(session: Session, order: Order) -> dict[str, Any]:
    lines = repository.lines(session, order.id)
    deliveries = repository.deliveries(session, order.id)
    by_delivery: dict[str, list[OrderInvoiceLine]] = defaultdict(list)
    for x in repository.delivery_lines(session, (d.id for d in deliveries)):
        by_delivery[x.delivery_id].append(x)
    return {
        "id": order.id,
        "customer_id": order.customer_id,
        "currency": order.currency,
        "status": order.status,
        "total": order.total,
        "delivered_total": sum(ln.unit_amount * ln.delivered for ln in lines),
        "lines": [
            {
                "id": ln.id,
                "code": ln.code,
                "description": ln.description,
                "unit_amount": ln.unit_amount,
                "quantity": ln.quantity,
                "amount": ln.unit_amount * ln.quantity,
                "delivered": ln.delivered,
                "cancelled": ln.cancelled,
                "outstanding": ln.quantity - ln.delivered - ln.cancelled,
            }
            for ln in lines
        ],
        "deliveries": [_delivery_out(d, by_delivery[d.id], order.currency) for d in deliveries],
        "created_at": order.created_at.isoformat(),
        "created_by": order.created_by,
        "cancelled_at": order.cancelled_at.isoformat() if order.cancelled_at else None,
        "cancelled_by": order.cancelled_by,
        "cancel_reason": order.cancel_reason,
    }


def invoice_lines(session: Session, document_id: str, *, locale: str) -> list[dict[str, Any]]:
    """An order invoice's lines, in the shape of a subscription invoice's lines (a one-off
    service is served on its delivery day: ``[delivered_on, delivered_on + 1)``)."""
    out = []
    for x in repository.invoice_lines(session, document_id):
        day, next_day = x.delivered_on.isoformat(), (x.delivered_on + timedelta(days=1)).isoformat()
        out.append(
            {
                "entry_id": None,
                "description": f"{x.description} {day}",
                "item": f"order:{x.code}" if x.code else "order",
                "kind": "one_off",
                "service_start": day,
                "service_end": next_day,
                "period_start": day,
                "period_end": next_day,
                "quantity": x.quantity,
                "unit_amount": x.unit_amount,
                "amount": x.amount,
                "amount_formatted": format_money(x.amount, x.currency, locale),
                "credits_entry_id": None,
                "order_line_id": x.order_line_id,
                "delivery_id": x.delivery_id,
            }
        )
    return out
