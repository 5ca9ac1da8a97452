"""The lifecycle tests' ``database``: a fresh, migrated database per test on both kinds.

SQLite is copied from a file migrated once per process. PostgreSQL databases are cloned from
the migrated template as in the top-level fixture, but a clone takes about a second, so a
small pool prepares the next clones in the background while a test runs (and drops used ones
in the background too). Every test still gets a database nobody else touched.
"""

from __future__ import annotations

import shutil
import uuid
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from billing.storage.migrate import upgrade
from tests.conftest import PG_URL, Database, _pg_admin_engine

#: Clones kept ready ahead of the tests that will use them.
PREPARED = 2


class PgPool:
    def __init__(self, template: str) -> None:
        assert PG_URL
        self.template = template
        self.admin = _pg_admin_engine()
        self.workers = ThreadPoolExecutor(max_workers=PREPARED + 1)
        self.ready: deque[Future[str]] = deque()
        self.drops: list[Future[None]] = []
        self._fill()

    def _create(self) -> str:
        name = f"billing_lc_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        return name

    def _drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def _fill(self) -> None:
        while len(self.ready) < PREPARED:
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
