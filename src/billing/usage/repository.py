"""Queries on usage events: the few rows a request checks against, bulk writes, and reads for
aggregation (requests and bill runs), each one query whatever the number of subscriptions."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, String, Table, any_, bindparam, func, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from billing.domain.events import Event
from billing.domain.usage import Sample
from billing.storage.models import (
    Customer,
    Plan,
    Subscription,
    TimelineEvent,
    UsageEvent,
    UsageMark,
)
from billing.subscriptions.repository import event_from_row

usage_t = UsageEvent.__table__
marks_t: Table = UsageMark.__table__  # type: ignore[assignment]
COLUMNS = (
    "id", "subscription_id", "customer_id", "metric", "quantity", "occurred_at", "occurred_on",
    "properties", "recorded_at",
)  # fmt: skip


def subscriptions_of(
    session: Session, ids: Collection[str], *, customer_scope: str | None
) -> dict[str, Any]:
    """The subscriptions ``ids`` (those the caller may see) with their customer's time zone and
    their plan's metrics: ``{id: row}``."""
    q = (
        select(
            Subscription.id,
            Subscription.customer_id,
            Customer.timezone,
            Subscription.plan_id,
            Plan.usage_metrics,
        )
        .join(Customer, Customer.id == Subscription.customer_id)
        .join(Plan, Plan.id == Subscription.plan_id)
        .where(Subscription.id.in_(sorted(ids)))
    )
    if customer_scope is not None:
        q = q.where(Subscription.customer_id == customer_scope)
    return {r.id: r for r in session.execute(q)}


def timelines_of(session: Session, ids: Collection[str]) -> dict[str, list[Event]]:
    """The timeline events of each subscription, in recording order."""
    q = (
        select(TimelineEvent.__table__)
        .where(TimelineEvent.subscription_id.in_(sorted(ids)))
        .order_by(TimelineEvent.subscription_id, TimelineEvent.seq)
    )
    out: dict[str, list[Event]] = {}
    for row in session.execute(q):
        out.setdefault(row.subscription_id, []).append(event_from_row(row))
    return out


#: What the idempotency check compares of a stored event.
_STORED = (
    usage_t.c.id, usage_t.c.subscription_id, usage_t.c.metric, usage_t.c.quantity,
    usage_t.c.occurred_at, usage_t.c.properties,
)  # fmt: skip
#: SQLite: ids per ``IN (...)`` (well under its limit of bound parameters).
_IN_CHUNK = 500


def stored(session: Session, ids: Collection[str]) -> dict[str, Any]:
    """The events already stored under these client ids: one query (PostgreSQL: one array
    parameter, ``id = ANY(:ids)``; SQLite: ``IN`` lists of :data:`_IN_CHUNK`)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        q = select(*_STORED).where(
            usage_t.c.id == any_(bindparam("ids", wanted, type_=postgresql.ARRAY(String)))
        )
        return {r.id: r for r in session.execute(q)}
    out: dict[str, Any] = {}
    for k in range(0, len(wanted), _IN_CHUNK):
        q = select(*_STORED).where(usage_t.c.id.in_(wanted[k : k + _IN_CHUNK]))
        out.update((r.id, r) for r in session.execute(q))
    return out


#: COPY's text format: a backslash, tab, newline or carriage return in a value is escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    return value.translate(_COPY_ESCAPES)


def _copy_lines(
    rows: Sequence[tuple[Any, ...]], stamps: Mapping[datetime, str], *, escape: bool
) -> Iterator[str]:
    """The rows as lines of COPY's text format (``escape``: with the escapes it needs)."""
    esc = _copy_text if escape else str
    for r in rows:
        props = "\\N" if r[7] is None else esc(json.dumps(r[7]))
        yield (
            f"{esc(r[0])}\t{esc(r[1])}\t{esc(r[2])}\t{esc(r[3])}\t{int(r[4])}\t"
            f"{r[5].isoformat()}\t{r[6].isoformat()}\t{props}\t{esc(stamps[r[8]])}\n"
        )


