"""What a bill-run batch's new documents change on others, through the one rule of
invoicing, in a session joined to the batch's transaction: the invoices its credit notes credit
(their status; what is given back beyond what was owed becomes customer credit) and customer
credit its new invoices consume first (both rare in a bill run)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from billing.invoicing.balance import apply_balance, route_unused
from billing.invoicing.status import refresh_invoice_status
from billing.storage.models import BalanceEntry, Document

balance_entries = BalanceEntry.__table__


def consume_balances(conn: Connection, new_invoices: list[tuple[str, str]]) -> None:
    """New invoices of customers holding balance consume it first (rare: one query finds
    them), through the same rule as any other invoice."""
    customers = sorted({c for c, _ in new_invoices})
    rows = conn.execute(
        select(balance_entries.c.customer_id)
        .where(balance_entries.c.customer_id.in_(customers))
        .group_by(balance_entries.c.customer_id)
        .having(func.sum(balance_entries.c.amount) > 0)
    ).all()
    holding = {r[0] for r in rows}
    if not holding:
        return
    session = Session(bind=conn, expire_on_commit=False, autoflush=False)
    try:
        for customer_id, invoice_id in new_invoices:
            if customer_id in holding:
                invoice = session.get(Document, invoice_id)
                assert invoice is not None
                apply_balance(session, invoice)
        session.flush()
    finally:
        session.close()


def refresh_credited(conn: Connection, invoice_ids: list[str], notes: list[str]) -> None:
    """The invoices a batch credited get their status from the one rule in invoicing, and what
    its credit notes give back beyond what was owed becomes customer credit, as for any credit
    note (rare in a bill run: a change posts its credits at once), through a session joined to
    this transaction."""
    session = Session(bind=conn, expire_on_commit=False, autoflush=False)
    try:
        for invoice_id in dict.fromkeys(invoice_ids):
            refresh_invoice_status(session, invoice_id)
        for note_id in notes:
            note = session.get(Document, note_id)
            assert note is not None
            route_unused(session, note, unused="credit_note", issue_date=note.issue_date)
        session.flush()
    finally:
        session.close()
