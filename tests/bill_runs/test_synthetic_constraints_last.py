"""Seeding with the constraints made last (``seed(..., constraints_last=True)``).

The same rows as a seed with the constraints in place (the same timelines, history and
settlement points, ids apart); afterwards every foreign key, unique constraint and index of the
seeded tables is back as it was, and enforced; a seed that fails halfway puts them back all the
same. On SQLite the option changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from billing.bill_runs.synthetic import SEEDED_TABLES, seed
from billing.storage.db import make_engine
from tests.bill_runs.test_synthetic_history import _ledger
from tests.conftest import Database

COUNT = 120
LAST, IN_PLACE = "000000last01", "000000last02"
COMMON: dict[str, Any] = {
    "first_start": date(2025, 1, 1),
    "last_start": date(2025, 3, 20),
    "variety": True,
    "seed_value": 11,
    "billed": (date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1)),
}


def _schema(engine: Engine) -> tuple[list[Any], list[Any]]:
    """The seeded tables' constraints and indexes as PostgreSQL defines them."""
    tables = "{" + ",".join(SEEDED_TABLES) + "}"
    with engine.connect() as conn:
        constraints = conn.execute(
            text(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), "
                "convalidated FROM pg_constraint "
                "WHERE conrelid = ANY(CAST(:t AS regclass[])) ORDER BY 1, 2"
            ),
            {"t": tables},
        ).all()
        indexes = conn.execute(
            text(
                "SELECT tablename, indexname, indexdef FROM pg_indexes "
                "WHERE tablename = ANY(CAST(:t AS text[])) ORDER BY 1, 2"
            ),
            {"t": tables},
        ).all()
    return list(constraints), list(indexes)


def _points(engine: Engine, tag: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT subscription_id, settled_through, timeline_seq FROM ledger_settlements "
                "WHERE subscription_id LIKE :p ORDER BY subscription_id"
            ),
            {"p": f"sub_{tag}%"},
        ).all()
    return [(r[0].replace(tag, ""), *r[1:]) for r in rows]


def test_constraints_last_seeds_the_same_rows_and_keeps_the_schema(database: Database) -> None:
    engine = make_engine(database.url)
    try:
        postgres = engine.dialect.name == "postgresql"
        before = _schema(engine) if postgres else None
        last = seed(engine, COUNT, tag=LAST, constraints_last=True, **COMMON)
        in_place = seed(engine, COUNT, tag=IN_PLACE, **COMMON)
        assert last.entries == in_place.entries > COUNT * 2
        assert last.documents == in_place.documents
        assert _ledger(engine, LAST) == _ledger(engine, IN_PLACE)
        assert _points(engine, LAST) == _points(engine, IN_PLACE)
        assert len(_points(engine, LAST)) == COUNT
        if not postgres:
            assert last.constraints_seconds == 0.0
            return
        assert last.constraints_seconds > 0.0
        assert _schema(engine) == before
        # Enforced again: an invoice of a subscription that does not exist is refused.
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE documents SET subscription_id = 'sub_missing' "
                    "WHERE id = (SELECT min(id) FROM documents)"
                )
            )
    finally:
        engine.dispose()


def test_a_failed_seed_puts_the_constraints_back(database: Database) -> None:
    if not database.url.startswith("postgresql"):
        pytest.skip("constraints_last drops nothing on SQLite")
    engine = make_engine(database.url)
    try:
        seed(engine, COUNT, tag=LAST, **COMMON)
        before = _schema(engine)
        # The same tag again: its plan's primary key (which stays) refuses the second seed.
        with pytest.raises(IntegrityError):
            seed(engine, COUNT, tag=LAST, constraints_last=True, **COMMON)
        assert _schema(engine) == before
    finally:
        engine.dispose()
