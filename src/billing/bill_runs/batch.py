"""One batch of a bill run: read in bulk, run the pure core per subscription, write in bulk.

The whole batch is one transaction, taken in this order:

1. the batch's claim row (``FOR UPDATE SKIP LOCKED``: another worker takes another batch);
2. the batch's subscription rows (``FOR UPDATE``, in id order, as the API locks the one it
   changes), so nothing changes their timelines or ledgers under us;
3. their events and posted entries (one range scan each), then
   :func:`billing.domain.ledger.difference` per subscription, in memory;
4. documents (under a provisional series of the batch's own) and ledger entries (COPY /
   executemany), parked subscriptions, settlement points, the customer credit consumed, the
   claim marked done;
5. the numbers, last and briefly (:mod:`.numbers`): one ``UPDATE … + N`` per counter, the
   documents' numbers, payment references and issuer (who started the run, one value for the
   batch) in one statement, the feed events; commit.

A crash anywhere rolls all of it back: the batch stays undone, its numbers were never taken,
and a rerun bills it again against the ledger as it is (so nothing twice, nothing skipped).
What each subscription's new entries become is the one posting plan
(:func:`billing.domain.posting.plan_posting`, as for a single request): this module only writes
the plans of a whole batch at once.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from billing.bill_runs import bulk
from billing.bill_runs import repository as repo
from billing.bill_runs.follow_up import consume_balances, refresh_credited
from billing.bill_runs.numbers import Numbering, Pending
from billing.bill_runs.parking import Parking, check_writable
from billing.bill_runs.parking import write as parking_write
from billing.bill_runs.repository import Claim
from billing.bill_runs.sales import Sales
from billing.bill_runs.settling import Settling
from billing.domain.events import Event
from billing.domain.ledger import Entry, Scope, difference
from billing.domain.posting import DocumentType, PlannedDocument, PostingPlan
from billing.domain.timeline import Schedule
from billing.domain.vat import LineTax
from billing.ids import new_id
from billing.invoicing.issuing import Sale, row_tax
from billing.invoicing.repository import entry_from_row
from billing.invoicing.service import vat_rows
from billing.storage.models import BalanceEntry
from billing.subscriptions.repository import event_from_row
from billing.usage.bill_run import BatchUsage

balance_entries = BalanceEntry.__table__

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
    "seller_id",
    "net_total",
    "vat_total",
    "vat_breakdown",
    "parties",
    "payment_reference",
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
    "tax_code",
    "vat_rate",
    "vat_inclusive",
)


@dataclass(slots=True)
class BatchResult:
    subscriptions: int = 0
    invoices: int = 0
    credit_notes: int = 0
    entries: int = 0
    #: Subscriptions set aside because they could not be billed (:mod:`.parking`).
    parked: int = 0
    #: Seconds spent reading, computing and writing (for profiles and benchmarks).
    timings: dict[str, float] = field(default_factory=dict)

    def add(self, other: BatchResult) -> None:
        """Add ``other``'s counts and seconds to these (a worker's totals over its batches)."""
        self.subscriptions += other.subscriptions
        self.invoices += other.invoices
        self.credit_notes += other.credit_notes
        self.entries += other.entries
        self.parked += other.parked
        for phase, seconds in other.timings.items():
            self.timings[phase] = self.timings.get(phase, 0.0) + seconds


@dataclass(frozen=True, slots=True)
class _Due:
    """What one subscription owes in this batch: the documents planned for it."""

    subscription_id: str
    customer_id: str
    plan: PostingPlan
    sale: Sale


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
    conn: Connection,
    claim: Claim,
    subs: list[tuple[str, str, str]],
    *,
    as_of: date,
    payment_terms_days: int,
    parking: Parking,
    settling: Settling,
    sales: Sales,
) -> tuple[list[_Due], BatchUsage]:
    """What each subscription of the batch owes, derived from its settlement point on, and the
    batch's usage (its marks move with the writes); one that cannot be billed is parked."""
    events_of: dict[str, list[Event]] = {}
    for sid, rows in _grouped(repo.events(conn, claim)):
        try:
            events_of[sid] = [event_from_row(r) for r in rows]
        except Exception as exc:  # noqa: BLE001 - a row the codec refuses parks its subscription
            parking.park(sid, exc)
    settling.start(conn, claim, events_of)
    posted_of, document_of, taxes_of = _posted(conn, claim, settling, parking)
    usage = BatchUsage(conn, events_of)  # metered charges, in arrears
    document_of.update(usage.document_of)
    taxes_of.update(usage.taxes_of)
    out: list[_Due] = []
    for sid, customer_id, currency in subs:
        evs = events_of.get(sid)
        if not evs or sid in parking:
            continue  # no events: created after our snapshot began, the next run bills it
        # try/except, not a context manager per subscription: free when nothing is raised.
        try:
            schedule = Schedule(evs)
            since = settling.since_of(sid)
            new = difference(
                schedule, posted_of.get(sid, ()), as_of=as_of, scope=Scope.DUE, since=since
            ) + usage.difference(sid, schedule, as_of=as_of)
            if not new:
                settling.settle(sid, schedule, evs, as_of)
                usage.settle(sid, evs)
                continue
            plan = sales.plan(
                sid,
                new,
                posted=taxes_of,
                invoice_of=document_of,
                currency=currency,
                as_of=as_of,
                payment_terms_days=payment_terms_days,
                bill_run_id=claim.bill_run_id,
                events=evs,
                items=usage.item_categories(sid),
            )
            check_writable(plan)  # past a bound: parked here, so the bulk write cannot fail
        except Exception as exc:  # noqa: BLE001 - one subscription's failure, not the batch's
            parking.park(sid, exc)
            continue
        settling.settle(sid, schedule, evs, as_of)
        usage.settle(sid, evs)
        out.append(_Due(sid, customer_id, plan, sales.sales[sid]))
    return out, usage


