"""Queries on usage events: the few rows a request checks against, bulk writes, and reads for
aggregation (requests and bill runs), each one query whatever the number of subscriptions."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from billing.domain.events import Event
from billing.domain.usage import Sample
from billing.storage.models import Customer, Plan, Subscription, TimelineEvent, UsageEvent
from billing.subscriptions.repository import event_from_row

usage_t = UsageEvent.__table__
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


def stored(session: Session, ids: Collection[str]) -> dict[str, Any]:
    """The events already stored under these client ids."""
    q = select(usage_t).where(usage_t.c.id.in_(sorted(ids)))
    return {r.id: r for r in session.execute(q)}


def insert_events(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (in :data:`COLUMNS` order; properties as a dict or None) in the open
    transaction: COPY on PostgreSQL, one ``executemany`` elsewhere."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        try:
            with cursor.copy(f"COPY usage_events ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for r in rows:
                    props = r[7]
                    copy.write_row((*r[:7], None if props is None else json.dumps(props), r[8]))
        finally:
            cursor.close()
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
) -> dict[str, dict[str, list[Sample]]]:
    """``{subscription: {metric: samples}}`` of the events of days ``[start, end)``; a sample's
    value is the event's property named in ``properties[metric]`` (unique counts)."""
    cols = [usage_t.c.subscription_id, usage_t.c.metric, usage_t.c.occurred_on, usage_t.c.quantity]
    wanted = {k: v for k, v in (properties or {}).items() if v is not None}
    if wanted:
        cols.append(usage_t.c.properties)
    q = select(*cols).where(usage_t.c.subscription_id.in_(sorted(subscription_ids)))
    if start is not None:
        q = q.where(usage_t.c.occurred_on >= start)
    if end is not None:
        q = q.where(usage_t.c.occurred_on < end)
    if metric is not None:
        q = q.where(usage_t.c.metric == metric)
    out: dict[str, dict[str, list[Sample]]] = {}
    for r in _rows(conn, q):
        key = wanted.get(r.metric)
        value = None
        if key is not None and r.properties is not None and key in r.properties:
            value = str(r.properties[key])
        out.setdefault(r.subscription_id, {}).setdefault(r.metric, []).append(
            Sample(r.occurred_on, r.quantity, value)
        )
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
    yield from conn.execute(q)
