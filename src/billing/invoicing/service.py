"""Posting the ledger's difference as documents, and recording payments.

New entries from :func:`billing.domain.ledger.post_difference` are grouped into documents:
all new charges of a subscription in one posting go on one invoice; credits go on one credit
note per invoice they give back, each credit note pointing at that invoice (domain.md, "One
ledger"). Numbers are gapless per series.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from billing.clock import utcnow
from billing.domain.errors import InvalidInput
from billing.domain.ledger import Entry
from billing.ids import new_id
from billing.invoicing import repository
from billing.storage.models import Document, LedgerEntry, Payment, Subscription

DEFAULT_PAYMENT_TERMS_DAYS = 30


@dataclass(frozen=True, slots=True)
class Posting:
    """What one posting produced: the documents and their new ledger rows."""

    documents: list[Document]
    entries: list[LedgerEntry]


def post_entries(
    session: Session,
    *,
    subscription: Subscription,
    posted: Sequence[LedgerEntry],
    new: Sequence[Entry],
    issue_date: date,
    bill_run_id: str | None = None,
    payment_terms_days: int = DEFAULT_PAYMENT_TERMS_DAYS,
    unused: str = "credit_note",
) -> Posting:
    """Post ``new`` entries as documents. ``unused`` says what paid time given back becomes
    beyond the credit note that always documents it: ``refund`` (a refund instruction for
    what was overpaid, never more than was paid), ``balance`` (customer credit that later
    invoices consume first) or ``credit_note`` (the credit note alone)."""
    if not new:
        return Posting([], [])
    from billing.events.service import lock_feed

    lock_feed(session)
    now = utcnow()
    by_id = {str(row.id): row for row in posted}
    documents: list[Document] = []
    rows: list[LedgerEntry] = []

    def row_for(entry: Entry, document: Document) -> LedgerEntry:
        return LedgerEntry(
            subscription_id=subscription.id,
            customer_id=subscription.customer_id,
            item=entry.item,
            kind=entry.kind.value,
            period_start=entry.period_start,
            period_end=entry.period_end,
            service_start=entry.service_start,
            service_end=entry.service_end,
            unit_amount=entry.unit_amount,
            quantity=entry.quantity,
            period_amount=entry.period_amount,
            amount=entry.amount,
            currency=subscription.currency,
            event_id=entry.event_id,
            credits_entry_id=int(entry.credits) if entry.credits is not None else None,
            document_type=document.type,
            document_id=document.id,
            posted_at=now,
        )

    charges = [e for e in new if not e.is_credit]
    if charges:
        invoice = Document(
            id=new_id("inv"),
            type="invoice",
            series=repository.INVOICE_SERIES,
            number=repository.next_number(session, repository.INVOICE_SERIES),
            customer_id=subscription.customer_id,
            subscription_id=subscription.id,
            invoice_id=None,
            bill_run_id=bill_run_id,
            currency=subscription.currency,
            issue_date=issue_date,
            due_date=issue_date + timedelta(days=payment_terms_days),
            total=sum(e.amount for e in charges),
            amount_paid=0,
            status="open",
            created_at=now,
        )
        session.add(invoice)
        documents.append(invoice)
        rows.extend(row_for(e, invoice) for e in charges)

    credits_by_invoice: dict[str, list[Entry]] = defaultdict(list)
    for e in new:
        if e.is_credit:
            assert e.credits is not None
            credited = by_id[e.credits]
            assert credited.document_id is not None
            credits_by_invoice[credited.document_id].append(e)
    for invoice_id, credits in credits_by_invoice.items():
        note = Document(
            id=new_id("cn"),
            type="credit_note",
            series=repository.CREDIT_NOTE_SERIES,
            number=repository.next_number(session, repository.CREDIT_NOTE_SERIES),
            customer_id=subscription.customer_id,
            subscription_id=subscription.id,
            invoice_id=invoice_id,
            bill_run_id=bill_run_id,
            currency=subscription.currency,
            issue_date=issue_date,
            due_date=None,
            total=-sum(e.amount for e in credits),
            amount_paid=0,
            status="issued",
            created_at=now,
        )
        session.add(note)
        documents.append(note)
        rows.extend(row_for(e, note) for e in credits)
    session.flush()
    repository.add_entries(session, rows)
    for invoice_id in credits_by_invoice:
        refresh_invoice_status(session, invoice_id)
    from billing.invoicing import balance

    for note in [d for d in documents if d.type == "credit_note"]:
        documents.extend(balance.route_unused(session, note, unused=unused, issue_date=issue_date))
    for invoice in [d for d in documents if d.type == "invoice"]:
        balance.apply_balance(session, invoice)
    for doc in documents:
        emit_document(session, doc)
    return Posting(documents, rows)


def emit_document(session: Session, doc: Document) -> None:
    """Announce a new document in the event feed (``invoice.issued`` and so on)."""
    from billing.events.service import emit

    emit(
        session,
        f"{doc.type}.issued",
        customer_id=doc.customer_id,
        subscription_id=doc.subscription_id,
        subject_id=doc.id,
        data={
            "number": f"{doc.series}-{doc.number:06d}",
            "total": doc.total,
            "currency": doc.currency,
            "issue_date": doc.issue_date.isoformat(),
            "invoice_id": doc.invoice_id,
            "bill_run_id": doc.bill_run_id,
        },
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


def amount_due(session: Session, invoice: Document) -> int:
    return max(
        0,
        invoice.total
        - repository.credited_total(session, invoice.id)
        - invoice.amount_paid
        - invoice.balance_applied,
    )


def record_payment(
    session: Session,
    *,
    invoice_id: str,
    amount: int,
    paid_on: date,
    reference: str | None,
) -> tuple[Payment, Document]:
    from billing.events.service import lock_feed

    lock_feed(session)
    invoice = repository.lock_document(session, invoice_id, "invoice")
    if invoice.status == "void":
        raise InvalidInput("a void invoice takes no payments", code="invoice_void")
    due = amount_due(session, invoice)
    if amount > due:
        raise InvalidInput(f"payment {amount} exceeds the amount due {due}", code="overpayment")
    payment = Payment(
        id=new_id("pay"),
        invoice_id=invoice.id,
        amount=amount,
        paid_on=paid_on,
        reference=reference,
        recorded_at=utcnow(),
    )
    repository.add_payment(session, payment)
    repository.set_paid(
        session, invoice.id, amount_paid=invoice.amount_paid + amount, status=invoice.status
    )
    session.refresh(invoice)
    refresh_invoice_status(session, invoice.id)
    from billing.events.service import emit

    emit(
        session,
        "payment.recorded",
        customer_id=invoice.customer_id,
        subscription_id=invoice.subscription_id,
        subject_id=payment.id,
        data={
            "invoice_id": invoice.id,
            "amount": amount,
            "paid_on": paid_on.isoformat(),
            "invoice_status": invoice.status,
        },
    )
    return payment, invoice
