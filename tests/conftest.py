"""Shared fixtures: a fresh, migrated database per test on SQLite and on PostgreSQL.

PostgreSQL tests run when ``BILLING_TEST_POSTGRES_URL`` points at a server (``scripts/test``
starts one); each test gets its own database cloned from a migrated template. In CI
(``CI=true``) a missing server is an error, not a skip.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from billing.storage.migrate import upgrade
from tests import response_guard

PG_URL = os.environ.get("BILLING_TEST_POSTGRES_URL")
ADMIN_TOKEN = "test-admin-token-0123456789"


@pytest.fixture(autouse=True, scope="session")
def _response_models_drop_nothing() -> None:
    """A response model that drops a key its handler answered fails the request
    (tests/response_guard.py)."""
    response_guard.install()


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


class PgPool:
    """Fresh PostgreSQL databases cloned from the migrated template. A clone takes about a
    second, so a small pool prepares the next ones in the background while a test runs (and
    drops used ones in the background too); every test still gets a database of its own."""

    PREPARED = 2

    def __init__(self, template: str) -> None:
        assert PG_URL
        self.template = template
        self.admin = _pg_admin_engine()
        self.workers = ThreadPoolExecutor(max_workers=self.PREPARED + 1)
        self.ready: deque[Future[str]] = deque()
        self.drops: list[Future[None]] = []
        self._fill()

    def _create(self) -> str:
        name = f"billing_t_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        return name

    def _drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def _fill(self) -> None:
        while len(self.ready) < self.PREPARED:
            self.ready.append(self.workers.submit(self._create))

    def take(self) -> str:
        name = self.ready.popleft().result()
        self._fill()
        return name

    def give_back(self, name: str) -> None:
        self.drops.append(self.workers.submit(self._drop, name))

    def close(self) -> None:
        for future in self.ready:
            self.give_back(future.result())
        for future in self.drops:
            future.result()
        self.workers.shutdown()
        self.admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per test process; tests get copies (~1 ms, not ~0.5 s)."""
    path = tmp_path_factory.mktemp("sqlite_template") / "billing.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_pool(pg_template: str) -> Iterator[PgPool]:
    pool = PgPool(pg_template)
    yield pool
    pool.close()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated database of each kind, for this test alone."""
    if request.param == "sqlite":
        path = tmp_path / "billing.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield Database("sqlite", f"sqlite:///{path}")
        return
    pool: PgPool = request.getfixturevalue("pg_pool")
    assert PG_URL
    name = pool.take()
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield Database("postgres", url)
    finally:
        pool.give_back(name)


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


#: The seller every test's documents are issued by unless a test makes its own: Swedish and not
#: registered for VAT (no VAT number), so the amounts of tests about timelines, proration and
#: the ledger read as net = gross. VAT is tested with sellers that are registered
#: (tests/api/test_vat_invoices.py and others).
TEST_SELLER: dict[str, Any] = {
    "legal_name": "Testbolaget AB",
    "address": {"line1": "Storgatan 1", "postal_code": "111 22", "city": "Stockholm"},
    "country": "SE",
    "organisation_number": "556036-0793",
    "f_skatt": True,
    "bank": {"bankgiro": "5050-1055"},
}


def add_test_seller(api: Api) -> dict[str, Any]:
    r = api.post("/v1/sellers", TEST_SELLER)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


@pytest.fixture
def bare_api(make_app: Callable[..., Any]) -> Iterator[Api]:
    """A fresh install: no seller yet (issuing a document is ``seller_missing``)."""
    from fastapi.testclient import TestClient

    with TestClient(make_app()) as client:
        yield Api(client)


@pytest.fixture
def api(bare_api: Api) -> Api:
    """The API with the test seller set up (:data:`TEST_SELLER`, the default seller)."""
    add_test_seller(bare_api)
    return bare_api
