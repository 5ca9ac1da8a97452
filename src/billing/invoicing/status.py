"""What is still owed on an invoice, and the status that follows from it.

``amount due = total − credited − paid in money − paid from balance``, never below zero. An
invoice is ``open`` while something is owed, ``paid`` once covered, and ``void`` when credit
notes gave all of it back before anything was paid. Everything that changes one of those terms
(a credit note, a payment, balance applied) refreshes the status through
:func:`refresh_invoice_status`, the one rule.

That stored status is the invoice's settlement; what an invoice *answers* is read against
today (:func:`invoice_fields`, :func:`billing.domain.overdue.invoice_status`): ``overdue``
while open past its due date with something still due, with ``days_overdue``, and
``disputed`` while the customer disputes it. Never stored, so never stale.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from billing.domain.money import format_money
from billing.domain.overdue import OVERDUE, days_overdue, invoice_status
from billing.invoicing import repository
from billing.storage.models import Customer, Document

#: Today in a time zone (the service clock's day, or a loaded subscription's today).
Today = Callable[[str], date]


def amount_due(session: Session, invoice: Document) -> int:
    return max(
        0,
        invoice.total
        - repository.credited_total(session, invoice.id)
        - invoice.amount_paid
        - invoice.balance_applied,
    )


def refresh_invoice_status(session: Session, invoice_id: str) -> None:
    """open while something is owed; paid once covered; void when fully credited unpaid."""
    # Locked and read afresh: a payment committed meanwhile must not be overwritten.
    invoice = repository.lock_document(session, invoice_id, "invoice")
    credited = repository.credited_total(session, invoice_id)
    owed = invoice.total - credited - invoice.amount_paid - invoice.balance_applied
    if credited >= invoice.total and invoice.amount_paid == 0 and invoice.balance_applied == 0:
        status = "void"
    elif owed <= 0:
        status = "paid"
    else:
        status = "open"
    repository.set_paid(session, invoice_id, amount_paid=invoice.amount_paid, status=status)
    session.refresh(invoice)


def invoice_fields(
    session: Session,
    doc: Document,
    customer: Customer,
    *,
    credited: int | None,
    today: Today,
    disputed: bool | None,
) -> dict[str, Any]:
    """What is owed on an invoice and the status it answers today (module docstring), as its
    JSON shows them; ``credited`` and ``disputed`` when a page read them together."""
    if credited is None:
        credited = repository.credited_total(session, doc.id)
    if disputed is None:
        disputed = bool(doc.id and repository.open_disputes(session, [doc.id]))
    due = max(0, doc.total - credited - doc.amount_paid - doc.balance_applied)
    day = today(customer.timezone)
    status = invoice_status(doc.status, amount_due=due, due_date=doc.due_date, today=day)
    return {
        "due_date": doc.due_date.isoformat() if doc.due_date else None,
        "status": status,
        "days_overdue": days_overdue(doc.due_date, day) if status == OVERDUE else 0,
        "disputed": disputed,
        "amount_paid": doc.amount_paid,
        "balance_applied": doc.balance_applied,
        "amount_credited": credited,
        "amount_due": due,
        "amount_due_formatted": format_money(due, doc.currency, customer.locale),
    }
