"""Importing a bank file, and allocating what it left unmatched.

1. Imports take one transaction-level lock first (PostgreSQL's advisory lock; SQLite's writer
   lock serializes already), before any row lock, so two imports of one file run one after
   the other; two allocations of one payment queue on the payment's row.
2. A file seen before (same content, or the same identifiers of its own: a BgMax timestamp,
   an OCR giro transmission, a camt.054 message id) answers its first import's result again
   and imports nothing.
3. The whole file is parsed and checked before any row is written (:mod:`.formats`); a
   refusal leaves the database as it was (the request's transaction is rolled back).
4. Each payment is kept (``bank_payments``) and matched by its references
   (:mod:`.matching`): each invoice named is paid what is due on it, in the order named; what
   is left once every reference matched is kept as customer credit
   (:func:`.credit.keep_overpayment`); what is left when some reference matched nothing (an
   unknown reference, another currency than the invoice's, a void invoice) waits in the
   unmatched queue with the reason. Deductions are kept as reported and never matched.
5. Staff allocate from the queue (:func:`allocate`): never more than a payment still holds,
   only to an invoice of its currency; what is due is paid and the rest kept as credit.

Payments go through :func:`billing.invoicing.service.record_payment`, the one writer of
payments (invoice status, ``payment.recorded`` in the feed).
"""

from __future__ import annotations

from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from billing.clock import utcnow
from billing.domain.errors import InvalidInput
from billing.ids import new_id
from billing.invoicing import repository as invoices
from billing.invoicing.service import amount_due, record_payment
from billing.payments import matching, repository
from billing.payments.credit import keep_overpayment
from billing.payments.formats import parse_file
from billing.payments.records import BankLine, FileFormat, LineKind
from billing.payments.schemas import bank_payment_out, file_out
from billing.storage.db import is_postgres
from billing.storage.models import BankAllocation, BankPayment, Document, PaymentFile, Seller

__all__ = ["Imported", "allocate", "import_file", "unmatched"]


@dataclass(frozen=True, slots=True)
class Imported:
    """The answer of an import; ``new`` is false when the file had been imported before."""

    result: dict[str, Any]
    new: bool


@dataclass(frozen=True, slots=True)
class _Plan:
    """How one payment's money goes: ``(invoice, paid)`` in order, then ``credit`` kept on the
    last invoice; ``reason`` when some of it stays unallocated."""

    shares: list[tuple[Document, int]]
    credit: int
    reason: str | None


#: The advisory lock key bank imports serialize on (any constant of our own).
IMPORT_LOCK = 0x62696C6C_696D7074  # "billimpt"


