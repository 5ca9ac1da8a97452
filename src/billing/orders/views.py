"""Orders, their deliveries and credits as integrators read them (from the order's ledger
entries: a delivery's one-off entries, a credit's credit entries)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from billing.orders import repository
from billing.storage.models import LedgerEntry, Order, OrderCredit, OrderDelivery


def _code(entry: LedgerEntry) -> str | None:
    """The line's code, as the entry's item names it (``order:<code>``, or ``order``)."""
    return entry.item.split(":", 1)[1] if ":" in entry.item else None


def _delivery_out(d: OrderDelivery, lines: Sequence[LedgerEntry], currency: str) -> dict[str, Any]:
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
                "code": _code(x),
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


def _credit_out(
    c: OrderCredit,
    lines: Sequence[LedgerEntry],
    *,
    posted: dict[int, LedgerEntry],
    currency: str,
) -> dict[str, Any]:
    """``posted``: the order's entries by id (a credit names the delivered entry it gives
    back)."""
    out_lines = []
    for x in lines:
        assert x.credits_entry_id is not None
        delivered = posted[x.credits_entry_id]
        out_lines.append(
            {
                "line_id": x.order_line_id,
                "delivery_id": delivered.event_id,
                "invoice_id": delivered.document_id,
                "unit_amount": x.unit_amount,
                "quantity": x.quantity,
                "amount": -x.amount,
            }
        )
    return {
        "id": c.id,
        "order_id": c.order_id,
        "reference": c.reference,
        "reason": c.reason,
        "credit_notes": list(dict.fromkeys(x.document_id for x in lines if x.document_id)),
        "total": -sum(x.amount for x in lines),
        "currency": currency,
        "lines": out_lines,
        "recorded_at": c.recorded_at.isoformat(),
        "recorded_by": c.recorded_by,
    }


def delivery_out(session: Session, d: OrderDelivery, currency: str) -> dict[str, Any]:
    return _delivery_out(d, repository.entries_of(session, [d.id]), currency)


def credit_out(session: Session, c: OrderCredit, currency: str) -> dict[str, Any]:
    posted = {e.id: e for e in repository.entries(session, c.order_id)}
    mine = [e for e in posted.values() if e.event_id == c.id]
    return _credit_out(c, mine, posted=posted, currency=currency)


def order_out(session: Session, order: Order) -> dict[str, Any]:
    lines = repository.lines(session, order.id)
    entries = repository.entries(session, order.id)
    posted = {e.id: e for e in entries}
    by_event: dict[str, list[LedgerEntry]] = defaultdict(list)
    credited: dict[str, int] = defaultdict(int)
    for e in entries:
        by_event[e.event_id or ""].append(e)
        if e.kind == "credit" and e.order_line_id is not None:
            credited[e.order_line_id] += e.quantity
    deliveries = repository.deliveries(session, order.id)
    credits = repository.credits(session, order.id)
    return {
        "id": order.id,
        "customer_id": order.customer_id,
        "currency": order.currency,
        "status": order.status,
        "total": order.total,
        "delivered_total": sum(ln.unit_amount * ln.delivered for ln in lines),
        "credited_total": sum(ln.unit_amount * credited[ln.id] for ln in lines),
        "lines": [
            {
                "id": ln.id,
                "code": ln.code,
                "description": ln.description,
                "unit_amount": ln.unit_amount,
                "quantity": ln.quantity,
                "amount": ln.unit_amount * ln.quantity,
                "tax_category": ln.tax_category,
                "delivered": ln.delivered,
                "credited": credited[ln.id],
                "cancelled": ln.cancelled,
                "outstanding": ln.quantity - ln.delivered - ln.cancelled,
            }
            for ln in lines
        ],
        "deliveries": [_delivery_out(d, by_event[d.id], order.currency) for d in deliveries],
        "credits": [
            _credit_out(c, by_event[c.id], posted=posted, currency=order.currency) for c in credits
        ],
        "created_at": order.created_at.isoformat(),
        "created_by": order.created_by,
        "cancelled_at": order.cancelled_at.isoformat() if order.cancelled_at else None,
        "cancelled_by": order.cancelled_by,
        "cancel_reason": order.cancel_reason,
    }
