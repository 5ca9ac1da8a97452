"""Synthetic subscriptions, written in bulk straight into the tables (for load tests and
benchmarks of bill runs, never for real data).

Each subscription is a valid timeline: a ``started`` event with the plan's terms, and with
``variety`` some billed in arrears, some with a billing anchor day, some with a later price or
licence change. Rows go in with COPY (PostgreSQL) or ``executemany`` (SQLite), in chunks, so a
million subscriptions seed in seconds and in flat memory.

**History.** With ``billed`` (the dates of earlier bill runs), each subscription also gets what
those runs would have posted: per run, the invoice and ledger entries of its difference at that
date, derived by the pure core (:func:`billing.domain.ledger.difference`, then
:func:`billing.domain.posting.plan_posting`), exactly as a bill run derives them. Subscriptions
with the same timeline (same kinds, dates and terms; only ids differ) have the same history, so
it is derived once per distinct timeline and stamped out per subscription with its own ids:
millions of periods seed at the speed of the bulk write. With ``settled`` (the default), each
also gets the settlement point the last of those runs leaves (``ledger_settlements``: settled
through the last bill date, against its whole timeline), so the next run derives from there as
it would after months of monthly runs; without, it derives from the start (as the first run
after settlement points came in did). Invoices are numbered gaplessly from
the ``INV`` counter (which ends past them, so later runs go on from there) in the order they are
written, subscription by subscription; they stay open and unpaid, and the feed gets no
``invoice.issued`` events for them (a bill run reads neither).

**Constraints last** (``constraints_last``, PostgreSQL): for seeds of millions of rows, the
seeded tables' foreign keys, unique constraints and indexes other than primary keys are dropped
for the load and added back after it (``CREATE INDEX``, ``ALTER TABLE … ADD CONSTRAINT``), each
built or validated in one pass over its table instead of row by row during COPY; the same
definitions come back, so the data is proven consistent all the same (a bad row fails the seed).
Meant for a database nothing else writes to meanwhile (benchmark templates). SQLite seeds as
without it.

**Seller.** The customers buy from the default seller; if there is none, a Swedish one
registered for VAT is made (prefix ``""``: the ``INV`` series, OCR references), so history and
runs carry 25 % VAT on every line as real Swedish invoices do.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert

from billing.bill_runs import bulk
from billing.bill_runs.batch import DOCUMENT_COLUMNS, ENTRY_COLUMNS
from billing.bill_runs.synthetic_constraints import SEEDED_TABLES as SEEDED_TABLES
from billing.bill_runs.synthetic_constraints import add_constraints, drop_constraints
from billing.bill_runs.synthetic_history import CURRENCY, History, Timeline
from billing.bill_runs.synthetic_seller import default_seller
from billing.clock import utcnow
from billing.domain.posting import (
    DocumentType,
    PlannedDocument,
    series_of,
)
from billing.ids import new_id
from billing.invoicing.service import vat_rows
from billing.storage.models import Plan
from billing.storage.numbering import take_numbers

CHUNK = 50_000
SUBSCRIPTIONS_PER_CUSTOMER = 4


@dataclass(frozen=True, slots=True)
class Seeded:
    plan_id: str
    subscriptions: int
    customers: int
    events: int
    #: History (``billed``): the invoices and ledger entries written for earlier runs.
    documents: int = 0
    entries: int = 0
    #: ``constraints_last``: the seconds spent making the constraints and indexes at the end.
    constraints_seconds: float = 0.0


def seed(
    engine: Engine,
    count: int,
    *,
    first_start: date,
    last_start: date,
    variety: bool = False,
    seed_value: int = 1,
    tag: str | None = None,
    billed: Sequence[date] = (),
    payment_terms_days: int = 30,
    settled: bool = True,
    constraints_last: bool = False,
) -> Seeded:
    """``count`` monthly subscriptions starting between ``first_start`` and ``last_start``,
    with what bill runs at each of the ``billed`` dates (ascending) would have posted.

    The same ``seed_value`` and ``tag`` (12 characters of id) give the same rows, ids included.
    ``constraints_last``: on PostgreSQL, the seeded tables' constraints and indexes (but their
    primary keys) are made after the load, in bulk (see the module's doc).
    """
    dropped = None
    if constraints_last and engine.dialect.name == "postgresql":
        dropped = drop_constraints(engine)
    try:
        seeded = _seed(
            engine, count, first_start=first_start, last_start=last_start, variety=variety,
            seed_value=seed_value, tag=tag, billed=billed,
            payment_terms_days=payment_terms_days, settled=settled,
        )  # fmt: skip
    finally:
        if dropped is not None:
            t = time.perf_counter()
            add_constraints(engine, dropped)
    if dropped is not None:
        seeded = replace(seeded, constraints_seconds=time.perf_counter() - t)
    return seeded


def _seed(
    engine: Engine,
    count: int,
    *,
    first_start: date,
    last_start: date,
    variety: bool,
    seed_value: int,
    tag: str | None,
    billed: Sequence[date],
    payment_terms_days: int,
    settled: bool,
) -> Seeded:
    rng = random.Random(seed_value)
    now = utcnow()
    tag = tag or new_id("x")[2:14]
    plan_id = f"plan_{tag}"
    seller = default_seller(engine, now)
    _insert_plan(engine, plan_id, now)
    customers = (count + SUBSCRIPTIONS_PER_CUSTOMER - 1) // SUBSCRIPTIONS_PER_CUSTOMER
    _insert_customers(engine, tag, customers, now)
    span = (last_start - first_start).days + 1
    history = History(billed, payment_terms_days, settled=settled, seller=seller)
    events = documents = entries = 0
    for lo in range(0, count, CHUNK):
        chunk = _Chunk(tag, now)
        for i in range(lo, min(count, lo + CHUNK)):
            start = first_start + timedelta(days=rng.randrange(span))
            chunk.add(i, plan_id, start, _timeline(rng, plan_id, start, variety))
        with engine.begin() as conn:
            written = chunk.write(conn, history)
        events += len(chunk.events)
        documents += written[0]
        entries += written[1]
    return Seeded(plan_id, count, customers, events, documents, entries)


def _insert_plan(engine: Engine, plan_id: str, now: datetime) -> None:
    """The one monthly plan every synthetic subscription is on (24,995 öre a month)."""
    with engine.begin() as conn:
        conn.execute(
            insert(Plan.__table__).values(  # type: ignore[arg-type]
                id=plan_id,
                code=f"synthetic-{plan_id}",
                name="Synthetic monthly",
                currency=CURRENCY,
                unit_amount=24995,
                interval_months=1,
                billing_timing="in_advance",
                setup_fee_amount=0,
                four_eyes=False,
                created_at=now,
            )
        )


def _insert_customers(engine: Engine, tag: str, customers: int, now: datetime) -> None:
    """``customers`` customers, each holding :data:`SUBSCRIPTIONS_PER_CUSTOMER` subscriptions."""
    for lo in range(0, customers, CHUNK):
        rows = [
            (f"cus_{tag}{i:016x}", f"Customer {i}", CURRENCY, "sv_SE", "Europe/Stockholm", None,
             "active", now)
            for i in range(lo, min(customers, lo + CHUNK))
        ]  # fmt: skip
        with engine.begin() as conn:
            bulk.insert_rows(
                conn,
                "customers",
                ("id", "name", "currency", "locale", "timezone", "external_ref", "status",
                 "created_at"),
                rows,
            )  # fmt: skip


class _Chunk:
    """One chunk of subscriptions: their rows, and their history's, written in one transaction."""

    def __init__(self, tag: str, now: datetime) -> None:
        self.tag = tag
        self.now = now
        self.subscriptions: list[tuple[Any, ...]] = []
        self.events: list[tuple[Any, ...]] = []
        self.timelines: list[tuple[int, str, str, Timeline]] = []

    def add(
        self, i: int, plan_id: str, start: date, timeline: Iterator[tuple[str, date, Any]]
    ) -> None:
        sid = f"sub_{self.tag}{i:016x}"
        cid = f"cus_{self.tag}{i // SUBSCRIPTIONS_PER_CUSTOMER:016x}"
        self.subscriptions.append(
            (sid, cid, plan_id, CURRENCY, 1, "active", start, None, self.now)
        )  # fmt: skip
        written: list[tuple[str, date, str]] = []
        for seq, (etype, eff, data) in enumerate(timeline, start=1):
            payload = json.dumps(data)
            written.append((etype, eff, payload))
            self.events.append(
                (self._event_id(i, seq), sid, seq, etype, eff, self.now, "synthetic", None,
                 payload)
            )  # fmt: skip
        self.timelines.append((i, sid, cid, tuple(written)))

    def _event_id(self, i: int, seq: int) -> str:
        return f"evt_{self.tag}{i:016x}{seq:02x}"

    def write(self, conn: Connection, history: History) -> tuple[int, int]:
        """Insert the chunk; (invoices, ledger entries) of history written."""
        bulk.insert_rows(
            conn,
            "subscriptions",
            ("id", "customer_id", "plan_id", "currency", "version", "status", "start_date",
             "end_date", "created_at"),
            self.subscriptions,
        )  # fmt: skip
        bulk.insert_rows(
            conn,
            "timeline_events",
            ("id", "subscription_id", "seq", "type", "effective_date", "recorded_at",
             "recorded_by", "reason", "data"),
            self.events,
        )  # fmt: skip
        self._write_points(conn, history)
        owed = [(i, sid, cid, history.invoices(t)) for i, sid, cid, t in self.timelines]
        documents = sum(len(invoices) for *_, invoices in owed)
        if not documents:
            return 0, 0
        series = series_of(DocumentType.INVOICE, history.seller.issuer.prefix)
        first = take_numbers(conn, series, documents)
        rows = _HistoryRows(bulk.Values(conn), self.tag, owed)
        bulk.insert_rows(conn, "documents", DOCUMENT_COLUMNS, rows.documents(first), adapted=True)
        entries = rows.entries(self._event_id)
        bulk.insert_rows(conn, "ledger_entries", ENTRY_COLUMNS, entries, adapted=True)
        return documents, rows.entry_count

    def _write_points(self, conn: Connection, history: History) -> None:
        """Each subscription's settlement point after its history (against all its events)."""
        points = []
        for _, sid, cid, timeline in self.timelines:
            through = history.settled_through(timeline)
            if through is not None:
                points.append((sid, cid, through, len(timeline)))
        if points:
            bulk.insert_rows(
                conn,
                "ledger_settlements",
                ("subscription_id", "customer_id", "settled_through", "timeline_seq"),
                points,
            )


class _HistoryRows:
    """A chunk's history as bulk rows, made lazily (36 months of a chunk is millions of rows):
    one pass for the documents, one for their entries, the same ids in both."""

    def __init__(
        self,
        values: bulk.Values,
        tag: str,
        owed: list[tuple[int, str, str, tuple[PlannedDocument, ...]]],
    ) -> None:
        self.values = values
        self.tag = tag
        self.owed = owed
        self.entry_count = 0
        self._stamps: dict[date, Any] = {}
        self._breakdowns: dict[tuple[Any, ...], str] = {}

    def _stamp(self, day: date) -> Any:
        """The run's posting time: the bill date at midnight UTC, adapted once per date."""
        stamp = self._stamps.get(day)
        if stamp is None:
            at = datetime.combine(day, datetime.min.time(), UTC)
            stamp = self._stamps[day] = self.values.timestamp(at)
        return stamp

    def _breakdown(self, doc: PlannedDocument) -> str:
        """Its VAT breakdown as JSON, made once per distinct breakdown (timelines repeat)."""
        text = self._breakdowns.get(doc.vat)
        if text is None:
            text = self._breakdowns[doc.vat] = json.dumps(vat_rows(doc.vat))
        return text

    def documents(self, first_number: int) -> Iterator[tuple[Any, ...]]:
        day = self.values.day
        number = first_number
        for i, sid, cid, invoices in self.owed:
            for k, doc in enumerate(invoices):
                assert doc.type is DocumentType.INVOICE
                yield (
                    f"inv_{self.tag}{i:016x}{k:04x}", doc.type.value, doc.series, number, cid,
                    sid, None, None, doc.currency, day(doc.issue_date), day(doc.due_date),
                    doc.total, 0, doc.status, self._stamp(doc.issue_date),
                    doc.issuer.seller_id, doc.net_total, doc.vat_total,
                    self._breakdown(doc), None, doc.reference(number),
                )  # fmt: skip
                number += 1

    def entries(self, event_id: Callable[[int, int], str]) -> Iterator[tuple[Any, ...]]:
        """``event_id(i, seq)``: subscription ``i``'s id of its event ``seq``."""
        day = self.values.day
        for i, sid, cid, invoices in self.owed:
            for k, doc in enumerate(invoices):
                doc_id, posted_at = f"inv_{self.tag}{i:016x}{k:04x}", self._stamp(doc.issue_date)
                for e, tax in zip(doc.entries, doc.taxes, strict=True):
                    self.entry_count += 1
                    yield (
                        sid, cid, e.item, e.kind.value, day(e.period_start), day(e.period_end),
                        day(e.service_start), day(e.service_end), e.unit_amount, e.quantity,
                        e.period_amount, e.amount, doc.currency,
                        None if e.event_id is None else event_id(i, int(e.event_id)), None,
                        doc.type.value, doc_id, posted_at, tax.code.value, tax.rate, tax.inclusive,
                    )  # fmt: skip


def _timeline(
    rng: random.Random, plan_id: str, start: date, variety: bool
) -> Iterator[tuple[str, date, dict[str, Any]]]:
    data: dict[str, Any] = {
        "plan_id": plan_id,
        "unit_amount": 24995,
        "quantity": 1,
        "price_months": 1,
        "interval_months": 1,
        "billing_timing": "in_advance",
    }
    if not variety:
        yield "started", start, data
        return
    data["quantity"] = rng.choice((1, 1, 2, 5))
    if rng.random() < 0.2:
        data["billing_timing"] = "in_arrears"
    if rng.random() < 0.1:
        data["anchor_day"] = rng.choice((1, 15, 28, 31))
    yield "started", start, data
    if rng.random() < 0.2:
        yield (
            "price_changed",
            start + timedelta(days=rng.randrange(10, 80)),
            {"unit_amount": rng.choice((19995, 29995))},
        )
    if rng.random() < 0.1:
        yield (
            "quantity_changed",
            start + timedelta(days=rng.randrange(10, 80)),
            {"quantity": rng.choice((2, 3))},
        )
