"""Who caused a row: the person (or API key) of the transaction, stamped as rows are written.

A request's transaction carries its caller in ``session.info[ACTOR]`` (billing.http.deps puts
it there). Before each flush, :func:`stamp` writes it on the new rows that record a person:
``events.actor``, ``documents.issued_by`` and ``payments.recorded_by``, so that every writer
(the services, the bill runs) attributes its rows without passing the caller down. A
transaction without a caller (the scheduler, the workers, the CLI) leaves them null.

It also notes, for the activity log (billing.audit), whether the transaction wrote anything
(``WROTE``: a request that changed nothing, such as a file imported again, is no write), and
what it created: the first
new row with a public id (``CREATED``) and the first customer a new row belongs to
(``CUSTOMER``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from billing.storage.models import (
    AuditEntry,
    Customer,
    Document,
    IdempotencyRecord,
    OutboxEvent,
    Payment,
)

#: ``session.info`` key: who the transaction writes for (a person id, else an API key id).
ACTOR = "billing.actor"
#: ``session.info`` key: the person among them, if a person's token made the request.
PERSON = "billing.person"
#: ``session.info`` key: set once the transaction wrote anything (a flush, an UPDATE …).
WROTE = "billing.wrote"
#: ``session.info`` key: (table, id) of the first row with a public id the transaction added.
CREATED = "billing.created"
#: ``session.info`` key: the customer of the first new row that belongs to one.
CUSTOMER = "billing.customer"

#: The column that names the person, per model.
_STAMPED: dict[type[Any], str] = {
    OutboxEvent: "actor",
    Document: "issued_by",
    Payment: "recorded_by",
}
#: Rows that are bookkeeping of a write, never its subject.
_NOT_SUBJECTS = (OutboxEvent, AuditEntry, IdempotencyRecord)


def attribute(session: Session, *, who: str, person_id: str | None) -> None:
    """Everything ``session`` writes from now on is ``who``'s (a person id, else a key id)."""
    session.info[ACTOR] = who
    session.info[PERSON] = person_id


def stamp(session: Session, _flush_context: Any, _instances: Any) -> None:
    """Before a flush: the caller on the new rows that record one; the first created row."""
    who = session.info.get(ACTOR)
    if session.new or session.dirty or session.deleted:
        session.info[WROTE] = True
    for row in session.new:
        column = _STAMPED.get(type(row))
        if who is not None and column is not None and getattr(row, column) is None:
            setattr(row, column, who)
        if CUSTOMER not in session.info:
            customer = row.id if isinstance(row, Customer) else getattr(row, "customer_id", None)
            if isinstance(customer, str):
                session.info[CUSTOMER] = customer
        if CREATED not in session.info and not isinstance(row, _NOT_SUBJECTS):
            public_id = getattr(row, "id", None)
            if isinstance(public_id, str):
                session.info[CREATED] = (type(row).__tablename__, public_id)


def note_statement(state: ORMExecuteState) -> None:
    """A statement that writes (``session.execute(update(...))``) counts as a write too."""
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


event.listen(Session, "before_flush", stamp)
event.listen(Session, "do_orm_execute", note_statement)
