"""Usage ingestion: events per second through the batch API, the bulk path and raw COPY, and the
bill run with usage beside the same run without, on SQLite and PostgreSQL.

For each database (a temporary SQLite file; a fresh PostgreSQL database):

1. **seed** ``--subscriptions`` monthly subscriptions in bulk (:mod:`billing.bill_runs.
   synthetic`) and give their plan two metrics (a contract-year count with an included quantity
   and a unit price, and a per-period sum with graduated tiers);
2. **API**: ``POST /v1/usage-events`` with batches of 1,000 through the real app in process
   (FastAPI's TestClient: routing, validation, the checks against each subscription's timeline,
   idempotency, the bounds, COPY; no socket), each batch spread over 100 subscriptions;
3. **bulk path**: :func:`billing.usage.repository.insert_events` with rows made beforehand, in
   transactions of 10,000 (what the API ends in, without the checks);
4. **raw**: psycopg's ``COPY`` (PostgreSQL) or ``sqlite3.executemany`` (SQLite) of the same
   rows into the same table, no billing code at all;
5. **bill run** (``--bill-run N``, 0 to skip): N subscriptions with ``--events-per-month``
   events each in March (and in each of ``--history-months`` months before it), billed up to
   the end of February by an untimed run (which charges the history's usage and leaves the
   usage marks); the run at 2025-05-01 (every period with March in it has ended: the usage is
   charged) timed, beside the same run for N subscriptions of a plan without metrics (the
   usage's share of the run) and (``--bill-run-usage``) the same run reading every usage
   event instead of from the marks (the watermark's saving). Each run has a database of its
   own; the events are made and written 50,000 at a time, so 100k subscriptions × 30 fit.

Each rate is events per wall second of that phase; the machine's load average is printed with
it (others may be using the cores).

    PYTHONPATH=src python benchmarks/usage_ingest.py --databases sqlite,postgres --events 100000

The issue's bill run (100k subscriptions, 30 events each per month), on a quiet machine:

    PYTHONPATH=src python benchmarks/usage_ingest.py --databases postgres --skip-ingest \
        --bill-run 100000 --events-per-month 30 --history-months 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import scratch_db  # benchmarks/scratch_db.py: run as a script, its folder is on the path
from sqlalchemy import select, update
from sqlalchemy.engine import make_url

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:55432/postgres"
PG_DB = "bench_usage_ingest"
ADMIN_TOKEN = "bench-usage-ingest-admin-token-0123456789"
METRICS = [
    {"code": "health_checks", "name": "Health checks", "reset": "contract_year",
     "included": 5, "unit_amount": 45_000},
    {"code": "api_calls", "name": "API calls", "aggregation": "sum", "included": 10,
     "tiers": [{"up_to": 1000, "unit_amount": 10}, {"up_to": None, "unit_amount": 5}]},
]  # fmt: skip
START = date(2025, 1, 1)
MONTH = (date(2025, 3, 1), date(2025, 4, 1))  # events occur in March
#: The bill run's date: every period with March in it has ended (periods are anchored on the
#: start day, 1 to 28 January).
RUN_AS_OF = date(2025, 5, 1)


def prepare(name: str, pg_url: str, workdir: Path) -> str:
    return scratch_db.fresh(name, pg_url, workdir, PG_DB)


def drop(name: str, pg_url: str) -> None:
    scratch_db.drop(name, pg_url, PG_DB)


def seeded(engine: Any, count: int, tag: str, *, metrics: bool) -> list[tuple[str, str]]:
    """``count`` subscriptions started in January 2025: [(id, customer id)]."""
    from billing.bill_runs.synthetic import seed
    from billing.storage.models import Plan, Subscription

    done = seed(engine, count, first_start=START, last_start=START + timedelta(days=27), tag=tag)
    with engine.begin() as conn:
        if metrics:
            conn.execute(update(Plan).where(Plan.id == done.plan_id).values(usage_metrics=METRICS))
        q = select(Subscription.id, Subscription.customer_id).where(
            Subscription.plan_id == done.plan_id
        )
        return [(r.id, r.customer_id) for r in conn.execute(q.order_by(Subscription.id))]


def event_rows(subs: list[tuple[str, str]], n: int, prefix: str) -> list[tuple[Any, ...]]:
    """``n`` event rows in ``usage.repository.COLUMNS`` order, 10 per subscription in turn."""
    now = datetime.now(UTC)
    rows = []
    days = (MONTH[1] - MONTH[0]).days
    for i in range(n):
        sid, cid = subs[(i // 10) % len(subs)]
        day = MONTH[0] + timedelta(days=i % days)
        at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        metric = "health_checks" if i % 2 else "api_calls"
        rows.append((f"{prefix}-{i}", sid, cid, metric, 1 + i % 7, at, day, None, now))
    return rows


def timed(label: str, n: int, work: Callable[[], None]) -> dict[str, Any]:
    t0 = time.perf_counter()
    work()
    seconds = time.perf_counter() - t0
    load = os.getloadavg()
    out = {"phase": label, "events": n, "seconds": round(seconds, 3),
           "events_per_s": round(n / seconds), "load": [round(x, 2) for x in load]}  # fmt: skip
    print(json.dumps(out), flush=True)
    return out


def through_api(label: str, url: str, rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The batches posted one after the other; only the requests are timed (not the app's
    start)."""
    from fastapi.testclient import TestClient

    from billing.http.app import create_app
    from billing.settings import Settings

    app = create_app(Settings(database_url=url, admin_token=ADMIN_TOKEN), migrate=False)
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    batches = [
        [{"id": r[0], "subscription_id": r[1], "metric": r[3], "quantity": r[4],
          "occurred_at": r[5].isoformat()} for r in rows[i : i + 1000]]
        for i in range(0, len(rows), 1000)
    ]  # fmt: skip
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200

        def post_all() -> None:
            for batch in batches:
                r = client.post("/v1/usage-events", json={"events": batch}, headers=headers)
                if r.status_code != 201 or r.json()["recorded"] != len(batch):
                    raise SystemExit(f"API: {r.status_code} {r.text[:300]}")

        return timed(label, len(rows), post_all)


