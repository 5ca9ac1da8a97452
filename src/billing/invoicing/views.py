"""Documents as integrators and people read them: lines with service periods, the billed unit
price and quantity, totals in minor units and formatted in the customer's locale."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from billing.customers import repository as customers
from billing.domain import posting
from billing.domain.money import format_money
from billing.invoicing import repository
from billing.storage.models import Document, LedgerEntry


def describe(entry: LedgerEntry) -> str:
    if entry.order_id is not None:  # a one-off order's line: as ordered, on its delivery day
        return f"{entry.description} {entry.service_start}"
    last_day = entry.service_end - timedelta(days=1)
    if entry.item == "setup":
        return "Start-up fee" if entry.kind != "credit" else "Start-up fee waived"
    if entry.item == "main":
        label = "Subscription"
    elif entry.item.startswith("addon:"):
        label = f"Add-on {entry.item.split(':', 1)[1]}"
    else:
        label = "One-off delivery"
    what = "credit for" if entry.kind == "credit" else ""
    return " ".join(x for x in (label, what, f"{entry.service_start} – {last_day}") if x)


def _order_fields(e: LedgerEntry) -> dict[str, Any]:
    """What an order's line adds: the order line, and the delivery that billed it."""
    if e.order_id is None:
        return {}
    return {
        "order_line_id": e.order_line_id,
        "delivery_id": e.event_id if e.kind == "one_off" else None,
    }


def lines(
    entries: Sequence[LedgerEntry], *, currency: str, locale: str, sign: int = 1
) -> list[dict[str, Any]]:
    return [
        {
            "entry_id": str(e.id),
            "description": describe(e),
            "item": e.item,
            "kind": e.kind,
            "service_start": e.service_start.isoformat(),
            "service_end": e.service_end.isoformat(),
            "period_start": e.period_start.isoformat(),
            "period_end": e.period_end.isoformat(),
            "quantity": e.quantity,
            "unit_amount": e.unit_amount,
            "amount": sign * e.amount,
            "amount_formatted": format_money(sign * e.amount, currency, locale),
            "credits_entry_id": str(e.credits_entry_id) if e.credits_entry_id else None,
            **_order_fields(e),
        }
        for e in entries
    ]


def documents_out(session: Session, docs: Sequence[Document]) -> list[dict[str, Any]]:
    """A page of documents with their lines and credits read in two queries, not per document."""
    ids = [d.id for d in docs]
    entries = repository.entries_of_documents(session, ids)
    invoices = [d.id for d in docs if d.type == "invoice"]
    credited = repository.credited_totals(session, invoices) if invoices else {}
    return [
        document_out(
            session,
            d,
            entries.get(d.id, []),
            credited=credited.get(d.id, 0) if d.type == "invoice" else None,
        )
        for d in docs
    ]


def document_number(doc: Document) -> str:
    return posting.document_number(doc.series, doc.number)


def document_out(
    session: Session,
    doc: Document,
    entries: Sequence[LedgerEntry] | None = None,
    *,
    credited: int | None = None,
) -> dict[str, Any]:
    """One document as the API shows it. ``entries`` and ``credited`` (what credit notes gave
    back on an invoice) may be passed in when a page of documents loaded them together."""
    customer = customers.get(session, doc.customer_id)
    if entries is None:
        entries = repository.document_entries(session, doc.id)
    sign = -1 if doc.type == "credit_note" else 1
    out: dict[str, Any] = {
        "id": doc.id,
        "type": doc.type,
        "number": document_number(doc),
        "customer_id": doc.customer_id,
        "subscription_id": doc.subscription_id,
        "currency": doc.currency,
        "issue_date": doc.issue_date.isoformat(),
        "lines": lines(entries, currency=doc.currency, locale=customer.locale, sign=sign),
        "total": doc.total,
        "total_formatted": format_money(doc.total, doc.currency, customer.locale),
        "bill_run_id": doc.bill_run_id,
    }
    if doc.type == "invoice":
        if credited is None:
            credited = repository.credited_total(session, doc.id)
        due = max(0, doc.total - credited - doc.amount_paid - doc.balance_applied)
        out.update(
            due_date=doc.due_date.isoformat() if doc.due_date else None,
            status=doc.status,
            amount_paid=doc.amount_paid,
            balance_applied=doc.balance_applied,
            amount_credited=credited,
            amount_due=due,
            amount_due_formatted=format_money(due, doc.currency, customer.locale),
        )
    else:
        out["invoice_id"] = doc.invoice_id
    if doc.type == "refund":
        out["status"] = doc.status
    return out
