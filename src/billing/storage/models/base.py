"""The declarative base of the schema and the column types every model shares.

The schema itself comes only from Alembic migrations (``alembic/versions``); a test compares
the models with the migrated database. Timeline events and ledger entries are append-only:
no code path updates or deletes them, and database triggers refuse it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always read back timezone-aware (SQLite drops it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


#: Surrogate keys: 64-bit on PostgreSQL, SQLite's rowid-backed INTEGER (autoincrement) there.
BigInt = BigInteger().with_variant(Integer, "sqlite")
#: Structured payloads: JSONB on PostgreSQL, JSON elsewhere.
Json = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    pass
