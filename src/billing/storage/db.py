"""Engines and sessions for SQLite (embedded default) and PostgreSQL.

SQLite: every transaction begins with ``BEGIN IMMEDIATE`` so writers queue on the database lock
instead of failing halfway (pysqlite's own deferred BEGIN would let two writers read, then
one fail on upgrade to a write lock); WAL lets readers proceed meanwhile. PostgreSQL: the
services take row locks (``SELECT … FOR UPDATE``) on the subscription they change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

# Registers the stamp of who wrote a row on every session (before each flush).
from billing.storage import attribution  # noqa: F401


def make_engine(url: str, *, read_only: bool = False, **kwargs: Any) -> Engine:
    """An engine; on SQLite ``read_only`` engines begin deferred transactions (shared lock)."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 60},
            **kwargs,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event below emit BEGIN itself.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql(begin)

        return engine
    # Enough connections for the server's worker threads (40), so none waits for the pool;
    # recycled hourly instead of pinged before every use (a round trip per request).
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 30)
    kwargs.setdefault("pool_recycle", 3600)
    return create_engine(url, **kwargs)


def is_postgres(engine_or_session: Engine | Session) -> bool:
    bind = (
        engine_or_session.get_bind()
        if isinstance(engine_or_session, Session)
        else engine_or_session
    )
    return bind.dialect.name == "postgresql"


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: committed when the block ends normally, rolled back otherwise."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
