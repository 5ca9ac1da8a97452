"""One batch of a bill run: read in bulk, run the pure core per subscription, write in bulk.

The whole batch is one transaction, taken in this order:

1. the batch's claim row (``FOR UPDATE SKIP LOCKED``: another worker takes another batch);
2. the batch's subscription rows (``FOR UPDATE``, in id order, as the API locks the one it
   changes), so nothing changes their timelines or ledgers under us;
3. their events and posted entries (one range scan each), then
   :func:`billing.domain.ledger.difference` per subscription, in memory;
4. the document counters, last and briefly: one ``UPDATE … + N`` per series for the batch;
5. documents and ledger entries (COPY / executemany), the claim marked done, commit.

A crash anywhere rolls all of it back: the batch stays undone, its numbers were never taken,
and a rerun bills it again against the ledger as it is (so nothing twice, nothing skipped).
Documents are grouped as :func:`billing.invoicing.service.post_entries` groups them: one
invoice per subscription for its charges, one credit note per invoice it gives back.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from billing.bill_runs import bulk
from billing.bill_runs import repository as repo
from billing.bill_runs.repository import Claim
from billing.domain.ledger import Entry, EntryKind, Scope, difference
from billing.domain import codec
from billing.domain.events import Event
from billing.domain.timeline import Schedule
from billing.ids import new_id
from billing.invoicing.balance import apply_balance
from billing.invoicing.repository import CREDIT_NOTE_SERIES, INVOICE_SERIES
from billing.invoicing.service import DEFAULT_PAYMENT_TERMS_DAYS, refresh_invoice_status
from billing.storage.models import BalanceEntry, Document

balance_entries = BalanceEntry.__table__

_KINDS = {k.value: k for k in EntryKind}

DOCUMENT_COLUMNS = (
    "id",
    "type",
    "series",
    "number",
    "customer_id",
    "subscription_id",
    "invoice_id",
    "bill_run_id",
    "currency",
    "issue_date",
    "due_date",
    "total",
    "amount_paid",
    "status",
    "created_at",
)
ENTRY_COLUMNS = (
    "subscription_id",
    "customer_id",
    "item",
    "kind",
    "period_start",
    "period_end",
    "service_start",
    "service_end",
    "unit_amount",
    "quantity",
    "period_amount",
    "amount",
    "currency",
    "event_id",
    "credits_entry_id",
    "document_type",
    "document_id",
    "posted_at",
)


@dataclass(slots=True)
class BatchResult:
    subscriptions: int = 0
    invoices: int = 0
    credit_notes: int = 0
    entries: int = 0
    #: Seconds spent reading, computing and writing (for profiles and benchmarks).
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class _Due:
    """What one subscription owes in this batch."""

    subscription_id: str
    customer_id: str
    currency: str
    charges: list[Entry]
    credits: dict[str, list[Entry]]  # credited invoice id -> credits against it


def event_from_row(row: Any) -> Event:
    return Event(
        id=row.id,
        seq=row.seq,
        effective_date=row.effective_date,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
        reason=row.reason,
        payload=codec.decode(row.type, row.data),
    )


def entry_from_row(row: Any) -> Entry:
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


def _grouped(rows: Iterator[Any]) -> Iterator[tuple[str, list[Any]]]:
    """Consecutive rows of one subscription (rows come ordered by subscription id)."""
    current: str | None = None
    group: list[Any] = []
    for row in rows:
        sid = row.subscription_id
        if sid != current:
            if current is not None:
                yield current, group
            current, group = sid, []
        group.append(row)
    if current is not None:
        yield current, group


def _what_is_due(
    conn: Connection, claim: Claim, subs: list[tuple[str, str, str]], as_of: date
) -> list[_Due]:
    events_of: dict[str, list[Event]] = {}
    for sid, rows in _grouped(repo.events(conn, claim)):
        events_of[sid] = [event_from_row(r) for r in rows]
    posted_of: dict[str, list[Entry]] = {}
    document_of: dict[str, str] = {}
    for sid, rows in _grouped(repo.posted_entries(conn, claim)):
        posted_of[sid] = [entry_from_row(r) for r in rows]
        for r in rows:
            if r.document_id is not None:
                document_of[str(r.id)] = r.document_id
    out: list[_Due] = []
    for sid, customer_id, currency in subs:
        evs = events_of.get(sid)
        if not evs:
            continue  # created after our snapshot began: the next run bills it
        new = difference(Schedule(evs), posted_of.get(sid, ()), as_of=as_of, scope=Scope.DUE)
        if not new:
            continue
        charges = [e for e in new if not e.is_credit]
        credits: dict[str, list[Entry]] = {}
        for e in new:
            if e.is_credit:
                assert e.credits is not None
                credits.setdefault(document_of[e.credits], []).append(e)
        out.append(_Due(sid, customer_id, currency, charges, credits))
    return out


def bill_batch(conn: Connection, claim: Claim, *, as_of: date, now: datetime) -> BatchResult:
    """Post everything due for the claimed batch in ``conn``'s transaction (not committed)."""
    t0 = time.perf_counter()
    subs = repo.lock_subscriptions(conn, claim)
    due = _what_is_due(conn, claim, subs, as_of)
    t1 = time.perf_counter()

    n_invoices = sum(1 for d in due if d.charges)
    n_notes = sum(len(d.credits) for d in due)
    # The feed's counter first: one lock order everywhere (subscriptions, feed, documents).
    next_event = (
        repo.take_numbers(conn, EVENT_SERIES, n_invoices + n_notes) if n_invoices + n_notes else 0
    )
    next_invoice = repo.take_numbers(conn, INVOICE_SERIES, n_invoices) if n_invoices else 0
    next_note = repo.take_numbers(conn, CREDIT_NOTE_SERIES, n_notes) if n_notes else 0
    v = bulk.Values(conn)
    day = v.day
    ts = v.timestamp(now)
    issue, due_on = day(as_of), day(as_of + timedelta(days=DEFAULT_PAYMENT_TERMS_DAYS))
    documents: list[tuple[Any, ...]] = []
    entries: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    new_invoices: list[tuple[str, str]] = []  # (customer, invoice) for the balance pass
    credited: list[str] = []
    run_id = claim.bill_run_id

    def entry_row(e: Entry, d: _Due, doc_type: str, doc_id: str) -> tuple[Any, ...]:
        return (
            d.subscription_id, d.customer_id, e.item, e.kind.value, day(e.period_start),
            day(e.period_end), day(e.service_start), day(e.service_end), e.unit_amount,
            e.quantity, e.period_amount, e.amount, d.currency, e.event_id,
            int(e.credits) if e.credits is not None else None, doc_type, doc_id, ts,
        )  # fmt: skip

    for d in due:
        sid, cid, cur = d.subscription_id, d.customer_id, d.currency
        if d.charges:
            doc_id = new_id("inv")
            total = 0
            for e in d.charges:
                total += e.amount
                entries.append(entry_row(e, d, "invoice", doc_id))
            documents.append(
                (
                    doc_id, "invoice", INVOICE_SERIES, next_invoice, cid, sid, None, run_id,
                    cur, issue, due_on, total, 0, "open", ts,
                )
            )  # fmt: skip
            events.append(
                _issued_event(next_event, "invoice", doc_id, INVOICE_SERIES, next_invoice, cid,
                              sid, None, run_id, cur, as_of, total, ts)
            )  # fmt: skip
            new_invoices.append((cid, doc_id))
            next_event += 1
            next_invoice += 1
        for invoice_id, credits in d.credits.items():
            doc_id = new_id("cn")
            total = 0
            for e in credits:
                total -= e.amount
                entries.append(entry_row(e, d, "credit_note", doc_id))
            documents.append(
                (
                    doc_id, "credit_note", CREDIT_NOTE_SERIES, next_note, cid, sid, invoice_id,
                    run_id, cur, issue, None, total, 0, "issued", ts,
                )
            )  # fmt: skip
            events.append(
                _issued_event(next_event, "credit_note", doc_id, CREDIT_NOTE_SERIES, next_note,
                              cid, sid, invoice_id, run_id, cur, as_of, total, ts)
            )  # fmt: skip
            next_event += 1
            next_note += 1
            credited.append(invoice_id)
    if documents:
        bulk.insert_rows(conn, "documents", DOCUMENT_COLUMNS, documents, adapted=True)
        bulk.insert_rows(conn, "ledger_entries", ENTRY_COLUMNS, entries, adapted=True)
        bulk.insert_rows(conn, "events", EVENT_COLUMNS, events, adapted=True)
    if credited:
        _refresh_credited(conn, credited)
    if new_invoices:
        _consume_balances(conn, new_invoices)
    result = BatchResult(len(subs), n_invoices, n_notes, len(entries))
    repo.mark_batch_done(
        conn,
        claim,
        done_at=now,
        subscriptions=result.subscriptions,
        invoices=result.invoices,
        credit_notes=result.credit_notes,
        entries=result.entries,
    )
    t2 = time.perf_counter()
    result.timings = {"read_compute": t1 - t0, "write": t2 - t1}
    return result