def bulk_path(engine: Any, rows: list[tuple[Any, ...]]) -> None:
    from billing.usage.repository import insert_events

    for i in range(0, len(rows), 10_000):
        with engine.begin() as conn:
            insert_events(conn, rows[i : i + 10_000])


def raw(engine: Any, url: str, rows: list[tuple[Any, ...]]) -> None:
    from billing.usage.repository import COLUMNS

    cols = ", ".join(COLUMNS)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            dbapi = conn.connection.dbapi_connection
            with dbapi.cursor() as cur, cur.copy(f"COPY usage_events ({cols}) FROM STDIN") as cp:
                for r in rows:
                    cp.write_row(r)
        return
    db = sqlite3.connect(make_url(url).database or "")
    text_rows = [(*r[:5], r[5].strftime("%Y-%m-%d %H:%M:%S.%f"), r[6].isoformat(), None,
                  r[8].strftime("%Y-%m-%d %H:%M:%S.%f")) for r in rows]  # fmt: skip
    with db:
        db.executemany(f"INSERT INTO usage_events ({cols}) VALUES ({', '.join('?' * 9)})",
                       text_rows)  # fmt: skip
    db.close()


def _month_rows(
    subs: list[tuple[str, str]], per_month: int, month: tuple[date, date], prefix: str
) -> Iterator[list[tuple[Any, ...]]]:
    """``per_month`` event rows per subscription in ``month``, in chunks of 50,000 (made one
    chunk at a time: 100k subscriptions × 30 is 3M rows), half health checks, half API calls."""
    now = datetime.now(UTC)
    days = (month[1] - month[0]).days
    chunk: list[tuple[Any, ...]] = []
    for k, (sid, cid) in enumerate(subs):
        for j in range(per_month):
            day = month[0] + timedelta(days=(k + j) % days)
            at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
            metric = "health_checks" if j % 2 else "api_calls"
            chunk.append((f"{prefix}-{k}-{j}", sid, cid, metric, 1 + j % 7, at, day, None, now))
            if len(chunk) == 50_000:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def _full_read() -> Callable[[], None]:
    """Make bill runs read every usage event (no usage marks), as before the watermark; the
    callable undoes it."""
    from billing.usage import repository

    marks_of = repository.marks_of
    repository.marks_of = lambda conn, ids: {}  # type: ignore[assignment]

    def undo() -> None:
        repository.marks_of = marks_of  # type: ignore[assignment]

    return undo


