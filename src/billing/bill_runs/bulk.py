"""Bulk writes: COPY on PostgreSQL, the driver's ``executemany`` on SQLite.

Both go straight to the DBAPI connection under SQLAlchemy's transaction, skipping per-row
statement compilation (style.md, "Speed where it counts": COPY writes 450k–630k rows/s where
SQLAlchemy Core's ``executemany`` writes 34k/s; on SQLite ``sqlite3.executemany`` 640k/s against
Core's 106k/s). Values are plain Python: ``str``, ``int``, ``date``, ``datetime`` or None.
SQLite gets dates and timestamps as the text SQLAlchemy itself stores, so ORM reads agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection


class Values:
    """Adapts dates and timestamps for the database at hand, once per distinct value.

    PostgreSQL's COPY takes ``date`` and ``datetime`` as they are; SQLite gets the text
    SQLAlchemy stores (``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC). Bill runs repeat
    the same few dates thousands of times per batch, so each is formatted once.
    """

    def __init__(self, conn: Connection) -> None:
        self.sqlite = conn.dialect.name != "postgresql"
        self._dates: dict[date, str] = {}

    def day(self, value: date | None) -> Any:
        if value is None or not self.sqlite:
            return value
        text = self._dates.get(value)
        if text is None:
            text = self._dates[value] = value.isoformat()
        return text

    def timestamp(self, value: datetime | None) -> Any:
        if value is None or not self.sqlite:
            return value
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def insert_rows(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    adapted: bool = False,
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table`` in the open transaction.

    ``adapted``: the rows' dates and timestamps already went through :class:`Values`.
    """
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    cols = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        cursor = dbapi.cursor()
        try:
            with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()
        return
    marks = ", ".join("?" for _ in columns)
    cursor = dbapi.cursor()
    try:
        cursor.executemany(
            f"INSERT INTO {table} ({cols}) VALUES ({marks})",
            rows if adapted else [_sqlite_row(r) for r in rows],  # type: ignore[arg-type]
        )
    finally:
        cursor.close()


def _sqlite_row(row: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(_sqlite_value(v) for v in row)


def _sqlite_value(value: Any) -> Any:
    # datetime before date: a datetime is a date too.
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value
