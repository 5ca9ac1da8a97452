"""A synthetic seed's constraints made last (``seed(..., constraints_last=True)``, PostgreSQL):
the seeded tables' foreign keys, unique constraints and secondary indexes dropped before the
bulk load and made again after it, each validated once over its whole table, so the rows are
still proven consistent (billing.bill_runs.synthetic)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

#: The tables a seed writes in bulk (for ``constraints_last``).
SEEDED_TABLES = (
    "customers",
    "subscriptions",
    "timeline_events",
    "ledger_settlements",
    "documents",
    "ledger_entries",
)


#: The seeded tables' foreign keys and unique constraints (no foreign key relies on them).
_CONSTRAINTS = """
SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
FROM pg_constraint c
WHERE c.conrelid = ANY(CAST(:tables AS regclass[])) AND (c.contype = 'f' OR (c.contype = 'u'
  AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)))
ORDER BY c.contype DESC, 1, 2
"""
#: Their indexes that back no constraint.
_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = ANY(CAST(:tables AS regclass[]))
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY 1
"""


def drop_constraints(engine: Engine) -> tuple[list[Any], list[Any]]:
    """Drop the seeded tables' foreign keys, unique constraints (that no foreign key relies
    on) and indexes other than primary keys; what was dropped, for :func:`add_constraints`."""
    tables = "{" + ",".join(SEEDED_TABLES) + "}"
    with engine.begin() as conn:
        constraints = list(conn.execute(text(_CONSTRAINTS), {"tables": tables}).all())
        indexes = list(conn.execute(text(_INDEXES), {"tables": tables}).all())
        for table, name, _, _ in constraints:
            conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        for name, _ in indexes:
            conn.execute(text(f"DROP INDEX {name}"))
    return constraints, indexes


def add_constraints(engine: Engine, dropped: tuple[list[Any], list[Any]]) -> None:
    """Make again what :func:`drop_constraints` dropped, in bulk, in the order that lets each
    find what it needs: the indexes (a unique one checks its rows as it is built), the unique
    constraints, then the foreign keys, each validated by one query over its table."""
    constraints, indexes = dropped
    for _, definition in indexes:
        with engine.begin() as conn:
            conn.execute(text(definition))
    for table, name, _, definition in sorted(constraints, key=lambda c: c[2] == "f"):
        with engine.begin() as conn:
            conn.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
