"""Gapless numbering: the next numbers of a series (documents ``INV``, ``CN``, ``RF``; the event
feed ``EVT``), issued in commit order.

Each series has one row in ``document_counters``. Taking a number updates that row, whose lock
is then held until the transaction commits: numbers have no gaps (a rolled-back transaction
gives its numbers back) and are issued in commit order (a reader by number never skips one that
commits later). A preview (``session.info[PREVIEW]``) is rolled back unseen: it shows the numbers
it would take and never queues on a counter.
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, select, update
from sqlalchemy.orm import Session

from billing.storage.db import is_postgres
from billing.storage.models import DocumentCounter

#: ``session.info`` flag of a transaction that will be rolled back (``?preview=true``).
PREVIEW = "preview"
#: ``session.info`` key of the numbers a preview has shown so far, per series.
_PREVIEW_TAKEN = "preview_numbers"

counters: Table = DocumentCounter.__table__  # type: ignore[assignment]


def next_number(session: Session, series: str) -> int:
    """The next number of ``series``; the counter row stays locked until commit."""
    if session.info.get(PREVIEW):
        taken = session.info.setdefault(_PREVIEW_TAKEN, {})
        taken[series] = taken.get(series, 0) + 1
        last = session.scalar(
            select(DocumentCounter.last_number).where(DocumentCounter.series == series)
        )
        return int(last or 0) + int(taken[series])
    q = select(DocumentCounter).where(DocumentCounter.series == series)
    if is_postgres(session):
        q = q.with_for_update()
    counter = session.scalars(q).one()
    counter.last_number += 1
    session.flush()
    return counter.last_number


def take_numbers(conn: Connection, series: str, count: int) -> int:
    """Reserve ``count`` consecutive numbers of ``series`` (a bill run's batch); returns the
    first. One ``UPDATE … RETURNING`` takes the counter row's lock until commit, so numbers
    stay gapless and in commit order, as with one number at a time."""
    q = (
        update(counters)
        .where(counters.c.series == series)
        .values(last_number=counters.c.last_number + count)
        .returning(counters.c.last_number)
    )
    last = int(conn.execute(q).scalar_one())
    return last - count + 1


def lock_series(session: Session, series: str) -> None:
    """Take the counter lock of ``series`` now, before any number is needed (PostgreSQL; SQLite's
    writer lock already serializes), so that callers can fix one lock order. Not in a preview."""
    if is_postgres(session) and not session.info.get(PREVIEW):
        session.execute(
            select(DocumentCounter.series).where(DocumentCounter.series == series).with_for_update()
        )