EVENT_SERIES = "EVT"
EVENT_COLUMNS = (
    "seq", "id", "type", "customer_id", "subscription_id", "subject_id", "data", "created_at",
)  # fmt: skip


def _issued_event(
    seq: int, doc_type: str, doc_id: str, series: str, number: int, customer_id: str,
    subscription_id: str, invoice_id: str | None, run_id: str | None, currency: str,
    issue_date: date, total: int, ts: Any,
) -> tuple[Any, ...]:  # fmt: skip
    """The feed's ``<type>.issued`` row for a document of the batch (as invoicing emits it)."""
    data = {
        "number": f"{series}-{number:06d}",
        "total": total,
        "currency": currency,
        "issue_date": issue_date.isoformat(),
        "invoice_id": invoice_id,
        "bill_run_id": run_id,
    }
    return (
        seq, new_id("ev"), f"{doc_type}.issued", customer_id, subscription_id, doc_id,
        json.dumps(data, separators=(",", ":")), ts,
    )  # fmt: skip


def _consume_balances(conn: Connection, new_invoices: list[tuple[str, str]]) -> None:
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


def _refresh_credited(conn: Connection, invoice_ids: list[str]) -> None:
    """The invoices a batch credited get their status from the one rule in invoicing (rare in a
    bill run: a change posts its credits at once), through a session joined to this
    transaction."""
    session = Session(bind=conn, expire_on_commit=False, autoflush=False)
    try:
        for invoice_id in dict.fromkeys(invoice_ids):
            refresh_invoice_status(session, invoice_id)
        session.flush()
    finally:
        session.close()