def bill_run(
    name: str, pg_url: str, count: int, per_month: int, *, usage: str, history: int = 0
) -> dict[str, Any]:
    """A bill run at :data:`RUN_AS_OF` for ``count`` fresh subscriptions in a database of their
    own. ``usage``: ``none`` (a plan without metrics), ``marks`` (with metrics, ``per_month``
    events each in March, and in each of the ``history`` months before it), or ``full`` (the
    same, the run reading every event instead of from the usage marks). The months before
    March are billed by a run at the end of February first (untimed), as monthly runs would
    have: that run charges the history's usage and leaves the marks."""
    from billing.bill_runs.service import run_bill_run
    from billing.storage.db import make_engine, make_session_factory
    from billing.storage.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = prepare(name, pg_url, Path(tmp))
        try:
            upgrade(url)
            engine = make_engine(url)
            metered = usage != "none"
            subs = seeded(engine, count, "billrun00000", metrics=metered)
            months = [(_add_months(MONTH[0], -h), _add_months(MONTH[0], 1 - h))
                      for h in range(history, -1, -1)]  # fmt: skip
            events = 0
            if metered:
                for month in months[:-1]:  # the history, before the untimed run
                    for chunk in _month_rows(subs, per_month, month, f"h{month[0]:%Y%m}"):
                        bulk_path(engine, chunk)
                        events += len(chunk)
            factory = make_session_factory(engine)
            run_bill_run(factory, as_of=MONTH[0] - timedelta(days=1))
            if metered:
                for chunk in _month_rows(subs, per_month, months[-1], "br"):
                    bulk_path(engine, chunk)
                    events += len(chunk)
            undo = _full_read() if usage == "full" else None
            try:
                t0 = time.perf_counter()
                result = run_bill_run(factory, as_of=RUN_AS_OF)
                seconds = time.perf_counter() - t0
            finally:
                if undo is not None:
                    undo()
            out = {"phase": f"{name}: bill run, usage {usage}",
                   "subscriptions": result.subscriptions,
                   "invoices": result.invoice_count, "entries": result.entries,
                   "usage_events": events, "history_months": history if metered else 0,
                   "seconds": round(seconds, 3),
                   "load": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip
            print(json.dumps(out), flush=True)
            engine.dispose()
            return out
        finally:
            drop(name, pg_url)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--pg-url", default=os.environ.get("BILLING_BENCH_PG", DEFAULT_PG))
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--bill-run", type=int, default=1000)
    parser.add_argument("--events-per-month", type=int, default=30)
    parser.add_argument(
        "--history-months",
        type=int,
        default=0,
        help="months of usage before March, billed by the untimed run first",
    )
    parser.add_argument(
        "--bill-run-usage",
        default="none,marks,full",
        help="which bill runs: none (no metrics), marks, full (every event read)",
    )
    parser.add_argument("--skip-ingest", action="store_true", help="only the bill runs")
    args = parser.parse_args()

    print(json.dumps({"python": platform.python_version(), "cpus": os.cpu_count(),
                      "load": os.getloadavg()}))  # fmt: skip
    for name in args.databases.split(","):
        if not args.skip_ingest:
            ingest(name, args)
        if args.bill_run:
            runs = {
                usage: bill_run(name, args.pg_url, args.bill_run, args.events_per_month,
                                usage=usage, history=args.history_months)
                for usage in args.bill_run_usage.split(",")
            }  # fmt: skip
            if "none" in runs:
                base = runs["none"]["seconds"]
                ratios = {u: round(r["seconds"] / base, 2) for u, r in runs.items() if u != "none"}
                print(json.dumps({"phase": f"{name}: bill run with usage / without",
                                  **ratios}), flush=True)  # fmt: skip


def ingest(name: str, args: argparse.Namespace) -> None:
    """The three ingestion phases into one fresh database."""
    from billing.storage.db import make_engine
    from billing.storage.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = prepare(name, args.pg_url, Path(tmp))
        try:
            upgrade(url)
            engine = make_engine(url)
            subs = seeded(engine, args.subscriptions, "ingest000000", metrics=True)
            print(json.dumps({"database": name, "subscriptions": len(subs)}), flush=True)
            n = args.events
            api_rows = event_rows(subs, n, "api")
            through_api(f"{name}: batch API (1,000 per request)", url, api_rows)
            bulk_rows = event_rows(subs, n, "bulk")
            timed(f"{name}: bulk path (insert_events)", n, lambda: bulk_path(engine, bulk_rows))
            raw_rows = event_rows(subs, n, "raw")
            timed(f"{name}: raw COPY / executemany", n, lambda: raw(engine, url, raw_rows))
            engine.dispose()
        finally:
            drop(name, args.pg_url)


if __name__ == "__main__":
    main()
