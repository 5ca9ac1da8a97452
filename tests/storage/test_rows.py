"""The shared row reads (billing.storage.rows) and the locks each repository takes with them.

The lock table is the contract of the concurrency tests (tests/storage/test_concurrency.py,
tests/orders/test_concurrency.py): which rows are read ``FOR NO KEY UPDATE`` (so that
foreign-key checks of rows pointing at them pass), which ``FOR UPDATE``, and that SQLite,
whose writers hold the database lock from ``BEGIN IMMEDIATE``, is sent no lock clause.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from billing.errors import NotFound
from billing.invoicing import repository as invoicing
from billing.onboarding import repository as onboarding
from billing.orders import repository as orders
from billing.storage.db import make_engine, make_session_factory
from billing.storage.models import Customer
from billing.storage.rows import Lock, get_row, page_after, scoped
from billing.subscriptions import repository as subscriptions
from billing.tasks import repository as tasks
from tests.conftest import Database


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    engine = make_engine(database.url)
    with make_session_factory(engine)() as s:
        yield s
        s.rollback()
    engine.dispose()


@pytest.fixture
def statements(session: Session) -> list[str]:
    """Every SQL statement the session sends from now on."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(session.get_bind(), "before_cursor_execute", record)
    return sent


def _customers(session: Session, *ids: str) -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    session.add_all(
        Customer(
            id=i,
            name=f"Customer {i}",
            currency="SEK",
            locale="sv_SE",
            timezone="Europe/Stockholm",
            status="active",
            created_at=now,
        )
        for i in ids
    )
    session.flush()


READ_FOR_CHANGE: list[tuple[str, Callable[[Session], object], str | None]] = [
    ("subscription", lambda s: subscriptions.get(s, "sub_x", lock=True), "FOR NO KEY UPDATE"),
    ("invoice", lambda s: invoicing.lock_document(s, "inv_x", "invoice"), "FOR NO KEY UPDATE"),
    ("order", lambda s: orders.get(s, "ord_x", lock=True), "FOR UPDATE"),
    ("onboarding", lambda s: onboarding.get(s, "sub_x", lock=True), "FOR UPDATE"),
    ("task", lambda s: tasks.get_task(s, "task_x", lock=True), "FOR UPDATE"),
    ("unlocked subscription", lambda s: subscriptions.get(s, "sub_x"), None),
    ("unlocked order", lambda s: orders.get(s, "ord_x"), None),
]


@pytest.mark.parametrize(
    ("what", "read", "clause"), READ_FOR_CHANGE, ids=[w for w, _, _ in READ_FOR_CHANGE]
)
def test_each_repository_takes_its_lock_on_postgres_only(
    database: Database,
    session: Session,
    statements: list[str],
    what: str,
    read: Callable[[Session], object],
    clause: str | None,
) -> None:
    with pytest.raises(NotFound):
        read(session)
    (sent,) = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    sent = " ".join(sent.upper().split())
    if clause is None or database.kind == "sqlite":
        assert " FOR " not in sent, what
    else:
        assert sent.endswith(clause), (what, sent)


def test_a_row_outside_the_scope_is_not_found_and_not_locked(
    database: Database, session: Session, statements: list[str]
) -> None:
    _customers(session, "cus_a", "cus_b")
    statements.clear()
    mine = scoped(Customer.id, "cus_a")
    assert get_row(session, Customer, "cus_a", mine, missing="gone").id == "cus_a"
    with pytest.raises(NotFound, match="^customer cus_b not found$"):
        get_row(
            session, Customer, "cus_b", mine, lock=Lock.UPDATE, missing="customer cus_b not found"
        )
    # The scope is part of the locking query itself: the other customer's row is never locked.
    assert statements[-1].count("customers.id = ") == 2, statements[-1]
    assert get_row(session, Customer, "cus_b", scoped(Customer.id, None), missing="-").id == "cus_b"


def test_fresh_reads_what_the_database_holds_not_the_sessions_copy(session: Session) -> None:
    _customers(session, "cus_a")
    loaded = get_row(session, Customer, "cus_a", missing="gone")
    session.execute(text("UPDATE customers SET name = 'Renamed' WHERE id = 'cus_a'"))
    assert get_row(session, Customer, "cus_a", missing="gone").name == "Customer cus_a"
    assert get_row(session, Customer, "cus_a", missing="gone", fresh=True) is loaded
    assert loaded.name == "Renamed"


def test_pages_follow_the_cursor_and_skip_filters_without_a_value(session: Session) -> None:
    _customers(session, "cus_1", "cus_2", "cus_3", "cus_4", "cus_5")
    q = select(Customer)

    def ids(**kw: Any) -> list[str]:
        return [c.id for c in page_after(session, q, Customer.id, **kw)]

    assert ids(after=None, limit=2) == ["cus_1", "cus_2"]
    assert ids(after="cus_2", limit=2) == ["cus_3", "cus_4"]
    assert ids(after="cus_4", limit=2) == ["cus_5"]
    assert ids(after="cus_5", limit=2) == []
    assert ids(after=None, limit=9, filters=[(Customer.id, None)]) == [
        f"cus_{i}" for i in range(1, 6)
    ]
    assert ids(after="cus_1", limit=9, filters=[(Customer.id, "cus_3")]) == ["cus_3"]
    assert ids(after="cus_3", limit=9, filters=[(Customer.id, "cus_3")]) == []
