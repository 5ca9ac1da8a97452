"""Queries on subscriptions and their timeline events (events are only ever inserted)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from billing.domain import codec
from billing.domain.events import Event
from billing.errors import NotFound
from billing.storage.models import Customer, Subscription, TimelineEvent
from billing.storage.rows import Lock, get_row, page_after, rows_where, scoped


def get(
    session: Session,
    subscription_id: str,
    *,
    lock: bool = False,
    customer_scope: str | None = None,
) -> Subscription:
    """The subscription row; with ``lock`` it stays locked until commit (PostgreSQL row lock;
    SQLite holds the database write lock from BEGIN IMMEDIATE already). ``customer_scope`` (a
    portal caller's customer): another customer's subscription is not found (404)."""
    # FOR NO KEY UPDATE: as exclusive as FOR UPDATE between writers of the subscription,
    # but it lets other transactions' foreign-key checks (FOR KEY SHARE on this row, taken
    # when they insert or update a row pointing at it) through. FOR UPDATE blocked those,
    # and a payment updating an invoice twice then deadlocked with a change posting a
    # credit note against that invoice.
    scope = scoped(Subscription.customer_id, customer_scope)
    mode = Lock.NO_KEY_UPDATE if lock else None
    missing = f"subscription {subscription_id} not found"
    return get_row(session, Subscription, subscription_id, scope, lock=mode, missing=missing)


def events(session: Session, subscription_id: str) -> list[TimelineEvent]:
    return rows_where(
        session,
        TimelineEvent,
        TimelineEvent.subscription_id == subscription_id,
        order_by=[TimelineEvent.seq],
    )


_SUBSCRIPTIONS = Subscription.__table__
_CUSTOMERS = Customer.__table__
_EVENTS = TimelineEvent.__table__
#: What a read shows of a subscription and needs of its customer (:func:`read_row`).
_READ_COLUMNS = (
    _SUBSCRIPTIONS.c.id,
    _SUBSCRIPTIONS.c.customer_id,
    _SUBSCRIPTIONS.c.plan_id,
    _SUBSCRIPTIONS.c.currency,
    _SUBSCRIPTIONS.c.version,
    _SUBSCRIPTIONS.c.created_at,
    _CUSTOMERS.c.timezone,
    _CUSTOMERS.c.locale,
)


#: The hot reads' statements, built once (a statement built per request costs as much as
#: running it on SQLite: coercions and its cache key); the values are bound parameters.
_READ = (
    select(*_READ_COLUMNS)
    .join_from(_SUBSCRIPTIONS, _CUSTOMERS, _SUBSCRIPTIONS.c.customer_id == _CUSTOMERS.c.id)
    .where(_SUBSCRIPTIONS.c.id == bindparam("subscription_id"))
)
_READ_SCOPED = _READ.where(_SUBSCRIPTIONS.c.customer_id == bindparam("customer_scope"))
_EVENT_ROWS = (
    select(_EVENTS)
    .where(_EVENTS.c.subscription_id == bindparam("subscription_id"))
    .order_by(_EVENTS.c.seq)
)


def read_row(session: Session, subscription_id: str, *, customer_scope: str | None = None) -> Any:
    """The subscription's columns a read shows, with its customer's ``timezone`` and
    ``locale``: one Core query, no ORM objects (the hot reads: ``GET`` subscription, timeline,
    ledger). Not found (404) as :func:`get` is, for a portal caller of another customer too."""
    params = {"subscription_id": subscription_id}
    if customer_scope is None:
        row = session.execute(_READ, params).first()
    else:
        row = session.execute(_READ_SCOPED, {**params, "customer_scope": customer_scope}).first()
    if row is None:
        raise NotFound(f"subscription {subscription_id} not found")
    return row


def event_rows(session: Session, subscription_id: str) -> list[Any]:
    """The subscription's timeline rows in ``seq`` order as Core rows (for
    :func:`event_from_row`), no ORM objects."""
    return list(session.execute(_EVENT_ROWS, {"subscription_id": subscription_id}))


def add_event(session: Session, row: TimelineEvent) -> None:
    session.add(row)
    session.flush()


def event_from_row(row: Any) -> Event:
    """The stored event as the domain's event, its payload read by the one codec. ``row``: a
    :class:`~billing.storage.models.TimelineEvent` (requests) or a Core row of its table (the
    bill run): anything with its columns as attributes."""
    return Event(
        id=row.id,
        seq=row.seq,
        effective_date=row.effective_date,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
        reason=row.reason,
        payload=codec.decode(row.type, row.data),
    )


#: The name the services read timeline rows by.
to_domain = event_from_row


def page(
    session: Session,
    *,
    customer_id: str | None,
    after: str | None,
    limit: int,
    customer_scope: str | None = None,
) -> list[Subscription]:
    """A page by id; a portal caller's ``customer_scope`` replaces any ``customer_id`` asked."""
    customer = customer_scope or customer_id
    return page_after(
        session,
        select(Subscription),
        Subscription.id,
        after=after,
        limit=limit,
        filters=[(Subscription.customer_id, customer)],
    )
