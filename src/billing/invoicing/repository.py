"""Queries on the ledger, documents and payments (numbering: :mod:`billing.storage.numbering`).

Ledger entries are only ever inserted here; there is no update or delete path for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, false, func, not_, or_, select, update
from sqlalchemy.orm import Session

from billing.domain.ledger import Entry, EntryKind
from billing.domain.settlement import Settlement
from billing.errors import NotFound
from billing.storage.models import (
    Customer,
    Document,
    InvoiceDispute,
    LedgerEntry,
    LedgerSettlement,
    Payment,
)
from billing.storage.numbering import PREVIEW as PREVIEW  # where http.deps names it
from billing.storage.rows import Lock, get_row, page_after, rows_where


def posted_entries(
    session: Session, subscription_id: str, *, since: date | None = None
) -> list[LedgerEntry]:
    """A subscription's posted entries in posting order; with ``since``, only those of periods
    ending after it (what a derivation from ``since`` needs)."""
    where = [LedgerEntry.subscription_id == subscription_id]
    if since is not None:
        where.append(LedgerEntry.period_end > since)
    return rows_where(session, LedgerEntry, *where, order_by=[LedgerEntry.id])


def posted_entry_rows(session: Session, subscription_id: str) -> list[Any]:
    """A subscription's posted entries in posting order as Core rows of the ledger table (the
    columns as attributes, no ORM objects): what ``GET …/ledger`` shows."""
    return list(session.execute(_POSTED_ROWS, {"subscription_id": subscription_id}))


_LEDGER = LedgerEntry.__table__
#: Built once (see billing.subscriptions.repository: the hot reads' statements).
_POSTED_ROWS = (
    select(_LEDGER)
    .where(_LEDGER.c.subscription_id == bindparam("subscription_id"))
    .order_by(_LEDGER.c.id)
)


def settlement_point(session: Session, subscription_id: str) -> Settlement | None:
    """How far the subscription's ledger is settled (:mod:`billing.domain.settlement`)."""
    row = session.get(LedgerSettlement, subscription_id)
    return None if row is None else Settlement(row.settled_through, row.timeline_seq)


def store_settlement(
    session: Session, *, subscription_id: str, customer_id: str, point: Settlement
) -> None:
    """Keep ``point`` as the subscription's settlement point (its row is locked by the caller)."""
    row = session.get(LedgerSettlement, subscription_id)
    if row is None:
        row = LedgerSettlement(subscription_id=subscription_id, customer_id=customer_id)
        session.add(row)
    row.settled_through = point.settled_through
    row.timeline_seq = point.seq


_KINDS = {k.value: k for k in EntryKind}


def entry_from_row(row: Any) -> Entry:
    """The stored entry as the domain's posted entry. ``row``: a
    :class:`~billing.storage.models.LedgerEntry` (requests) or a Core row of its table (the
    bill run): anything with its columns as attributes. Positional arguments and a dict
    lookup for the kind, because the bill run converts every posted entry of a batch."""
    return Entry(
        row.item,
        _KINDS[row.kind],
        row.period_start,
        row.period_end,
        row.service_start,
        row.service_end,
        row.unit_amount,
        row.quantity,
        row.period_amount,
        row.amount,
        row.event_id,
        str(row.credits_entry_id) if row.credits_entry_id is not None else None,
        str(row.id),
    )


#: The name the services read ledger rows by.
to_domain = entry_from_row


def add_entries(session: Session, rows: Sequence[LedgerEntry]) -> None:
    session.add_all(rows)
    session.flush()


def get_document(
    session: Session, document_id: str, doc_type: str, *, customer_scope: str | None = None
) -> Document:
    """The document; with ``customer_scope`` (a portal caller's customer), another customer's
    is not found (404), not forbidden."""
    doc = session.get(Document, document_id)
    if doc is None or doc.type != doc_type or customer_scope not in (None, doc.customer_id):
        raise NotFound(f"{doc_type.replace('_', ' ')} {document_id} not found")
    return doc


def lock_document(session: Session, document_id: str, doc_type: str) -> Document:
    """The document, locked until commit and read afresh (not from the session's cache), so
    what is computed from it (amount paid, status) is never written back stale."""
    # FOR NO KEY UPDATE, not FOR UPDATE: a credit note inserted against this invoice holds
    # FOR KEY SHARE on it (its foreign key); FOR UPDATE would wait for that and deadlock when
    # the credit note's transaction then updates the invoice's status.
    session.flush()
    return get_row(
        session,
        Document,
        document_id,
        Document.type == doc_type,
        lock=Lock.NO_KEY_UPDATE,
        fresh=True,
        missing=f"{doc_type.replace('_', ' ')} {document_id} not found",
    )


def document_entries(session: Session, document_id: str) -> list[LedgerEntry]:
    on_document = LedgerEntry.document_id == document_id
    return rows_where(session, LedgerEntry, on_document, order_by=[LedgerEntry.id])