def _posted(
    conn: Connection, claim: Claim, settling: Settling, parking: Parking
) -> tuple[dict[str, list[Entry]], dict[str, str], dict[str, LineTax]]:
    """The entries each derivation needs (:meth:`Settling.posted_rows`), the document of each
    posted entry among them (credits go on a note for the invoice they give back) and the tax
    of each posted charge (a credit gives back at it)."""
    posted_of: dict[str, list[Entry]] = {}
    document_of: dict[str, str] = {}
    taxes_of: dict[str, LineTax] = {}
    for sid, rows in _grouped(settling.posted_rows(conn, claim)):
        try:
            posted_of[sid] = [entry_from_row(r) for r in rows]
        except Exception as exc:  # noqa: BLE001 - likewise an entry that does not read
            parking.park(sid, exc)
        for r in rows:
            if r.document_id is not None:
                document_of[str(r.id)] = r.document_id
            if r.amount >= 0:
                taxes_of[str(r.id)] = row_tax(r.tax_code, r.vat_rate, r.vat_inclusive)
    return posted_of, document_of, taxes_of


def bill_batch(
    conn: Connection, claim: Claim, *, as_of: date, now: datetime, payment_terms_days: int
) -> BatchResult:
    """Post everything due for the claimed batch in ``conn``'s transaction (not committed)."""
    t0 = time.perf_counter()
    subs = repo.lock_subscriptions(conn, claim)
    parking, settling, sales = Parking(), Settling(), Sales(conn, claim)
    due, usage = _what_is_due(
        conn,
        claim,
        subs,
        as_of=as_of,
        payment_terms_days=payment_terms_days,
        parking=parking,
        settling=settling,
        sales=sales,
    )
    t1 = time.perf_counter()

    numbering = Numbering(issued_by=claim.started_by)
    rows = _Rows(bulk.Values(conn), now, numbering)
    for d in due:
        for planned in d.plan.documents:
            rows.add(d, planned)
    if rows.documents:
        bulk.insert_rows(conn, "documents", DOCUMENT_COLUMNS, rows.documents, adapted=True)
        bulk.insert_rows(conn, "ledger_entries", ENTRY_COLUMNS, rows.entries, adapted=True)
    customer_of = {sid: customer_id for sid, customer_id, _ in subs}
    parking_write(conn, claim, parking, numbering, customer_of=customer_of, now=now)
    settling.write(conn, customer_of)
    usage.write(conn, as_of=as_of)
    credited = [invoice_id for d in due for invoice_id in d.plan.credited_invoices]
    if credited:
        refresh_credited(conn, credited, rows.new_notes)
    if rows.new_invoices:
        consume_balances(conn, rows.new_invoices)
    result = BatchResult(len(subs), *_counts(due))
    result.entries = len(rows.entries)
    result.parked = len(parking)
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
    numbering.assign(conn, rows.ts)
    t3 = time.perf_counter()
    result.timings = {"read_compute": t1 - t0, "write": t2 - t1, "numbers": t3 - t2}
    return result


