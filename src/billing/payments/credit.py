"""Customer credit from money paid beyond what an invoice asked.

A bank payment larger than what is due on the invoice its reference names pays what is due;
the excess is kept as customer credit (a :class:`~billing.storage.models.BalanceEntry` of kind
``overpaid`` on that invoice), which later invoices consume first like any other balance
(:func:`billing.invoicing.balance.apply_balance`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from billing.clock import utcnow
from billing.invoicing.balance import lock_customer
from billing.storage.models import BalanceEntry, Document

OVERPAID = "overpaid"


def keep_overpayment(session: Session, invoice: Document, amount: int) -> BalanceEntry:
    """Keep ``amount`` (> 0) paid beyond ``invoice`` as its customer's credit."""
    assert amount > 0
    lock_customer(session, invoice.customer_id)
    entry = BalanceEntry(
        customer_id=invoice.customer_id,
        currency=invoice.currency,
        amount=amount,
        kind=OVERPAID,
        document_id=invoice.id,
        created_at=utcnow(),
    )
    session.add(entry)
    session.flush()
    return entry
