"""A batch's numbers, taken last and briefly: gapless and in commit order, without holding
the counters through the batch's write phase.

A batch writes its documents first under a provisional series of its own (``~`` and 19 random
hex digits, numbered 1, 2, …), with its ledger entries, parked subscriptions, settlement points,
the credit it consumes and its claim, while no counter is locked. Only then does it take the
numbers: the feed's counter, then the documents' series in :func:`lock_order` (one lock order
everywhere: subscriptions, feed, documents; API writes take theirs the same way at their
end, billing.storage.numbering); each document gets its number, payment reference
and issuer (``issued_by``: who started the run, a constant of the statement, so the COPY of the
documents carries no column for it) in one statement; the feed events are inserted, each with
the same ``actor``; the caller commits. The counters are locked for that last step only, so
another worker's batch writes while this one numbers.

Numbers stay gapless (a batch that fails rolls its numbers back with everything else) and in
commit order (a counter stays locked until the transaction that took it commits). Nobody sees
a provisional series: it is replaced in the same transaction that wrote it.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from billing.bill_runs import bulk
from billing.domain.posting import PlannedDocument, lock_order
from billing.events.service import SERIES as EVENT_SERIES
from billing.ids import new_id
from billing.storage.numbering import PROVISIONAL, take_numbers

EVENT_COLUMNS = (
    "seq", "id", "type", "customer_id", "subscription_id", "subject_id", "data", "created_at",
    "actor",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Pending:
    """A document written with a provisional number, waiting for its real one."""

    document_id: str
    customer_id: str
    subscription_id: str
    planned: PlannedDocument


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """A feed event of the batch that is not a document's (a parked subscription)."""

    type: str
    customer_id: str
    subscription_id: str
    subject_id: str
    data: dict[str, Any]


@dataclass(slots=True)
class Numbering:
    """The batch's documents and events in the order they will be numbered."""

    series: str = field(default_factory=lambda: PROVISIONAL + uuid.uuid4().hex[:19])
    documents: list[Pending] = field(default_factory=list)
    events: list[PendingEvent] = field(default_factory=list)
    #: Who started the run: the documents' ``issued_by`` and the events' ``actor``.
    issued_by: str | None = None

    def provisional(self, pending: Pending) -> int:
        """Queue ``pending``; returns its provisional number in :attr:`series`."""
        self.documents.append(pending)
        return len(self.documents)

    def assign(self, conn: Connection, now: Any) -> int:
        """Take the numbers and write them (documents, then the feed events); returns the
        number of feed events written."""
        if not self.documents and not self.events:
            return 0
        needed = Counter(p.planned.series for p in self.documents)
        first_seq = take_numbers(conn, EVENT_SERIES, len(self.documents) + len(self.events))
        next_number = {s: take_numbers(conn, s, needed[s]) for s in lock_order(needed)}
        numbered: list[tuple[str, str, int, str | None]] = []
        events: list[tuple[Any, ...]] = []
        seq = first_seq
        by = self.issued_by
        for p in self.documents:
            planned = p.planned
            number = next_number[planned.series]
            next_number[planned.series] += 1
            reference = planned.reference(number)
            numbered.append((p.document_id, planned.series, number, reference))
            data = planned.issued_data(number, reference, document_id=p.document_id)
            events.append(
                (seq, new_id("ev"), planned.issued_type, p.customer_id, p.subscription_id,
                 p.document_id, _json(data), now, by)
            )  # fmt: skip
            seq += 1
        for e in self.events:
            events.append(
                (seq, new_id("ev"), e.type, e.customer_id, e.subscription_id, e.subject_id,
                 _json(e.data), now, by)
            )  # fmt: skip
            seq += 1
        if numbered:
            _write_numbers(conn, numbered, self.series, by)
        bulk.insert_rows(conn, "events", EVENT_COLUMNS, events, adapted=True)
        return len(events)


def _write_numbers(
    conn: Connection,
    numbered: list[tuple[str, str, int, str | None]],
    provisional: str,
    issued_by: str | None,
) -> None:
    """Each document's series, number and payment reference in place of its provisional ones,
    and its issuer: one statement on PostgreSQL, the driver's ``executemany`` on SQLite (whose
    single writer makes the order moot there)."""
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        if conn.dialect.name == "postgresql":
            ids, series, numbers, references = (list(c) for c in zip(*numbered, strict=True))
            cursor.execute(
                "UPDATE documents AS d SET series = v.series, number = v.number,"
                " payment_reference = v.reference, issued_by = %s"
                " FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::text[])"
                " AS v(id, series, number, reference)"
                " WHERE d.id = v.id AND d.series = %s",
                (issued_by, ids, series, numbers, references, provisional),
            )
        else:
            cursor.executemany(
                "UPDATE documents SET series = ?, number = ?, payment_reference = ?, issued_by = ?"
                " WHERE id = ? AND series = ?",
                [(s, n, r, issued_by, i, provisional) for i, s, n, r in numbered],
            )
        updated = cursor.rowcount
    finally:
        cursor.close()
    if updated != len(numbered):  # pragma: no cover - a bug, not a condition
        raise RuntimeError(f"numbered {updated} of {len(numbered)} documents")


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
