"""What paid time given back becomes: a refund or customer credit — never nothing.

A credit note always documents what is given back, and first reduces what is still owed on the
invoice it credits. When that invoice had been paid (in money or from balance) beyond what is
now owed on it, that overpayment goes back (domain.md, "Every öre has a place"):

* ``refund``: a refund document (series RF) in the documents feed tells the invoicing system to
  pay it back; never more than was paid in money on that invoice (less earlier refunds); the
  rest becomes customer credit;
* ``balance`` and ``credit_note`` (the default): it is kept as customer credit; later invoices
  consume it first (the invoice shows ``balance_applied``; its amount due never goes below
  zero). ``credit_note`` once left the overpayment to the invoicing system, where it was nobody's:
  it now names the same rule as ``balance`` (kept for the clients that send it);
* ``none`` gives nothing back, so no credit note is made at all.

The customer balance is an append-only ledger per customer in the customer's currency; it
never goes negative.
"""

from __future__ import annotations

import functools
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing.clock import utcnow
from billing.ids import new_id
from billing.invoicing import repository
from billing.invoicing.status import amount_due, refresh_invoice_status
from billing.storage.db import is_postgres
from billing.storage.models import BalanceEntry, Customer, Document
from billing.storage.numbering import PREVIEW, later, next_number, provisional
from billing.storage.rows import rows_where

REFUND_SERIES = "RF"


def customer_balance(session: Session, customer_id: str) -> int:
    value = session.scalar(
        select(func.coalesce(func.sum(BalanceEntry.amount), 0)).where(
            BalanceEntry.customer_id == customer_id
        )
    )
    return int(value or 0)


def balance_entries(session: Session, customer_id: str) -> list[BalanceEntry]:
    of_customer = BalanceEntry.customer_id == customer_id
    return rows_where(session, BalanceEntry, of_customer, order_by=[BalanceEntry.id])


def _returned(session: Session, invoice: Document) -> tuple[int, int]:
    """(refunded, kept as balance) so far from credit notes of this invoice."""
    refunded = session.scalar(
        select(func.coalesce(func.sum(Document.total), 0)).where(
            Document.type == "refund", Document.invoice_id == invoice.id
        )
    )
    notes = select(Document.id).where(
        Document.type == "credit_note", Document.invoice_id == invoice.id
    )
    kept = session.scalar(
        select(func.coalesce(func.sum(BalanceEntry.amount), 0)).where(
            BalanceEntry.kind == "credit_kept", BalanceEntry.document_id.in_(notes)
        )
    )
    return int(refunded or 0), int(kept or 0)


def lock_customer(session: Session, customer_id: str) -> None:
    """Serialize balance changes of one customer (PostgreSQL row lock; SQLite's writer lock
    is already held), so two postings never spend the same credit."""
    if is_postgres(session):
        # FOR NO KEY UPDATE: FOR UPDATE would wait for every foreign-key check on the
        # customer (any document or payment written for it meanwhile) and deadlock with them.
        session.execute(
            select(Customer.id).where(Customer.id == customer_id).with_for_update(key_share=True)
        )


def _numbered_refund(doc: Document, number: int) -> None:
    doc.series, doc.number = REFUND_SERIES, number


def _refund(session: Session, invoice: Document, amount: int, issue_date: date) -> Document:
    """A refund of ``amount`` paid on ``invoice``, numbered when the transaction takes its
    numbers (a preview shows the number it would get)."""
    preview = bool(session.info.get(PREVIEW))
    series, number = (
        (REFUND_SERIES, next_number(session, REFUND_SERIES)) if preview else provisional(session)
    )
    doc = Document(
        id=new_id("rf"),
        type="refund",
        series=series,
        number=number,
        customer_id=invoice.customer_id,
        subscription_id=invoice.subscription_id,
        invoice_id=invoice.id,
        bill_run_id=None,
        currency=invoice.currency,
        issue_date=issue_date,
        due_date=None,
        total=amount,
        amount_paid=0,
        status="pending",
        created_at=utcnow(),
    )
    session.add(doc)
    if not preview:
        later(session, REFUND_SERIES, functools.partial(_numbered_refund, doc))
    return doc


def route_unused(
    session: Session, note: Document, *, unused: str, issue_date: date
) -> list[Document]:
    """Send the overpayment a credit note creates to a refund or the balance.

    ``none`` gives no paid time back, so it seldom makes a credit note; when one arises all the
    same (a cancellation on the start date: nothing was served), what it frees of a paid
    invoice is kept as customer credit, as under ``credit_note``: never left in limbo."""
    if note.invoice_id is None:
        return []
    lock_customer(session, note.customer_id)
    invoice = repository.get_document(session, note.invoice_id, "invoice")
    credited = repository.credited_total(session, invoice.id)
    refunded, kept = _returned(session, invoice)
    settled = invoice.amount_paid + invoice.balance_applied
    overpaid = max(0, settled - max(0, invoice.total - credited)) - refunded - kept
    overpaid = min(overpaid, note.total)
    if overpaid <= 0:
        return []
    made: list[Document] = []
    to_balance = overpaid
    if unused == "refund":
        refund = min(overpaid, invoice.amount_paid - refunded)
        if refund > 0:
            doc = _refund(session, invoice, refund, issue_date)
            made.append(doc)
            to_balance -= refund
    if to_balance > 0:
        session.add(
            BalanceEntry(
                customer_id=invoice.customer_id,
                currency=invoice.currency,
                amount=to_balance,
                kind="credit_kept",
                document_id=note.id,
                created_at=utcnow(),
            )
        )
    session.flush()
    return made


def apply_balance(session: Session, invoice: Document) -> int:
    """Consume customer balance on a new invoice, up to what it asks; returns the amount."""
    lock_customer(session, invoice.customer_id)
    available = customer_balance(session, invoice.customer_id)
    if available <= 0:
        return 0
    use = min(available, amount_due(session, invoice))
    if use <= 0:
        return 0
    session.add(
        BalanceEntry(
            customer_id=invoice.customer_id,
            currency=invoice.currency,
            amount=-use,
            kind="applied",
            document_id=invoice.id,
            created_at=utcnow(),
        )
    )
    invoice.balance_applied += use
    session.flush()
    refresh_invoice_status(session, invoice.id)
    return use
