"""Engines and sessions for SQLite (embedded default) and PostgreSQL.

SQLite: every transaction begins with ``BEGIN IMMEDIATE`` so writers queue on the database lock
instead of failing halfway (pysqlite's own deferred BEGIN would let two writers read, then
one fail on upgrade to a write lock); WAL lets readers proceed meanwhile. ``synchronous=FULL``
by default: in WAL mode ``NORMAL`` may lose the last committed transactions — issued invoice
numbers among them — on a power cut, ``FULL`` syncs the log at every commit. A writer waits
``busy_timeout_ms`` for the lock, then fails with "database is locked" (the API answers 503
``database_busy``, :mod:`billing.http.problems`; background jobs wait longer by default).

Pool and threads: an API process runs sync handlers on at most ``threads`` worker threads
(anyio's limit, set by the app at start) and admits at most that many requests at once
(:mod:`billing.http.admission`); each request holds at most one connection of an engine at a
time, bar the few opened beside it (``pool_overflow``). So an API engine's pool holds
``threads + pool_overflow`` connections and an admitted request always finds one, and a
thread: no request holding a connection waits for a thread that waits for a connection
(FastAPI validates a sync handler's answer in one more thread hop while the request's
transaction is still open). Past the pool (a leak, or more overflow than planned) a request
waits ``pool_timeout`` seconds and is answered 503 ``database_busy``
(:mod:`billing.http.problems`), not queued for SQLAlchemy's 30 s.

PostgreSQL: the services take row locks (``SELECT … FOR UPDATE``) on the subscription they
change; with ``lock_timeout_ms`` a wait for a lock ends after that long with ``lock_timeout``
(55P03) instead of queueing without bound (the API sets it; background jobs wait).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

# Registers the stamp of who wrote a row on every session (before each flush).
from billing.storage import attribution  # noqa: F401

#: How long a background job (bill runs, the scheduler, imports) waits for SQLite's write lock;
#: the API passes its own, short ``BILLING_SQLITE_BUSY_TIMEOUT_MS``.
JOB_BUSY_TIMEOUT_MS = 60_000
SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")


def make_engine(
    url: str,
    *,
    read_only: bool = False,
    busy_timeout_ms: int = JOB_BUSY_TIMEOUT_MS,
    synchronous: str = "FULL",
    lock_timeout_ms: int | None = None,
    threads: int | None = None,
    pool_overflow: int = 10,
    pool_timeout: float | None = None,
    **kwargs: Any,
) -> Engine:
    """An engine; on SQLite ``read_only`` engines begin deferred transactions (shared lock).

    ``busy_timeout_ms`` and ``synchronous`` apply to SQLite, ``lock_timeout_ms`` (None: wait
    as long as it takes) to PostgreSQL. ``threads``: the most threads that use the engine at
    once (the API's thread limit); its pool then holds ``threads + pool_overflow``
    connections (module docstring). ``pool_timeout``: seconds to wait for one."""
    in_memory = url.startswith("sqlite") and (":memory:" in url or url.rstrip("/") == "sqlite:")
    if threads is not None and not in_memory:
        kwargs.setdefault("pool_size", threads)
        kwargs.setdefault("max_overflow", pool_overflow)
    if pool_timeout is not None and not in_memory:
        kwargs.setdefault("pool_timeout", pool_timeout)
    if url.startswith("sqlite"):
        return _sqlite_engine(
            url,
            read_only=read_only,
            busy_timeout_ms=busy_timeout_ms,
            synchronous=synchronous,
            **kwargs,
        )
    if lock_timeout_ms is not None:
        connect_args = dict(kwargs.pop("connect_args", {}))
        options = connect_args.get("options", "")
        connect_args["options"] = f"{options} -c lock_timeout={int(lock_timeout_ms)}".strip()
        kwargs["connect_args"] = connect_args
    # Without ``threads`` (jobs, the CLI): enough for anyio's default 40 threads. Recycled
    # hourly instead of pinged before every use (a round trip per request).
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 30)
    kwargs.setdefault("pool_recycle", 3600)
    return create_engine(url, **kwargs)


def _sqlite_engine(
    url: str, *, read_only: bool, busy_timeout_ms: int, synchronous: str, **kwargs: Any
) -> Engine:
    if synchronous.upper() not in SYNCHRONOUS:
        raise ValueError(f"synchronous must be one of {', '.join(SYNCHRONOUS)}")
    timeout = max(busy_timeout_ms, 0) / 1000
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": timeout},
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN itself.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(max(busy_timeout_ms, 0))}")
        if ":memory:" not in url:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cur.close()

    begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine


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
