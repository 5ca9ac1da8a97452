"""Writing and reading the activity log.

Each write made through the API (billing.http.trail), and each change confirmed in the staff
console (billing.console.trail), adds one entry in the transaction of the write itself (so an
entry exists exactly when the write committed; a refused or failed request leaves none, a
preview none either): who (``actor``, the person if a person's token made it, else the key;
and ``person_id``), what (``operation``: the method and route, ``subject_id``: the resource
the route names, or the one it created), when (``created_at``), and the customer it concerns
(for the per-customer log). Entries are numbered by the ``AUD`` series in commit order, so
``GET /v1/audit-log?after=`` read by ``seq`` never skips an entry that commits later. The
number is taken last in the transaction, after every other lock: a transaction holding the
counter only commits, so it can never be part of a lock cycle
(:func:`billing.storage.numbering.settle`).

There is no code path that updates or deletes an entry, and the database refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.clock import utcnow
from billing.storage.models import AuditEntry
from billing.storage.numbering import AUDIT_SERIES, PREVIEW, later

SERIES = AUDIT_SERIES


@dataclass(frozen=True, slots=True)
class Write:
    """One write made through the API, as the activity log records it."""

    #: The person id if a person's token made it, else the API key id.
    actor: str
    #: The person, if any.
    person_id: str | None
    #: The method and route template, e.g. ``POST /v1/subscriptions/{subscription_id}/cancel``.
    operation: str
    #: The resource written: the one the route names, or the one it created.
    subject_id: str | None
    #: The customer it concerns, if one.
    customer_id: str | None


def record(session: Session, write: Write) -> None:
    """Add ``write`` to the log when the transaction takes its numbers (nothing in a preview:
    it is rolled back unseen)."""
    if session.info.get(PREVIEW):
        return
    created_at = utcnow()

    def give(seq: int) -> None:
        session.add(
            AuditEntry(
                seq=seq,
                actor=write.actor,
                person_id=write.person_id,
                operation=write.operation[:200],
                subject_id=write.subject_id[:200] if write.subject_id else None,
                customer_id=write.customer_id,
                created_at=created_at,
            )
        )

    later(session, SERIES, give)


def page(
    session: Session, *, after: int | None, limit: int, customer_id: str | None
) -> list[AuditEntry]:
    """Entries after the cursor in commit order; with ``customer_id`` only that customer's."""
    q = select(AuditEntry).order_by(AuditEntry.seq).limit(limit)
    if after is not None:
        q = q.where(AuditEntry.seq > after)
    if customer_id is not None:
        q = q.where(AuditEntry.customer_id == customer_id)
    return list(session.scalars(q))