def insert_events(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (in :data:`COLUMNS` order; properties as a dict or None) in the open
    transaction: COPY on PostgreSQL (the rows as one text buffer), one ``executemany``
    elsewhere."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        stamps = {m: m.isoformat() for m in {r[8] for r in rows}}  # one per request, usually
        text = "".join(_copy_lines(rows, stamps, escape=False))
        # Ids, codes and JSON rarely hold a backslash, tab or line break: then the rows need no
        # escaping, which the counts of the whole buffer prove (8 tabs and one newline per row,
        # no carriage return, a backslash only in the \N of the rows without properties).
        nulls = sum(1 for r in rows if r[7] is None)
        if (text.count("\t") != 8 * len(rows) or text.count("\n") != len(rows)
                or "\r" in text or text.count("\\") != nulls):  # fmt: skip
            text = "".join(_copy_lines(rows, stamps, escape=True))
        cursor = dbapi.cursor()
        try:
            with cursor.copy(f"COPY usage_events ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                copy.write(text.encode())
        finally:
            cursor.close()
        mark_dirty(conn, rows)
        return
    # SQLite: the driver's executemany with the values as SQLAlchemy itself stores them (UTC
    # timestamp text, ISO dates, JSON text), skipping per-row statement compilation.
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    recorded = {r[8] for r in rows}
    stamps = {moment: _stamp(moment) for moment in recorded}  # one per request, usually
    cursor = dbapi.cursor()
    try:
        cursor.executemany(
            f"INSERT INTO usage_events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * 9)})",
            [
                (*r[:5], _stamp(r[5]), r[6].isoformat(), None if r[7] is None
                 else json.dumps(r[7]), stamps[r[8]])
                for r in rows
            ],
        )  # fmt: skip
    finally:
        cursor.close()
    mark_dirty(conn, rows)


#: The upsert of :func:`mark_dirty`: the earlier ``dirty_from``, the version counted up.
_MARK_DIRTY = """
INSERT INTO usage_marks (subscription_id, dirty_from, version) {rows}
ON CONFLICT (subscription_id) DO UPDATE SET
    dirty_from = CASE WHEN usage_marks.dirty_from IS NULL
                        OR excluded.dirty_from < usage_marks.dirty_from
                      THEN excluded.dirty_from ELSE usage_marks.dirty_from END,
    version = usage_marks.version + 1
"""


def mark_dirty(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Note on each subscription's usage mark the earliest day of the events ``rows`` stores
    (in the same transaction): the next bill run reads its events from there on. One upsert,
    in subscription order (two writers lock the marks they share in the same order), sent as
    the driver's (PostgreSQL: two array parameters; SQLite: one executemany), so that its cost
    does not grow with compiling a statement per mark. After the events' own insert: that is
    where the foreign-key checks would wait for a subscription's lock, so nothing here is held
    while waiting on a bill run."""
    earliest: dict[str, date] = {}
    for r in rows:
        sid, day = r[1], r[6]
        if sid not in earliest or day < earliest[sid]:
            earliest[sid] = day
    sids = sorted(earliest)
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        if conn.dialect.name == "postgresql":
            rows_sql = "SELECT s, d, 1 FROM unnest(%s::varchar[], %s::date[]) AS t(s, d)"
            cursor.execute(_MARK_DIRTY.format(rows=rows_sql), (sids, [earliest[s] for s in sids]))
        else:
            cursor.executemany(
                _MARK_DIRTY.format(rows="VALUES (?, ?, 1)"),
                [(s, earliest[s].isoformat()) for s in sids],
            )
    finally:
        cursor.close()


def marks_of(conn: Connection, ids: Collection[str]) -> dict[str, Any]:
    """The usage marks of subscriptions ``ids`` (:class:`~billing.storage.models.UsageMark`)."""
    q = select(marks_t).where(marks_t.c.subscription_id.in_(sorted(ids)))
    return {r.subscription_id: r for r in conn.execute(q)}


def settle_marks(
    conn: Connection, settled: Sequence[tuple[str, int | None, int]], *, as_of: date
) -> None:
    """After a bill run posted the usage difference at ``as_of`` of each subscription of
    ``settled`` ``(id, version read or None: no mark, timeline seq)``: its mark says so, unless
    events were stored under it meanwhile (another version: left as it is, still dirty)."""
    new = [{"subscription_id": sid, "settled_as_of": as_of, "timeline_seq": seq, "version": 0}
           for sid, v, seq in settled if v is None]  # fmt: skip
    known = [{"sid": sid, "v": v, "as_of": as_of, "seq": seq}
             for sid, v, seq in settled if v is not None]  # fmt: skip
    if new:
        insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        conn.execute(insert(marks_t).values(new).on_conflict_do_nothing())
    if known:
        c = marks_t.c
        conn.execute(
            update(marks_t)
            .where(c.subscription_id == bindparam("sid"), c.version == bindparam("v"))
            .values(
                dirty_from=None, settled_as_of=bindparam("as_of"), timeline_seq=bindparam("seq")
            ),  # fmt: skip
            known,
        )


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def samples_of(
    conn: Connection | Session,
    subscription_ids: Collection[str],
    *,
    properties: dict[str, str | None] | None = None,
    start: date | None = None,
    end: date | None = None,
    metric: str | None = None,
    from_of: Mapping[str, date] | None = None,
) -> dict[str, dict[str, list[Sample]]]:
    """``{subscription: {metric: samples}}`` of the events of days ``[start, end)``; a sample's
    value is the event's property named in ``properties[metric]`` (unique counts). With
    ``from_of``, only each subscription's events from its own day on (read from the earliest
    of them in one query, the others left out here)."""
    cols = [usage_t.c.subscription_id, usage_t.c.metric, usage_t.c.occurred_on, usage_t.c.quantity]
    wanted = {k: v for k, v in (properties or {}).items() if v is not None}
    if wanted:
        cols.append(usage_t.c.properties)
    q = select(*cols).where(usage_t.c.subscription_id.in_(sorted(subscription_ids)))
    if from_of:
        earliest = min(from_of.values())
        start = earliest if start is None else max(start, earliest)
    if start is not None:
        q = q.where(usage_t.c.occurred_on >= start)
    if end is not None:
        q = q.where(usage_t.c.occurred_on < end)
    if metric is not None:
        q = q.where(usage_t.c.metric == metric)
    # Bill runs read tens of thousands of rows a batch: plain tuples, one list per pair.
    lists: dict[tuple[str, str], list[Sample]] = {}
    floor = from_of or {}
    low = date.min
    for row in _rows(conn, q):
        sid, code, day, quantity = row[0], row[1], row[2], row[3]
        if floor and day < floor.get(sid, low):
            continue
        value = None
        key = wanted.get(code) if wanted else None
        if key is not None:
            props = row[4]
            if props is not None and key in props:
                value = str(props[key])
        pair = (sid, code)
        samples = lists.get(pair)
        if samples is None:
            samples = lists[pair] = []
        samples.append(Sample(day, quantity, value))
    out: dict[str, dict[str, list[Sample]]] = {}
    for (sid, code), samples in lists.items():
        out.setdefault(sid, {})[code] = samples
    return out


def last_activity(session: Session, subscription_id: str) -> dict[str, date]:
    """The last day each metric has an event on."""
    q = (
        select(usage_t.c.metric, func.max(usage_t.c.occurred_on))
        .where(usage_t.c.subscription_id == subscription_id)
        .group_by(usage_t.c.metric)
    )
    return {str(m): d for m, d in session.execute(q)}


def _rows(conn: Connection | Session, q: Any) -> Iterator[Any]:
    yield from conn.execute(q).fetchall()