def import_file(session: Session, content: bytes, format: FileFormat | None = None) -> Imported:
    if is_postgres(session):
        session.execute(sql("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK})
    digest = sha256(content).hexdigest()
    known = repository.file_by_hash_or_key(session, sha256=digest, key=None)
    if known is None:
        parsed = parse_file(content, format)
        known = repository.file_by_hash_or_key(session, sha256=digest, key=parsed.key)
    if known is not None:
        assert known.result is not None
        return Imported(known.result, new=False)
    file = PaymentFile(
        id=new_id("pf"),
        format=parsed.format.value,
        sha256=digest,
        file_key=parsed.key,
        received_at=utcnow(),
        payment_count=len(parsed.lines),
        total_amount=parsed.total,
    )
    session.add(file)
    session.flush()
    for position, line in enumerate(parsed.lines, start=1):
        _import_line(session, file, position, line)
    payments = repository.payments_of_file(session, file.id)
    allocations = repository.allocations_of(session, [p.id for p in payments])
    file.result = file_out(file, payments, allocations)
    session.flush()
    return Imported(file.result, new=True)


def _import_line(session: Session, file: PaymentFile, position: int, line: BankLine) -> None:
    seller = matching.seller_paid(session, line.receiver, line.references)
    plan = _Plan([], 0, None)
    if line.kind is LineKind.PAYMENT:
        plan = _plan(session, line, seller)
    payment = BankPayment(
        id=new_id("bkp"),
        file_id=file.id,
        position=position,
        location=line.location[:120],
        kind=line.kind.value,
        reference=" ".join(line.references)[:200] or None,
        amount=line.amount,
        currency=line.currency,
        paid_on=line.paid_on,
        payer=line.payer[:200] if line.payer else None,
        receiver=str(line.receiver)[:80] if line.receiver else None,
        seller_id=seller.id if seller is not None else None,
        reason=plan.reason,
        created_at=utcnow(),
    )
    session.add(payment)
    session.flush()
    for i, (invoice, paid) in enumerate(plan.shares):
        credit = plan.credit if i == len(plan.shares) - 1 else 0
        if paid or credit:
            _allocate(session, payment, invoice, paid=paid, credit=credit, by="import")


def _plan(session: Session, line: BankLine, seller: Seller | None) -> _Plan:
    """Lock the invoices the references name and share the amount among them."""
    if not line.references:
        return _Plan([], 0, "no_reference")
    targets: list[Document] = []
    failure: str | None = None
    for text in line.references:
        found = matching.invoice_for(session, text, seller=seller)
        reason = found.reason or _refusal(found.invoice, line.currency)
        if reason is not None:
            failure = failure or reason
        elif found.invoice is not None and found.invoice.id not in {t.id for t in targets}:
            targets.append(invoices.lock_document(session, found.invoice.id, "invoice"))
    left = line.amount
    shares: list[tuple[Document, int]] = []
    for invoice in targets:
        paid = min(amount_due(session, invoice), left)
        shares.append((invoice, paid))
        left -= paid
    if targets and failure is None:
        return _Plan(shares, left, None)
    return _Plan(shares, 0, failure if left > 0 else None)


def _refusal(invoice: Document | None, currency: str) -> str | None:
    if invoice is None:
        return None
    if invoice.currency != currency:
        return "currency_mismatch"
    if invoice.status == "void":
        return "invoice_void"
    return None


def _allocate(
    session: Session, payment: BankPayment, invoice: Document, *, paid: int, credit: int, by: str
) -> None:
    payment_id = None
    if paid > 0:
        recorded, _ = record_payment(
            session,
            invoice_id=invoice.id,
            amount=paid,
            paid_on=payment.paid_on,
            reference=payment.reference,
        )
        payment_id = recorded.id
    if credit > 0:
        keep_overpayment(session, invoice, credit)
    session.add(
        BankAllocation(
            bank_payment_id=payment.id,
            invoice_id=invoice.id,
            payment_id=payment_id,
            paid=paid,
            credit=credit,
            allocated_by=by,
            created_at=utcnow(),
        )
    )
    session.flush()


def unmatched(session: Session, *, after: str | None, limit: int) -> dict[str, Any]:
    """The queue: payments that still hold money, oldest first."""
    rows = repository.unmatched_page(session, after=after, limit=limit)
    allocations = repository.allocations_of(session, [r.id for r in rows])
    return {
        "data": [
            bank_payment_out(r, [a for a in allocations if a.bank_payment_id == r.id]) for r in rows
        ],
        "next_cursor": rows[-1].id if len(rows) == limit else None,
    }


def allocate(
    session: Session, bank_payment_id: str, *, invoice_id: str, amount: int
) -> dict[str, Any]:
    """Staff put ``amount`` of a queued payment to an invoice."""
    payment = repository.lock_bank_payment(session, bank_payment_id)
    if payment.kind != LineKind.PAYMENT.value:
        raise InvalidInput("a deduction holds no money to allocate", code="not_a_payment")
    holds = payment.amount - repository.allocated(session, [payment.id]).get(payment.id, 0)
    if amount > holds:
        raise InvalidInput(
            f"the payment holds {holds}, not {amount}", code="allocation_exceeds_payment"
        )
    invoice = invoices.lock_document(session, invoice_id, "invoice")
    refusal = _refusal(invoice, payment.currency)
    if refusal == "currency_mismatch":
        raise InvalidInput(
            f"the payment is in {payment.currency}, the invoice in {invoice.currency}",
            code="currency_mismatch",
        )
    if refusal == "invoice_void":
        raise InvalidInput("a void invoice takes no payments", code="invoice_void")
    paid = min(amount_due(session, invoice), amount)
    _allocate(session, payment, invoice, paid=paid, credit=amount - paid, by="staff")
    return bank_payment_out(payment, repository.allocations_of(session, [payment.id]))
