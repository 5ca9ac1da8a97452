"""A throwaway database for a benchmark: an SQLite file in the run's work folder, or a fresh
PostgreSQL database on the server the benchmark was pointed at, dropped afterwards."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def fresh(kind: str, pg_url: str, workdir: Path, name: str) -> str:
    """The URL of an empty database called ``name`` (``kind``: ``sqlite`` or ``postgres``);
    on PostgreSQL one left by an earlier run is dropped first."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / f'{name}.sqlite3'}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(pg_url).set(database=name).render_as_string(hide_password=False)


def drop(kind: str, pg_url: str, name: str) -> None:
    """Drop the PostgreSQL database ``name`` (an SQLite file goes with its work folder)."""
    if kind != "postgres":
        return
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
