"""Timeline events and ledger entries are append-only, in the schema and in the code.

The database refuses UPDATE and DELETE on both tables (raw SQL through an engine, and the ORM's
own flush), whoever asks; and no code under ``src/billing`` builds an update or delete statement
against them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

import billing
from billing.storage.models import LedgerEntry, TimelineEvent
from tests.conftest import Api, Database

APPEND_ONLY = ("timeline_events", "ledger_entries")
MODELS = {"TimelineEvent", "LedgerEntry", *APPEND_ONLY}

STATEMENTS = {
    "timeline_events": [
        "UPDATE timeline_events SET reason = 'edited'",
        "UPDATE timeline_events SET effective_date = effective_date",
        "DELETE FROM timeline_events",
        "DELETE FROM timeline_events WHERE seq = (SELECT max(seq) FROM timeline_events)",
    ],
    "ledger_entries": [
        "UPDATE ledger_entries SET amount = 0",
        "UPDATE ledger_entries SET document_id = NULL WHERE kind = 'charge'",
        "DELETE FROM ledger_entries",
        "DELETE FROM ledger_entries WHERE id = (SELECT max(id) FROM ledger_entries)",
    ],
}


@pytest.fixture
def billed(api: Api) -> str:
    """A subscription with a timeline of several events and a ledger with charges and a credit."""
    api.today("2025-04-02")
    sub = api.subscription(api.customer(), api.plan(unit_amount=24995), start_date="2025-04-02")
    assert api.post("/v1/bill-runs", {"as_of": "2025-04-02"}).status_code in (200, 201)
    r = api.post(f"/v1/subscriptions/{sub['id']}/cancel", {"mode": "on_date", "date": "2025-04-05"})
    assert r.status_code == 200, r.text
    return str(sub["id"])


@pytest.fixture
def engine(api: Api, billed: str) -> Iterator[Engine]:
    url = api.client.app.state.settings.database_url
    eng = create_engine(url)
    yield eng
    eng.dispose()


def _snapshot(engine: Engine, table: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))]


def test_database_refuses_update_and_delete(api: Api, billed: str, engine: Engine) -> None:
    for table in APPEND_ONLY:
        before = _snapshot(engine, table)
        assert len(before) >= 2
        for statement in STATEMENTS[table]:
            with pytest.raises(DBAPIError, match="append-only"):
                with engine.begin() as conn:
                    conn.execute(text(statement))
            assert _snapshot(engine, table) == before, statement

    # The ORM's own flush meets the same refusal.
    for model in (TimelineEvent, LedgerEntry):
        with Session(engine) as session:
            row = session.scalars(select(model).limit(1)).one()
            if isinstance(row, TimelineEvent):
                row.recorded_by = "someone else"
            else:
                row.amount += 1
            with pytest.raises(DBAPIError, match="append-only"):
                session.flush()
            session.rollback()
            session.delete(session.scalars(select(model).limit(1)).one())
            with pytest.raises(DBAPIError, match="append-only"):
                session.flush()
            session.rollback()
            assert session.scalar(select(func.count()).select_from(model)) >= 2

    # The guards refuse edits only: an undo is a new event and new ledger rows.
    r = api.delete(f"/v1/subscriptions/{billed}/cancel")
    assert r.status_code == 200, r.text
    assert api.get(f"/v1/subscriptions/{billed}/ledger").json()["balance"] == 24995


def test_postgres_refuses_truncate(database: Database) -> None:
    if database.kind != "postgres":
        pytest.skip("SQLite has no TRUNCATE (its DELETE without WHERE is refused above)")
    engine = create_engine(database.url)
    try:
        for table in APPEND_ONLY:
            with pytest.raises(DBAPIError, match="append-only"):
                with engine.begin() as conn:
                    conn.execute(text(f"TRUNCATE {table} CASCADE"))
    finally:
        engine.dispose()


# -- the code has no update or delete path for them -------------------------------------------

_SQL = re.compile(
    r"\b(UPDATE|DELETE\s+FROM|TRUNCATE(\s+TABLE)?)\s+\"?(timeline_events|ledger_entries)\b",
    re.IGNORECASE,
)


def _names(node: ast.AST) -> set[str]:
    out: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.add(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            out.add(sub.value)
    return out


def edit_paths(source: str) -> list[tuple[int, str]]:
    """(line, what) for every update/delete aimed at an append-only table in ``source``:
    ``update(TimelineEvent)``, ``delete(LedgerEntry.__table__)``, ``query(LedgerEntry)…delete()``,
    ``TimelineEvent.__table__.update()``, and SQL text that updates, deletes or truncates them."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _SQL.search(node.value):
                found.append((node.lineno, f"SQL text {node.value[:60]!r}"))
        if not isinstance(node, ast.Call):
            continue
        fn = node.func
        name = (
            fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""
        )
        if name not in ("update", "delete", "bulk_update_mappings"):
            continue
        # The target is an argument (``update(Model)``) or the receiver of a method
        # (``Model.__table__.update()``, ``session.query(Model).filter(...).delete()``).
        scope = set().union(*(_names(a) for a in node.args))
        if isinstance(fn, ast.Attribute):
            scope |= _names(fn.value)
        hit = scope & MODELS
        if hit:
            found.append((node.lineno, f"{name}() on {sorted(hit)}"))
    return sorted(set(found))


def test_the_checker_finds_edit_paths() -> None:
    planted = """
from sqlalchemy import delete, update, text
session.execute(update(TimelineEvent).values(reason="x"))
session.execute(delete(models.LedgerEntry).where(models.LedgerEntry.id == 1))
session.query(LedgerEntry).filter_by(id=1).delete()
TimelineEvent.__table__.update()
conn.execute(text("delete from ledger_entries where id = 1"))
conn.exec_driver_sql('UPDATE "timeline_events" SET reason = NULL')
session.execute(update(Document).values(status="paid"))
"""
    assert [line for line, _ in edit_paths(planted)] == [3, 4, 5, 6, 7, 8]


def test_no_update_or_delete_paths_in_the_code() -> None:
    root = Path(billing.__file__).resolve().parent
    files = sorted(root.rglob("*.py"))
    assert len(files) > 20
    found = [
        f"{path.relative_to(root)}:{line}: {what}"
        for path in files
        for line, what in edit_paths(path.read_text(encoding="utf-8"))
    ]
    assert found == []
