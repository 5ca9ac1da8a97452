"""Queries of bill runs, in SQLAlchemy Core on one connection (a batch's transaction).

A bill run walks subscriptions by id in batches: rows come back as tuples, never as ORM objects,
and each query covers a whole batch (one range scan per table), so the cost per subscription is
a few rows read, not a few round trips.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, insert, or_, select, update
from sqlalchemy.sql import ColumnElement

from billing.domain.settlement import Settlement
from billing.storage.models import (
    BillRun,
    BillRunBatch,
    BillRunParked,
    Document,
    LedgerEntry,
    LedgerSettlement,
    Subscription,
    TimelineEvent,
)

runs: Table = BillRun.__table__  # type: ignore[assignment]
batches: Table = BillRunBatch.__table__  # type: ignore[assignment]
parked_t: Table = BillRunParked.__table__  # type: ignore[assignment]
subscriptions: Table = Subscription.__table__  # type: ignore[assignment]
events_t: Table = TimelineEvent.__table__  # type: ignore[assignment]
entries_t: Table = LedgerEntry.__table__  # type: ignore[assignment]
settlements_t: Table = LedgerSettlement.__table__  # type: ignore[assignment]
documents_t: Table = Document.__table__  # type: ignore[assignment]

#: Serializes the creation of bill runs on PostgreSQL (so workers started together join one
#: run instead of planning two); an arbitrary constant for ``pg_advisory_xact_lock``.
RUN_CREATION_LOCK = 0x0B1_11A7E


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


@dataclass(frozen=True, slots=True)
class Claim:
    """A claimed batch: the subscriptions with ``first_id <= id < last_id`` (None: unbounded)."""

    bill_run_id: str
    seq: int
    first_id: str | None
    last_id: str | None
    #: Who started the run (``bill_runs.started_by``): what the batch's documents and events
    #: record as their issuer, one value for the whole batch.
    started_by: str | None = None


@dataclass(frozen=True, slots=True)
class RunSummary:
    id: str
    as_of: date
    finished_at: datetime | None
    batches: int
    batches_done: int
    subscriptions: int
    invoices: int
    credit_notes: int
    entries: int
    started_by: str | None = None


# -- runs and their batches ---------------------------------------------------------------------


def lock_run_creation(conn: Connection) -> None:
    """Held until commit. SQLite needs nothing: ``BEGIN IMMEDIATE`` serializes writers."""
    if is_postgres(conn):
        conn.execute(select(func.pg_advisory_xact_lock(RUN_CREATION_LOCK)))


def unfinished_run(conn: Connection, as_of: date) -> str | None:
    """The latest unfinished run for ``as_of`` that has batches (runs from before batches
    existed have none and are never resumed)."""
    q = (
        select(runs.c.id)
        .where(
            runs.c.as_of == as_of,
            runs.c.finished_at.is_(None),
            select(batches.c.seq).where(batches.c.bill_run_id == runs.c.id).exists(),
        )
        .order_by(runs.c.started_at.desc())
        .limit(1)
    )
    return conn.execute(q).scalar()


def insert_run(
    conn: Connection, *, run_id: str, as_of: date, started_at: datetime, started_by: str
) -> None:
    row = {"id": run_id, "as_of": as_of, "started_at": started_at, "started_by": started_by}
    conn.execute(insert(runs).values(row))


def batch_bounds(conn: Connection, size: int) -> list[str]:
    """Every ``size``-th subscription id in id order, from the second batch's first on.

    One short index step per batch (``id > previous … OFFSET size - 1``), so planning neither
    reads every id into memory nor sorts them (SQLite would, for a window function):
    1,000 strings for a million subscriptions in batches of 1,000.
    """
    bounds: list[str] = []
    # From the start, or from a bound (itself the first of its batch), skip ``size`` ids.
    step = select(subscriptions.c.id).order_by(subscriptions.c.id).offset(size).limit(1)
    previous: str | None = None
    while True:
        q = step if previous is None else step.where(subscriptions.c.id >= previous)
        bound = conn.execute(q).scalar()
        if bound is None:
            return bounds
        bounds.append(bound)
        previous = bound


def insert_batches(conn: Connection, run_id: str, bounds: Sequence[str]) -> int:
    """Batches covering the whole id space: ``[None, b1), [b1, b2), …, [bk, None)``, so
    subscriptions created after planning are billed too."""
    edges: list[str | None] = [None, *bounds, None]
    rows = [
        {
            "bill_run_id": run_id,
            "seq": i,
            "first_id": edges[i],
            "last_id": edges[i + 1],
            "subscriptions": 0,
            "invoices": 0,
            "credit_notes": 0,
            "entries": 0,
        }
        for i in range(len(edges) - 1)
    ]
    conn.execute(insert(batches), rows)
    return len(rows)


def claim_batch(conn: Connection, run_id: str) -> Claim | None:
    """The first batch not done and not held by another worker, locked until commit (the
    batch row only: the run's row, read for who started it, stays unlocked)."""
    started_by = select(runs.c.started_by).where(runs.c.id == run_id).scalar_subquery()
    q = (
        select(batches.c.seq, batches.c.first_id, batches.c.last_id, started_by.label("by"))
        .where(batches.c.bill_run_id == run_id, batches.c.done_at.is_(None))
        .order_by(batches.c.seq)
        .limit(1)
    )
    if is_postgres(conn):
        q = q.with_for_update(skip_locked=True, of=batches)
    row = conn.execute(q).first()
    return None if row is None else Claim(run_id, row.seq, row.first_id, row.last_id, row.by)


def batches_left(conn: Connection, run_id: str) -> int:
    q = select(func.count()).where(batches.c.bill_run_id == run_id, batches.c.done_at.is_(None))
    return int(conn.execute(q).scalar_one())


def mark_batch_done(
    conn: Connection,
    claim: Claim,
    *,
    done_at: datetime,
    subscriptions: int,
    invoices: int,
    credit_notes: int,
    entries: int,
) -> None:
    conn.execute(
        update(batches)
        .where(batches.c.bill_run_id == claim.bill_run_id, batches.c.seq == claim.seq)
        .values(
            done_at=done_at,
            subscriptions=subscriptions,
            invoices=invoices,
            credit_notes=credit_notes,
            entries=entries,
        )
    )


def mark_run_finished(conn: Connection, run_id: str, finished_at: datetime) -> None:
    conn.execute(
        update(runs)
        .where(runs.c.id == run_id, runs.c.finished_at.is_(None))
        .values(finished_at=finished_at)
    )


def summary(conn: Connection, run_id: str) -> RunSummary:
    run = conn.execute(
        select(runs.c.id, runs.c.as_of, runs.c.finished_at, runs.c.started_by).where(
            runs.c.id == run_id
        )
    ).one()
    agg = conn.execute(
        select(
            func.count(),
            func.count(batches.c.done_at),
            func.coalesce(func.sum(batches.c.subscriptions), 0),
            func.coalesce(func.sum(batches.c.invoices), 0),
            func.coalesce(func.sum(batches.c.credit_notes), 0),
            func.coalesce(func.sum(batches.c.entries), 0),
        ).where(batches.c.bill_run_id == run_id)
    ).one()
    subscriptions, invoices, credit_notes, entries = (int(x) for x in agg[2:])
    return RunSummary(
        run.id,
        run.as_of,
        run.finished_at,
        batches=int(agg[0]),
        batches_done=int(agg[1]),
        subscriptions=subscriptions,
        invoices=invoices,
        credit_notes=credit_notes,
        entries=entries,
        started_by=run.started_by,
    )


def document_ids(conn: Connection, run_id: str, doc_type: str, limit: int) -> list[str]:
    """The first ``limit`` documents of a run by number (the rest: page by ``bill_run_id``)."""
    q = (
        select(documents_t.c.id)
        .where(documents_t.c.bill_run_id == run_id, documents_t.c.type == doc_type)
        .order_by(documents_t.c.number)
        .limit(limit)
    )
    return list(conn.execute(q).scalars())


def run_exists(conn: Connection, run_id: str) -> bool:
    return conn.execute(select(runs.c.id).where(runs.c.id == run_id)).first() is not None


def parked(conn: Connection, run_id: str, limit: int) -> tuple[list[Any], int]:
    """The first ``limit`` subscriptions the run parked (by subscription id), and how many."""
    where = parked_t.c.bill_run_id == run_id
    rows = conn.execute(
        select(parked_t.c.subscription_id, parked_t.c.code, parked_t.c.detail)
        .where(where)
        .order_by(parked_t.c.subscription_id)
        .limit(limit)
    ).all()
    count = conn.execute(select(func.count()).select_from(parked_t).where(where)).scalar_one()
    return list(rows), int(count)


# -- one batch's subscriptions ------------------------------------------------------------------


def in_range(column: Any, claim: Claim) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if claim.first_id is not None:
        where.append(column >= claim.first_id)
    if claim.last_id is not None:
        where.append(column < claim.last_id)
    return where


def lock_subscriptions(conn: Connection, claim: Claim) -> list[tuple[str, str, str]]:
    """(id, customer_id, currency) of the batch's subscriptions, locked until commit in id order
    (the API locks the one it changes the same way, so the two never bill on stale reads)."""
    q = (
        select(subscriptions.c.id, subscriptions.c.customer_id, subscriptions.c.currency)
        .where(*in_range(subscriptions.c.id, claim))
        .order_by(subscriptions.c.id)
    )
    if is_postgres(conn):
        # FOR NO KEY UPDATE (as the API's lock): FOR UPDATE would also block other
        # transactions' foreign-key checks on these rows (a payment's update of an invoice)
        # and close a deadlock cycle with them.
        q = q.with_for_update(key_share=True)
    return [(r[0], r[1], r[2]) for r in conn.execute(q)]


def _columns(table: Table, names: str) -> tuple[Any, ...]:
    """``table``'s columns by name, in the order named (the order rows come back in)."""
    return tuple(table.c[name] for name in names.split())


EVENT_COLUMNS = _columns(
    events_t, "subscription_id id seq type effective_date recorded_at recorded_by reason data"
)


def events(conn: Connection, claim: Claim) -> Iterator[Any]:
    """The batch's timeline events, by subscription and sequence."""
    q = (
        select(*EVENT_COLUMNS)
        .where(*in_range(events_t.c.subscription_id, claim))
        .order_by(events_t.c.subscription_id, events_t.c.seq)
    )
    return iter(conn.execute(q))


ENTRY_COLUMNS = _columns(
    entries_t,
    "subscription_id id item kind period_start period_end service_start service_end unit_amount"
    " quantity period_amount amount event_id credits_entry_id document_id tax_code vat_rate"
    " vat_inclusive",
)


def posted_entries(conn: Connection, claim: Claim) -> Iterator[Any]:
    """The batch's posted ledger entries, by subscription and posting order: of each
    subscription with a settlement point only those of periods ending after it."""
    point = settlements_t.c.settled_through
    q = (
        select(*ENTRY_COLUMNS)
        .select_from(
            entries_t.outerjoin(
                settlements_t, settlements_t.c.subscription_id == entries_t.c.subscription_id
            )
        )
        # Orders' entries have no subscription (an unbounded batch would read them).
        .where(
            entries_t.c.subscription_id.is_not(None),
            *in_range(entries_t.c.subscription_id, claim),
            or_(point.is_(None), entries_t.c.period_end > point),
        )
        .order_by(entries_t.c.subscription_id, entries_t.c.id)
    )
    return iter(conn.execute(q))


def posted_entries_since(
    conn: Connection, subscription_ids: Sequence[str], since: date
) -> Iterator[Any]:
    """The posted entries of periods ending after ``since`` of these subscriptions, by
    subscription and posting order (the few whose derivation starts before their point)."""
    q = (
        select(*ENTRY_COLUMNS)
        .where(entries_t.c.subscription_id.in_(subscription_ids), entries_t.c.period_end > since)
        .order_by(entries_t.c.subscription_id, entries_t.c.id)
    )
    return iter(conn.execute(q))


def settlement_points(conn: Connection, claim: Claim) -> dict[str, Settlement]:
    """The batch's stored settlement points, by subscription."""
    c = settlements_t.c
    q = select(c.subscription_id, c.settled_through, c.timeline_seq).where(
        *in_range(c.subscription_id, claim)
    )
    return {r[0]: Settlement(r[1], r[2]) for r in conn.execute(q)}


def write_settlements(
    conn: Connection,
    *,
    new: Sequence[tuple[str, str, Settlement]],
    changed: Sequence[tuple[str, Settlement]],
) -> None:
    """Insert the points of ``new`` (subscription, customer, point), move those of ``changed``
    (the batch's subscription rows are locked: nobody else writes their points meanwhile)."""
    if new:
        conn.execute(
            insert(settlements_t),
            [
                {
                    "subscription_id": sid,
                    "customer_id": cid,
                    "settled_through": p.settled_through,
                    "timeline_seq": p.seq,
                }
                for sid, cid, p in new
            ],
        )
    if changed:
        c = settlements_t.c
        conn.execute(
            update(settlements_t)
            .where(c.subscription_id == bindparam("sid"))
            .values(settled_through=bindparam("through"), timeline_seq=bindparam("seq")),
            [{"sid": sid, "through": p.settled_through, "seq": p.seq} for sid, p in changed],
        )
