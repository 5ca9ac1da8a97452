"""How repositories read rows: one row by key, the rows that belong to a parent, a page by key.

Every repository asks the same three questions of its tables; this module is the one way to
ask them, so that a lock, a portal caller's scope or a cursor means the same everywhere.

* :func:`get_row`: one row by primary key, else :class:`~billing.errors.NotFound` with the
  repository's own message. Extra conditions (a portal caller's scope, a document's type) are
  part of the query: a row they exclude is never locked, and is not found (404), not forbidden.
* :func:`rows_where`: the rows matching some conditions, in the order given.
* :func:`page_after`: at most ``limit`` rows in key order after a cursor (the last key of the
  previous page), with the optional ``column == value`` filters of a list endpoint.

Row locks (``lock``) last until commit and exist on PostgreSQL only: SQLite transactions begin
with ``BEGIN IMMEDIATE`` (:mod:`billing.storage.db`), so a writer already holds the database's
write lock. Which lock a table takes is its repository's decision, explained there; see
:class:`Lock`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, inspect, select
from sqlalchemy.orm import Session

from billing.errors import NotFound
from billing.storage.db import is_postgres

R = TypeVar("R")
T = TypeVar("T")


class Lock(Enum):
    """A PostgreSQL row lock taken when a row is read for change."""

    #: ``FOR UPDATE``: also waits for (and blocks) other transactions' foreign-key checks
    #: on the row (``FOR KEY SHARE``, taken when they insert a row pointing at it).
    UPDATE = "update"
    #: ``FOR NO KEY UPDATE``: as exclusive as ``FOR UPDATE`` between writers of the row, but
    #: lets foreign-key checks through (so writing a child row does not queue on the parent).
    NO_KEY_UPDATE = "no_key_update"


def with_lock(session: Session, q: Select[T], lock: Lock | None) -> Select[T]:
    """``q`` taking ``lock`` on the rows it reads (PostgreSQL; nothing on SQLite)."""
    if lock is None or not is_postgres(session):
        return q
    return q.with_for_update(key_share=lock is Lock.NO_KEY_UPDATE)


def get_row(
    session: Session,
    model: type[R],
    key: object,
    *where: ColumnElement[bool] | None,
    missing: str,
    lock: Lock | None = None,
    fresh: bool = False,
) -> R:
    """The ``model`` row whose primary key is ``key`` and which meets every condition of
    ``where`` (``None`` conditions are skipped: see :func:`scoped`).

    ``lock``: locked until commit. ``fresh``: its attributes read from the database even when
    the session holds the row already, so what is computed from a locked row is never based
    on a copy read before the lock. ``missing``: the message of the ``NotFound`` raised when
    there is no such row.
    """
    (primary_key,) = inspect(model).primary_key
    q = select(model).where(primary_key == key, *(c for c in where if c is not None))
    if fresh:
        q = q.execution_options(populate_existing=True)
    row = session.scalars(with_lock(session, q, lock)).first()
    if row is None:
        raise NotFound(missing)
    return row


def scoped(column: Any, customer_scope: str | None) -> ColumnElement[bool] | None:
    """The condition limiting ``column`` (a customer id) to a portal caller's customer; none
    for staff and integrations (``customer_scope`` None)."""
    if customer_scope is None:
        return None
    condition: ColumnElement[bool] = column == customer_scope
    return condition


def rows_where(
    session: Session,
    model: type[R],
    *where: ColumnElement[bool],
    order_by: Sequence[Any],
    fresh: bool = False,
) -> list[R]:
    """The ``model`` rows meeting every condition, in ``order_by`` order. ``fresh``: as in
    :func:`get_row`."""
    q = select(model).where(*where).order_by(*order_by)
    if fresh:
        q = q.execution_options(populate_existing=True)
    return list(session.scalars(q))


def page_after(
    session: Session,
    q: Select[R],
    key: Any,
    *,
    after: object | None,
    limit: int,
    filters: Iterable[tuple[Any, object | None]] = (),
) -> list[R]:
    """At most ``limit`` rows of ``q`` in ``key`` order, those after ``after`` (the last key of
    the previous page; None: from the start). ``filters``: ``(column, value)`` pairs, each
    keeping the rows whose column equals the value; a None value filters nothing."""
    q = q.where(*(column == value for column, value in filters if value is not None))
    if after is not None:
        q = q.where(key > after)
    return list(session.scalars(q.order_by(key).limit(limit)))
