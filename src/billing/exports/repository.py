"""Every query of the SIE export and the chart of accounts.

A seller's events are those of its documents: invoices and credit notes it issued
(``documents.seller_id``; documents issued before sellers existed belong to the default seller),
and the payments, refunds, customer credit and bank overpayments on its invoices. Each is read
by its own business date within the period: a document by its issue date, a payment by the
day it was paid, an overpayment by the day the bank says it was paid.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from billing.errors import NotFound
from billing.storage.models import (
    BalanceEntry,
    BankAllocation,
    BankPayment,
    ChartAccount,
    Document,
    LedgerEntry,
    Payment,
    Seller,
    Subscription,
)

_CHUNK = 500
SALES = ("invoice", "credit_note")


def seller(session: Session, seller_id: str | None) -> Seller:
    """The seller named, or the default one; 404 ``seller_not_found``."""
    if seller_id is None:
        found = session.scalar(select(Seller).where(Seller.is_default.is_(True)))
    else:
        found = session.get(Seller, seller_id)
    if found is None:
        raise NotFound(f"seller {seller_id or '(default)'} not found", code="seller_not_found")
    return found


def _of_seller(column: InstrumentedAttribute[str | None], who: Seller) -> ColumnElement[bool]:
    if who.is_default:
        return or_(column == who.id, column.is_(None))
    return column == who.id


def sales(session: Session, who: Seller, *, start: date, end: date) -> list[Document]:
    """Invoices and credit notes issued in the period, in issue order."""
    return list(
        session.scalars(
            select(Document)
            .where(
                Document.type.in_(SALES),
                _of_seller(Document.seller_id, who),
                Document.issue_date >= start,
                Document.issue_date <= end,
            )
            # The order they were made in within a day: an invoice before its credit note.
            .order_by(Document.issue_date, Document.created_at, Document.series, Document.number)
        )
    )


def refunds(session: Session, who: Seller, *, start: date, end: date) -> list[Document]:
    """Refunds issued in the period on the seller's invoices."""
    invoice = aliased(Document)
    return list(
        session.scalars(
            select(Document)
            .join(invoice, invoice.id == Document.invoice_id)
            .where(
                Document.type == "refund",
                _of_seller(invoice.seller_id, who),
                Document.issue_date >= start,
                Document.issue_date <= end,
            )
            .order_by(Document.issue_date, Document.series, Document.number)
        )
    )


def payments(
    session: Session, who: Seller, *, start: date, end: date
) -> list[tuple[Payment, Document]]:
    """Payments made in the period on the seller's invoices, with their invoice."""
    rows = session.execute(
        select(Payment, Document)
        .join(Document, Document.id == Payment.invoice_id)
        .where(
            _of_seller(Document.seller_id, who), Payment.paid_on >= start, Payment.paid_on <= end
        )
        .order_by(Payment.paid_on, Payment.recorded_at, Payment.id)
    ).all()
    return [(p, d) for p, d in rows]


def overpayments(
    session: Session, who: Seller, *, start: date, end: date
) -> list[tuple[BankAllocation, date, Document]]:
    """Money of bank payments paid in the period kept as customer credit on the seller's
    invoices: (allocation, the day it was paid, the invoice)."""
    rows = session.execute(
        select(BankAllocation, BankPayment.paid_on, Document)
        .join(BankPayment, BankPayment.id == BankAllocation.bank_payment_id)
        .join(Document, Document.id == BankAllocation.invoice_id)
        .where(
            BankAllocation.credit > 0,
            _of_seller(Document.seller_id, who),
            BankPayment.paid_on >= start,
            BankPayment.paid_on <= end,
        )
        .order_by(BankPayment.paid_on, BankAllocation.id)
    ).all()
    return [(a, day, d) for a, day, d in rows]


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def entries_of(session: Session, document_ids: Sequence[str]) -> list[LedgerEntry]:
    out: list[LedgerEntry] = []
    for chunk in _chunks(document_ids):
        out += session.scalars(
            select(LedgerEntry).where(LedgerEntry.document_id.in_(chunk)).order_by(LedgerEntry.id)
        )
    return out


def credit_entries_of(session: Session, document_ids: Sequence[str]) -> list[BalanceEntry]:
    """The customer-credit entries written with these documents (every kind)."""
    out: list[BalanceEntry] = []
    for chunk in _chunks(document_ids):
        out += session.scalars(
            select(BalanceEntry)
            .where(BalanceEntry.document_id.in_(chunk))
            .order_by(BalanceEntry.id)
        )
    return out


def plans_of(session: Session, subscription_ids: Iterable[str]) -> dict[str, str]:
    """Subscription id → its plan id."""
    ids = sorted(set(subscription_ids))
    out: dict[str, str] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(Subscription.id, Subscription.plan_id).where(Subscription.id.in_(chunk))
        ).all()
        out.update({sid: pid for sid, pid in rows})
    return out


def chart_rows(session: Session, seller_id: str) -> list[ChartAccount]:
    return list(
        session.scalars(
            select(ChartAccount)
            .where(ChartAccount.seller_id == seller_id)
            .order_by(ChartAccount.key)
        )
    )


def replace_chart(
    session: Session, seller_id: str, rows: Iterable[tuple[str, str, str]], *, now: datetime
) -> None:
    """The seller's changes become ``rows`` (key, account, name): the others are removed."""
    session.execute(delete(ChartAccount).where(ChartAccount.seller_id == seller_id))
    session.add_all(
        ChartAccount(seller_id=seller_id, key=k, account=a, name=n, updated_at=now)
        for k, a, n in rows
    )
    session.flush()
