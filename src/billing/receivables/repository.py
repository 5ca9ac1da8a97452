"""Every query of the receivables: accounts' rows, and all invoices' positions on a day.

Customer-credit entries carry no business date of their own: they are written with the
document that makes them, so each is dated by it (a kept credit by its credit note's issue
date, an applied one by its invoice's), as :mod:`billing.invoicing.balance` writes them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from sqlalchemy import Subquery, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from billing.domain.posting import document_number
from billing.invoicing import repository as invoices
from billing.receivables.statement import (
    AccountRows,
    CreditRow,
    DocumentRow,
    InvoiceRow,
    PaymentRow,
    Position,
)
from billing.storage.models import BalanceEntry, Document, Payment

_BATCH = 5000


def account_rows(session: Session, customer_id: str, currency: str) -> AccountRows:
    """Every invoice, credit note, refund, payment and customer-credit entry of the account."""
    return accounts_rows(session, [(customer_id, currency)])[(customer_id, currency)]


Account = tuple[str, str]


def accounts_rows(session: Session, accounts: Sequence[Account]) -> dict[Account, AccountRows]:
    """The rows of each account (customer id, currency), read together: five queries
    whatever their number (a page of customers), not five per customer."""
    wanted = set(accounts)
    ids = sorted({customer for customer, _ in wanted})
    if not ids:
        return {}
    docs = [
        d
        for d in session.scalars(
            select(Document)
            .where(Document.customer_id.in_(ids))
            .order_by(Document.issue_date, Document.series, Document.number)
        )
        if (d.customer_id, d.currency) in wanted
    ]
    number = {d.id: document_number(d.series, d.number) for d in docs}
    invoice_ids = [d.id for d in docs if d.type == "invoice"]
    disputed = invoices.open_disputes(session, invoice_ids)
    payments = _payments(session, ids, number)
    credits = _credits(session, ids, number)
    out = {}
    for key in wanted:
        mine = [d for d in docs if (d.customer_id, d.currency) == key]
        out[key] = AccountRows(
            invoices=[
                InvoiceRow(
                    d.id, number[d.id], d.issue_date, d.due_date, d.total, d.payment_reference
                )
                for d in mine
                if d.type == "invoice"
            ],
            credit_notes=_given_back(mine, "credit_note", number),
            refunds=_given_back(mine, "refund", number),
            payments=payments.get(key, []),
            credits=credits.get(key, []),
            disputed=frozenset(d.id for d in mine if d.id in disputed),
        )
    return out


def _given_back(
    docs: Sequence[Document], doc_type: str, number: dict[str, str]
) -> list[DocumentRow]:
    return [
        DocumentRow(
            d.id,
            number[d.id],
            d.issue_date,
            d.total,
            d.invoice_id,
            number.get(d.invoice_id) if d.invoice_id else None,
        )
        for d in docs
        if d.type == doc_type
    ]


def _payments(
    session: Session, customer_ids: Sequence[str], number: dict[str, str]
) -> dict[Account, list[PaymentRow]]:
    rows = session.execute(
        select(
            Document.customer_id,
            Document.currency,
            Payment.id,
            Payment.invoice_id,
            Payment.paid_on,
            Payment.amount,
            Payment.reference,
        )
        .join(Document, Document.id == Payment.invoice_id)
        .where(Document.customer_id.in_(customer_ids))
        .order_by(Payment.paid_on, Payment.id)
    ).all()
    out: dict[Account, list[PaymentRow]] = {}
    for customer_id, currency, pid, inv, paid_on, amount, ref in rows:
        row = PaymentRow(pid, inv, number.get(inv, inv), paid_on, amount, ref)
        out.setdefault((customer_id, currency), []).append(row)
    return out


def _credits(
    session: Session, customer_ids: Sequence[str], number: dict[str, str]
) -> dict[Account, list[CreditRow]]:
    rows = session.execute(
        select(
            BalanceEntry.customer_id,
            BalanceEntry.currency,
            BalanceEntry.id,
            BalanceEntry.kind,
            BalanceEntry.amount,
            BalanceEntry.document_id,
            Document.type,
            Document.issue_date,
            Document.invoice_id,
        )
        .join(Document, Document.id == BalanceEntry.document_id)
        .where(BalanceEntry.customer_id.in_(customer_ids))
        .order_by(BalanceEntry.id)
    ).all()
    out: dict[Account, list[CreditRow]] = {}
    for customer_id, currency, entry_id, kind, amount, doc_id, doc_type, day, credited in rows:
        invoice_id = doc_id if doc_type == "invoice" else credited
        row = CreditRow(
            entry_id,
            kind,
            amount,
            doc_id,
            number.get(doc_id, doc_id),
            day,
            invoice_id,
            number.get(invoice_id) if invoice_id else None,
        )
        out.setdefault((customer_id, currency), []).append(row)
    return out


def _term_subqueries(as_of: date) -> dict[str, Subquery]:
    """Per invoice id (column ``key``), each term of its position on ``as_of`` (column
    ``amount``) but what it billed."""
    note = aliased(Document)

    def by_invoice(doc_type: str) -> Subquery:
        return (
            select(Document.invoice_id.label("key"), func.sum(Document.total).label("amount"))
            .where(Document.type == doc_type, Document.issue_date <= as_of)
            .group_by(Document.invoice_id)
            .subquery(doc_type)
        )

    paid = (
        select(Payment.invoice_id.label("key"), func.sum(Payment.amount).label("amount"))
        .where(Payment.paid_on <= as_of)
        .group_by(Payment.invoice_id)
    )
    applied = (
        select(
            BalanceEntry.document_id.label("key"), func.sum(-BalanceEntry.amount).label("amount")
        )
        .where(BalanceEntry.kind == "applied")
        .group_by(BalanceEntry.document_id)
    )
    kept = (
        select(note.invoice_id.label("key"), func.sum(BalanceEntry.amount).label("amount"))
        .select_from(BalanceEntry)
        .join(note, note.id == BalanceEntry.document_id)
        .where(BalanceEntry.kind == "credit_kept", note.issue_date <= as_of)
        .group_by(note.invoice_id)
    )
    return {
        "credited": by_invoice("credit_note"),
        "paid": paid.subquery("paid"),
        "applied": applied.subquery("applied"),
        "refunded": by_invoice("refund"),
        "kept": kept.subquery("kept"),
    }


def invoice_positions(
    session: Session, *, as_of: date
) -> Iterator[tuple[str, str, date | None, Position]]:
    """(customer id, currency, due date, position on ``as_of``) of every invoice that has
    something due or unallocated credit on that day, read in batches. Every invoice is read,
    also those issued after ``as_of`` (billed 0 then), so that a payment dated before its
    invoice counts as the statement counts it."""
    sub = _term_subqueries(as_of)
    issued = Document.issue_date <= as_of
    billed = case((issued, Document.total), else_=literal(0))
    amount = {name: func.coalesce(s.c.amount, 0) for name, s in sub.items()}
    # Applied credit is dated by its invoice: none before the invoice is issued.
    applied = case((issued, amount["applied"]), else_=literal(0))
    net = billed - amount["credited"] - amount["paid"] - applied
    query = select(
        Document.customer_id,
        Document.currency,
        Document.due_date,
        billed,
        amount["credited"],
        amount["paid"],
        applied,
        amount["refunded"],
        amount["kept"],
    ).where(Document.type == "invoice")
    for s in sub.values():
        query = query.outerjoin(s, s.c.key == Document.id)
    # Due (net > 0), or unallocated (max(0, -net) - refunded - kept != 0; when net <= 0 that
    # is net + refunded + kept != 0).
    query = query.where(
        or_(net > 0, and_(net <= 0, net + amount["refunded"] + amount["kept"] != 0))
    ).order_by(Document.customer_id, Document.id)
    for row in session.execute(query.execution_options(yield_per=_BATCH)):
        customer_id, currency, due_date, *values = row
        yield customer_id, currency, due_date, Position(*(int(v) for v in values))


def credits_on(session: Session, *, as_of: date) -> dict[tuple[str, str], int]:
    """The customer credit per (customer, currency) on ``as_of``."""
    rows = session.execute(
        select(BalanceEntry.customer_id, BalanceEntry.currency, func.sum(BalanceEntry.amount))
        .join(Document, Document.id == BalanceEntry.document_id)
        .where(Document.issue_date <= as_of)
        .group_by(BalanceEntry.customer_id, BalanceEntry.currency)
    ).all()
    return {(c, cur): int(total) for c, cur, total in rows if total}