def documents_page(
    session: Session,
    *,
    doc_type: str,
    after_number: int | None,
    limit: int,
    customer_id: str | None = None,
    subscription_id: str | None = None,
    bill_run_id: str | None = None,
    customer_scope: str | None = None,
    seller_id: str | None = None,
    payment_reference: str | None = None,
    where: Sequence[ColumnElement[bool]] = (),
) -> list[Document]:
    """A page of one type in number order. ``customer_scope`` (a portal caller's customer)
    replaces any ``customer_id`` filter: the portal's feed is its own customer's. Numbers are
    gapless and in commit order per series, so with more than one seller a reader pulls each
    seller's documents with ``seller_id`` (or follows the event feed, which orders them all).
    ``where``: further conditions (an invoice status: :func:`status_is`)."""
    if customer_scope is not None:
        customer_id = customer_scope
    return page_after(
        session,
        select(Document).where(Document.type == doc_type, *where),
        Document.number,
        after=after_number,
        limit=limit,
        filters=[
            (Document.bill_run_id, bill_run_id),
            (Document.customer_id, customer_id),
            (Document.subscription_id, subscription_id),
            (Document.seller_id, seller_id),
            (Document.payment_reference, payment_reference),
        ],
    )


#: The statuses an invoice answers (:func:`billing.domain.overdue.invoice_status`).
INVOICE_STATUSES = ("open", "overdue", "paid", "void")


def status_is(session: Session, status: str, today: Callable[[str], date]) -> ColumnElement[bool]:
    """Invoices that answer ``status`` today, as SQL: ``overdue`` is stored ``open`` (something
    still due: the invoicing rules keep it so) with a due date before today in the customer's
    time zone; ``open`` is stored ``open`` and not that; ``paid``, ``void`` as stored. One
    condition per distinct day among the customers' time zones (two at most, in practice)."""
    if status in ("paid", "void"):
        return Document.status == status
    zones = session.scalars(select(Customer.timezone).distinct()).all()
    by_day: dict[date, list[str]] = {}
    for zone in zones:
        by_day.setdefault(today(zone), []).append(zone)
    late = or_(
        false(),
        *(
            and_(
                Document.due_date < day,
                Document.customer_id.in_(select(Customer.id).where(Customer.timezone.in_(names))),
            )
            for day, names in sorted(by_day.items())
        ),
    )
    past_due = and_(Document.due_date.is_not(None), late)
    is_open = Document.status == "open"
    return and_(is_open, past_due) if status == "overdue" else and_(is_open, not_(past_due))


def entries_of_documents(session: Session, document_ids: list[str]) -> dict[str, list[LedgerEntry]]:
    grouped: dict[str, list[LedgerEntry]] = {}
    if not document_ids:
        return grouped
    on_documents = LedgerEntry.document_id.in_(document_ids)
    for row in rows_where(session, LedgerEntry, on_documents, order_by=[LedgerEntry.id]):
        assert row.document_id is not None
        grouped.setdefault(row.document_id, []).append(row)
    return grouped


def credit_breakdowns(
    session: Session, invoice_ids: Sequence[str]
) -> list[tuple[str, list[dict[str, Any]] | None]]:
    """The VAT breakdowns of the credit notes issued so far on ``invoice_ids``."""
    if not invoice_ids:
        return []
    rows = session.execute(
        select(Document.invoice_id, Document.vat_breakdown).where(
            Document.type == "credit_note", Document.invoice_id.in_(sorted(set(invoice_ids)))
        )
    ).all()
    return [(str(invoice_id), breakdown) for invoice_id, breakdown in rows]


def credited_totals(session: Session, invoice_ids: list[str]) -> dict[str, int]:
    rows = session.execute(
        select(Document.invoice_id, func.sum(Document.total))
        .where(Document.type == "credit_note", Document.invoice_id.in_(invoice_ids))
        .group_by(Document.invoice_id)
    ).all()
    return {str(invoice_id): int(total) for invoice_id, total in rows}


def open_disputes(session: Session, invoice_ids: Sequence[str]) -> set[str]:
    """Those of ``invoice_ids`` the customer disputes (a dispute not yet resolved)."""
    if not invoice_ids:
        return set()
    return set(
        session.scalars(
            select(InvoiceDispute.invoice_id).where(
                InvoiceDispute.invoice_id.in_(list(invoice_ids)),
                InvoiceDispute.resolved_at.is_(None),
            )
        )
    )


def credited_total(session: Session, invoice_id: str) -> int:
    value = session.scalar(
        select(func.coalesce(func.sum(Document.total), 0)).where(
            Document.type == "credit_note", Document.invoice_id == invoice_id
        )
    )
    return int(value or 0)


def add_payment(session: Session, payment: Payment) -> None:
    session.add(payment)
    session.flush()


def set_paid(session: Session, invoice_id: str, *, amount_paid: int, status: str) -> None:
    session.execute(
        update(Document)
        .where(Document.id == invoice_id)
        .values(amount_paid=amount_paid, status=status)
    )


def open_invoices(session: Session, customer_id: str) -> list[Document]:
    return list(
        session.scalars(
            select(Document).where(
                Document.customer_id == customer_id,
                Document.type == "invoice",
                Document.status == "open",
            )
        )
    )


def overdue_count(session: Session, customer_id: str, today: date) -> int:
    return len(
        [d for d in open_invoices(session, customer_id) if d.due_date and d.due_date < today]
    )
