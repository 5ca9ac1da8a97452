"""Storage fixtures: an empty (unmigrated) database of each kind, and engines on it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, Database, _pg_admin_engine


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Database]:
    """A database of each kind with nothing in it: the migrations must build everything."""
    if request.param == "sqlite":
        yield Database("sqlite", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
        return
    if not PG_URL:
        request.getfixturevalue("pg_template")  # skips (or fails in CI) without a server
    name = f"billing_e_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield Database("postgres", url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
