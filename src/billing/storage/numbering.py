"""Gapless numbering: the next numbers of a series (documents ``INV``, ``CN``, ``RF``; the event
feed ``EVT``), issued in commit order.

Each series has one row in ``document_counters``. Taking a number updates that row, whose lock
is then held until the transaction commits: numbers have no gaps (a rolled-back transaction
gives its numbers back) and are issued in commit order (a reader by number never skips one that
commits later). A preview (``session.info[PREVIEW]``) is rolled back unseen: it shows the numbers
it would take and never queues on a counter.

**Numbers last.** A counter row, once taken, makes every other writer of that series wait
until this transaction commits; so an API write takes its numbers at its end, as a bill-run
batch does (billing.bill_runs.numbers). What needs a number says so with :func:`later` (a
document written under this transaction's provisional series, an event of the feed, an
activity-log entry): the number is given by :func:`settle`, which runs before the commit (a
``before_commit`` hook on every session) or earlier where an answer shows a number before the
commit (:func:`numbered`). :func:`settle` first flushes every other write, so every row lock
the transaction takes it holds already; then it takes the counters in the one order
(:func:`settle_order`: the feed, the documents' series as :func:`billing.domain.posting.lock_order`
has them, the activity log, any other); then it hands out the numbers. A transaction holding a
counter only writes its own rows and commits: it waits for no other lock, so no lock cycle can
run through a counter.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Table, event, select, update
from sqlalchemy.orm import Session, object_session

from billing.domain.posting import lock_order
from billing.storage.db import is_postgres
from billing.storage.models import DocumentCounter

#: ``session.info`` flag of a transaction that will be rolled back (``?preview=true``).
PREVIEW = "preview"
#: ``session.info`` key of the numbers a preview has shown so far, per series.
_PREVIEW_TAKEN = "preview_numbers"

#: ``session.info`` key of the numbers this transaction takes at its end: (series, give).
_LATER = "numbers_later"
#: ``session.info`` key of this transaction's provisional series and how many it has used.
_PROVISIONAL = "provisional_series"
#: First character of a provisional series (no real series starts with it).
PROVISIONAL = "~"
#: The feed's and the activity log's series (billing.events.service, billing.audit.service).
FEED_SERIES, AUDIT_SERIES = "EVT", "AUD"

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


def later(session: Session, series: str, give: Callable[[int], None]) -> None:
    """``give`` gets the next number of ``series`` when the transaction takes its numbers
    (:func:`settle`); numbers of one series are given in the order they were asked for."""
    session.info.setdefault(_LATER, []).append((series, give))


def provisional(session: Session) -> tuple[str, int]:
    """A placeholder series and number for a row whose real number comes later: unique in
    the table (this transaction's series, numbered 1, 2, …), seen by nobody (replaced before
    the commit, in the transaction that wrote it)."""
    series, used = session.info.get(_PROVISIONAL) or (PROVISIONAL + uuid.uuid4().hex[:19], 0)
    session.info[_PROVISIONAL] = (series, used + 1)
    return series, used + 1


def is_provisional(series: str) -> bool:
    return series.startswith(PROVISIONAL)


def settle_order(series: set[str]) -> list[str]:
    """The one order counters are locked in: the feed, the documents, the activity log, the
    rest (a bill-run batch takes the feed and then the documents, the same order)."""
    first = [FEED_SERIES] if FEED_SERIES in series else []
    last = [AUDIT_SERIES] if AUDIT_SERIES in series else []
    middle = lock_order(series - {FEED_SERIES, AUDIT_SERIES})
    return first + middle + last


def settle(session: Session) -> None:
    """Take the numbers this transaction asked for (:func:`later`) and give them out: the
    documents' first, then the feed's, then the log's (an event's data names its document's
    number), each kind in the order asked for. A second call finds nothing pending unless more
    was asked for since."""
    pending: list[tuple[str, Callable[[int], None]]] = session.info.pop(_LATER, [])
    if not pending:
        return
    session.flush()  # every row lock this transaction takes, taken before any counter
    needed: dict[str, int] = {}
    for series, _ in pending:
        needed[series] = needed.get(series, 0) + 1
    conn = session.connection()
    nxt = {s: take_numbers(conn, s, needed[s]) for s in settle_order(set(needed))}
    # Documents before events and log entries: an event's data names its document's number.
    rank = {FEED_SERIES: 1, AUDIT_SERIES: 2}
    for series, give in sorted(pending, key=lambda p: rank.get(p[0], 0)):
        number = nxt[series]
        nxt[series] += 1
        give(number)
    session.flush()


def numbered(row: Any) -> None:
    """Make sure ``row`` (a document) carries its real number: settles its transaction's
    numbers if it still has a provisional one (an answer built before the commit)."""
    if is_provisional(row.series):
        session = object_session(row)
        if session is not None:
            settle(session)


@event.listens_for(Session, "before_commit")
def _settle_before_commit(session: Session) -> None:
    settle(session)


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_LATER, None)
    session.info.pop(_PROVISIONAL, None)


@event.listens_for(Session, "after_commit")
def _forget_provisional(session: Session) -> None:
    session.info.pop(_PROVISIONAL, None)
