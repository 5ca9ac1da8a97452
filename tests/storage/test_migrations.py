"""The schema comes only from the Alembic migrations, and they agree with the models.

On a fresh database of each kind: upgrading to head gives exactly the schema of
``billing.storage.models`` (Alembic's autogenerate comparison finds nothing, types included);
upgrading again is a no-op; downgrading to base removes everything and upgrading again rebuilds
the same schema, seeds included.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select, text

from alembic import command
from billing.storage.migrate import alembic_config, upgrade
from billing.storage.models import Base, DocumentCounter
from tests.conftest import Database


def _differences(url: str) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def _state(url: str) -> tuple[str | None, set[str], list[tuple[str, int]], set[str]]:
    """(revision, tables, document counters, append-only triggers) of a database."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            revision = MigrationContext.configure(conn).get_current_revision()
            tables = set(inspect(conn).get_table_names())
            counters: list[tuple[str, int]] = []
            if "document_counters" in tables:
                counters = [
                    (c.series, c.last_number)
                    for c in conn.execute(select(DocumentCounter).order_by(DocumentCounter.series))
                ]
            if conn.dialect.name == "postgresql":
                rows = conn.execute(
                    text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
                ).scalars()
            else:
                rows = conn.execute(
                    text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                ).scalars()
            return revision, tables, counters, set(rows)
    finally:
        engine.dispose()


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


#: Number series every database starts with, each at 0 (migrations may add more series).
SEEDED = {"INV", "CN"}


def test_migrated_schema_equals_the_models(empty_database: Database) -> None:
    url = empty_database.url
    assert _state(url)[1] == set()  # nothing before the migrations
    upgrade(url)
    assert _differences(url) == []
    revision, tables, counters, triggers = _state(url)
    assert revision == _head()
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
    assert {series for series, _ in counters} >= SEEDED
    assert all(last == 0 for _, last in counters), counters
    # Both append-only tables are guarded (test_append_only checks the guards work).
    assert any(t.startswith("timeline_events") for t in triggers)
    assert any(t.startswith("ledger_entries") for t in triggers)


def test_upgrade_twice_is_a_no_op(empty_database: Database) -> None:
    url = empty_database.url
    upgrade(url)
    first = _state(url)
    upgrade(url)
    assert _state(url) == first
    assert _differences(url) == []


def test_downgrade_to_base_and_upgrade_again(empty_database: Database) -> None:
    url = empty_database.url
    upgrade(url)
    migrated = _state(url)
    command.downgrade(alembic_config(url), "base")
    revision, tables, counters, triggers = _state(url)
    assert revision is None
    assert tables == {"alembic_version"}
    assert counters == [] and triggers == set()
    upgrade(url)
    assert _state(url) == migrated
    assert _differences(url) == []
