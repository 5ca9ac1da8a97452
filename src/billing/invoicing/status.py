"""What is still owed on an invoice, and the status that follows from it.

``amount due = total − credited − paid in money − paid from balance``, never below zero. An
invoice is ``open`` while something is owed, ``paid`` once covered, and ``void`` when credit
notes gave all of it back before anything was paid. Everything that changes one of those terms
(a credit note, a payment, balance applied) refreshes the status through
:func:`refresh_invoice_status`, the one rule.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from billing.invoicing import repository
from billing.storage.models import Document


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
