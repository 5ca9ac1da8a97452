"""Queries on sellers, their counters, and the customers a new seller numbers.

**Locks.** Which seller is the default, and which prefixes are taken, is decided under one
lock (:func:`lock_sellers`): on PostgreSQL a transaction-scoped advisory lock that every writer
of sellers takes first, so two requests cannot both make a default or both take a prefix (the
unique ``number_prefix`` would answer the loser a bare 409; the lock makes it wait and see the
winner instead). A writer of customers takes it shared (:func:`billing.sellers.service.
hold_sellers`): customers are made side by side, but the first seller, which numbers the
customers made before it, waits for those being made and is seen by those made after. SQLite
needs nothing: ``BEGIN IMMEDIATE`` already serializes writers.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from billing.storage.db import is_postgres
from billing.storage.models import Customer, Document, DocumentCounter, Seller
from billing.storage.rows import Lock, get_row, page_after

#: An arbitrary constant for ``pg_advisory_xact_lock``: the lock of every change to sellers.
SELLERS_LOCK = 0x5E11E75


def lock_sellers(session: Session, *, shared: bool = False) -> None:
    """Held until commit (see the module docstring). ``shared``: by a writer that reads which
    seller is the default and must not miss one being made (a new customer), so that the
    first seller, which numbers the customers made before it, waits for it to commit."""
    if is_postgres(session):
        lock = func.pg_advisory_xact_lock_shared if shared else func.pg_advisory_xact_lock
        session.execute(select(lock(SELLERS_LOCK)))


def get(session: Session, seller_id: str, *, lock: bool = False) -> Seller:
    return get_row(
        session,
        Seller,
        seller_id,
        missing=f"seller {seller_id} not found",
        lock=Lock.NO_KEY_UPDATE if lock else None,
        fresh=lock,
    )


def find(session: Session, seller_id: str) -> Seller | None:
    return session.get(Seller, seller_id)


def page(session: Session, *, after: str | None, limit: int) -> list[Seller]:
    return page_after(session, select(Seller), Seller.id, after=after, limit=limit)


def by_ids(session: Session, ids: Iterable[str]) -> list[Seller]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return list(session.scalars(select(Seller).where(Seller.id.in_(wanted))))


def default(session: Session) -> Seller | None:
    return session.scalars(select(Seller).where(Seller.is_default.is_(True))).first()


def any_seller(session: Session) -> bool:
    return session.scalar(select(Seller.id).limit(1)) is not None


def prefixes(session: Session) -> set[str]:
    return set(session.scalars(select(Seller.number_prefix)))


def clear_default(session: Session) -> None:
    """No seller is the default any more (the caller makes one the default next)."""
    session.execute(
        update(Seller)
        .where(Seller.is_default.is_(True))
        .values(is_default=False)
        .execution_options(synchronize_session="fetch")
    )


def has_documents(session: Session, seller_id: str) -> bool:
    q = select(Document.id).where(Document.seller_id == seller_id).limit(1)
    return session.scalar(q) is not None


# -- counters --------------------------------------------------------------------------------


def counter_values(session: Session, series: Iterable[str]) -> dict[str, int]:
    """The last number of each of ``series`` that has a counter row."""
    q = select(DocumentCounter.series, DocumentCounter.last_number).where(
        DocumentCounter.series.in_(sorted(set(series)))
    )
    return {name: int(last) for name, last in session.execute(q)}


def add_counters(session: Session, last_numbers: dict[str, int]) -> None:
    """New counter rows, ``{series: last number}`` (none of them may exist yet)."""
    session.add_all(
        DocumentCounter(series=name, last_number=last) for name, last in last_numbers.items()
    )
    session.flush()


def raise_counter(session: Session, series: str, *, at_least: int) -> None:
    """``series``' last number becomes ``at_least`` if it was lower (never lowered)."""
    session.execute(
        update(DocumentCounter)
        .where(DocumentCounter.series == series, DocumentCounter.last_number < at_least)
        .values(last_number=at_least)
        .execution_options(synchronize_session=False)
    )


# -- customers -------------------------------------------------------------------------------


def unnumbered_customers(session: Session) -> list[str]:
    """Ids of the customers without a customer number, in creation order."""
    q = (
        select(Customer.id)
        .where(Customer.customer_number.is_(None))
        .order_by(Customer.created_at, Customer.id)
    )
    return list(session.scalars(q))


def set_customer_numbers(session: Session, numbers: dict[str, str]) -> None:
    """``{customer id: customer number}``, written in one statement (bulk by primary key)."""
    if numbers:
        session.execute(
            update(Customer),
            [{"id": cid, "customer_number": number} for cid, number in numbers.items()],
        )
