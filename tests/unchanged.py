"""What "a refused request changed nothing" compares: every table of the schema.

The list is derived from the SQLAlchemy metadata, so a table added to the models is checked by
every "nothing changed" helper without anyone remembering to list it. One table is left out on
purpose: ``idempotency_records``, where a refused request sent with an ``Idempotency-Key``
stores its refusal so that a retry replays it (that is the idempotency contract, not a change).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from billing.storage.models import Base

#: Tables a refused request may write, and why (see the module docstring).
MAY_CHANGE = frozenset({"idempotency_records"})

#: Every table a refused request must leave as it was, in name order.
TABLES: tuple[str, ...] = tuple(sorted(set(Base.metadata.tables) - MAY_CHANGE))


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table, read straight from the database."""
    tables = Base.metadata.tables
    with engine.connect() as conn:
        return {
            t: conn.execute(select(func.count()).select_from(tables[t])).scalar_one()
            for t in TABLES
        }


def rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ordered by primary key, read straight from the database."""
    tables = Base.metadata.tables
    with engine.connect() as conn:
        return {
            t: [
                tuple(row)
                for row in conn.execute(select(tables[t]).order_by(*tables[t].primary_key.columns))
            ]
            for t in TABLES
        }
