"""A database that is busy answers 503 ``database_busy`` with ``Retry-After``, quickly, and
writes nothing: SQLite's write lock held by another connection past
``BILLING_SQLITE_BUSY_TIMEOUT_MS``, a PostgreSQL row lock held past
``BILLING_POSTGRES_LOCK_TIMEOUT_MS``. Once the lock is free the same request (and its
``Idempotency-Key``) goes through."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from billing.storage.db import make_engine
from tests.conftest import Api, Database, add_test_seller
from tests.unchanged import rows

WAIT_MS = 300


@pytest.fixture
def busy_api(make_app: Callable[..., Any]) -> Iterator[Api]:
    app = make_app(sqlite_busy_timeout_ms=WAIT_MS, postgres_lock_timeout_ms=WAIT_MS)
    with TestClient(app) as client:
        api = Api(client)
        add_test_seller(api)
        api.today("2025-04-10")
        yield api


@contextmanager
def sqlite_write_lock(database: Database) -> Iterator[None]:
    """Another connection holding SQLite's write lock (as a long writer would)."""
    path = make_url(database.url).database
    assert path
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


@contextmanager
def postgres_row_lock(database: Database, table: str, row_id: str) -> Iterator[None]:
    """Another connection holding a row lock (as a long transaction on that row would)."""
    engine = create_engine(database.url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f"SELECT 1 FROM {table} WHERE id = :id FOR UPDATE"), {"id": row_id})
            yield
            conn.rollback()
    finally:
        engine.dispose()


def held_lock(database: Database, sub: dict[str, Any]) -> Any:
    if database.kind == "sqlite":
        return sqlite_write_lock(database)
    return postgres_row_lock(database, "subscriptions", sub["id"])


def expect_busy(r: Any, started: float) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "database_busy", r.text
    assert int(r.headers["Retry-After"]) >= 1
    # Answered after the short wait, not after a minute in the queue.
    assert time.monotonic() - started < 10


def test_a_change_behind_a_held_lock_is_503_and_writes_nothing(
    busy_api: Api, database: Database
) -> None:
    customer = busy_api.customer()
    sub = busy_api.subscription(customer, busy_api.plan(), start_date="2025-04-02")
    engine = busy_api.client.app.state.engine
    before = rows(engine)
    path = f"/v1/subscriptions/{sub['id']}/pause"
    key = {"Idempotency-Key": "pause-once"}
    with held_lock(database, sub):
        started = time.monotonic()
        r = busy_api.post(path, {"start_date": "2025-05-15"}, headers=key)
        expect_busy(r, started)
    assert rows(engine) == before
    # The lock is gone: the same request with the same key runs (its key was released).
    r = busy_api.post(path, {"start_date": "2025-05-15"}, headers=key)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == sub["version"] + 1


def test_sqlite_readers_go_on_while_a_writer_holds_the_lock(
    busy_api: Api, database: Database
) -> None:
    if database.kind != "sqlite":
        pytest.skip("SQLite's database-wide write lock")
    customer = busy_api.customer()
    engine = busy_api.client.app.state.engine
    before = rows(engine)
    with sqlite_write_lock(database):
        started = time.monotonic()
        expect_busy(busy_api.post("/v1/customers", {"name": "B AB", "currency": "SEK"}), started)
        r = busy_api.get(f"/v1/customers/{customer['id']}")
        assert r.status_code == 200, r.text
    assert rows(engine) == before


def test_the_api_waits_briefly_and_durably_by_default(database: Database) -> None:
    """The API's engine: synchronous=FULL and a busy timeout of seconds, not a minute (the
    settings' defaults); background jobs keep their longer wait."""
    from billing.settings import Settings, engine_options

    options = engine_options(Settings(database_url=database.url))
    engine = make_engine(database.url, **options)
    try:
        with engine.connect() as conn:
            if database.kind == "sqlite":
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            else:
                assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "5s"
    finally:
        engine.dispose()
    job = make_engine(database.url)
    try:
        with job.connect() as conn:
            if database.kind == "sqlite":
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 60000
            else:
                assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "0"
    finally:
        job.dispose()
