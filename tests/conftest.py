"""Shared fixtures: a fresh, migrated database per test on SQLite and on PostgreSQL.

PostgreSQL tests run when ``BILLING_TEST_POSTGRES_URL`` points at a server (``scripts/test``
starts one); each test gets its own database cloned from a migrated template. In CI
(``CI=true``) a missing server is an error, not a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from billing.storage.migrate import upgrade

PG_URL = os.environ.get("BILLING_TEST_POSTGRES_URL")
ADMIN_TOKEN = "test-admin-token-0123456789"


def _pg_admin_engine() -> Any:
    assert PG_URL
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=None)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated template database, made once per test process."""
    if not PG_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs BILLING_TEST_POSTGRES_URL (scripts/test starts PostgreSQL)")
        pytest.skip("no PostgreSQL (set BILLING_TEST_POSTGRES_URL)")
    name = f"billing_tpl_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@dataclass
class Database:
    kind: str  # "sqlite" | "postgres"
    url: str


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Database]:
    """A fresh, migrated database of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'billing.sqlite3'}"
        upgrade(url)
        yield Database("sqlite", url)
        return
    template = request.getfixturevalue("pg_template")
    name = f"billing_t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield Database("postgres", url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def make_app(database: Database) -> Iterator[Callable[..., Any]]:
    """Build the app on the test database; ``make_app(test_clock=True, ...)``."""
    from billing.http.app import create_app
    from billing.settings import Settings

    apps: list[Any] = []

    def factory(**overrides: Any) -> Any:
        settings = Settings(
            database_url=database.url,
            admin_token=ADMIN_TOKEN,
            test_clock=overrides.pop("test_clock", True),
            **overrides,
        )
        app = create_app(settings, migrate=False)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.state.engine.dispose()


class Api:
    """A thin test client: staff headers by default, JSON in and out."""

    def __init__(self, client: Any, token: str = ADMIN_TOKEN) -> None:
        self.client = client
        self.token = token

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.token}"}
        h.update(extra or {})
        return h

    def as_token(self, token: str) -> Api:
        return Api(self.client, token)

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, headers=self.headers(kw.pop("headers", None)), **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.client.post(
            path, json=json, headers=self.headers(kw.pop("headers", None)), **kw
        )

    def put(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.client.put(path, json=json, headers=self.headers(kw.pop("headers", None)), **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.client.delete(path, headers=self.headers(kw.pop("headers", None)), **kw)

    # Shortcuts for the common set-up.
    def today(self, day: str) -> None:
        r = self.put("/v1/test-clock", {"today": day})
        assert r.status_code == 200, r.text

    def customer(self, **body: Any) -> dict[str, Any]:
        body.setdefault("name", "Acme AB")
        body.setdefault("currency", "SEK")
        r = self.post("/v1/customers", body)
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def plan(self, **body: Any) -> dict[str, Any]:
        body.setdefault("code", f"plan-{uuid.uuid4().hex[:8]}")
        body.setdefault("name", "Monthly")
        body.setdefault("currency", "SEK")
        body.setdefault("unit_amount", 24995)
        body.setdefault("interval", "month")
        r = self.post("/v1/plans", body)
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def subscription(self, customer: dict[str, Any], plan: dict[str, Any], **body: Any) -> Any:
        body.setdefault("start_date", "2025-04-02")
        r = self.post(
            "/v1/subscriptions", {"customer_id": customer["id"], "plan_id": plan["id"], **body}
        )
        assert r.status_code == 201, r.text
        return r.json()


@pytest.fixture
def api(make_app: Callable[..., Any]) -> Iterator[Api]:
    from fastapi.testclient import TestClient

    with TestClient(make_app()) as client:
        yield Api(client)