def _counts(due: list[_Due]) -> tuple[int, int]:
    """How many invoices and credit notes the batch issues."""
    kinds = Counter(doc.type for d in due for doc in d.plan.documents)
    return kinds[DocumentType.INVOICE], kinds[DocumentType.CREDIT_NOTE]


_PREFIX = {DocumentType.INVOICE: "inv", DocumentType.CREDIT_NOTE: "cn"}


class _Rows:
    """The batch's rows for bulk insert, in column order, values adapted to the dialect."""

    def __init__(self, values: bulk.Values, now: datetime, numbering: Numbering) -> None:
        self.day = values.day
        self.ts = values.timestamp(now)
        self.numbering = numbering
        self.documents: list[tuple[Any, ...]] = []
        self.entries: list[tuple[Any, ...]] = []
        self.new_invoices: list[tuple[str, str]] = []  # (customer, invoice): balance pass
        self.new_notes: list[str] = []  # credit notes: what they give back beyond what is owed
        # JSON made once per distinct value: a batch's sales and breakdowns repeat.
        self._parties: dict[int, str] = {}
        self._breakdowns: dict[tuple[Any, ...], str] = {}

    def add(self, d: _Due, planned: PlannedDocument) -> None:
        """The document's rows, under a provisional number (its own comes last)."""
        day, ts = self.day, self.ts
        sid, cid, cur, kind = d.subscription_id, d.customer_id, planned.currency, planned.type
        doc_id = new_id(_PREFIX[kind])
        number = self.numbering.provisional(Pending(doc_id, cid, sid, planned))
        parties = self._parties.get(id(d.sale))
        if parties is None:
            parties = self._parties[id(d.sale)] = _json(d.sale.parties)
        breakdown = self._breakdowns.get(planned.vat)
        if breakdown is None:
            breakdown = self._breakdowns[planned.vat] = _json(vat_rows(planned.vat))
        self.documents.append(
            (
                doc_id, kind.value, self.numbering.series, number, cid, sid, planned.invoice_id,
                planned.bill_run_id, cur, day(planned.issue_date), day(planned.due_date),
                planned.total, 0, planned.status, ts, planned.issuer.seller_id,
                planned.net_total, planned.vat_total, breakdown, parties, None,
            )
        )  # fmt: skip
        for e, tax in zip(planned.entries, planned.taxes, strict=True):
            self.entries.append(
                (
                    sid, cid, e.item, e.kind.value, day(e.period_start), day(e.period_end),
                    day(e.service_start), day(e.service_end), e.unit_amount, e.quantity,
                    e.period_amount, e.amount, cur, e.event_id,
                    int(e.credits) if e.credits is not None else None, kind.value, doc_id, ts,
                    tax.code.value, tax.rate, tax.inclusive,
                )
            )  # fmt: skip
        if kind is DocumentType.INVOICE:
            self.new_invoices.append((cid, doc_id))
        else:
            self.new_notes.append(doc_id)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
