"""Bill run: subscriptions per second, peak memory, and the ratio to a raw bulk insert.

For each database (SQLite, PostgreSQL) and size (10k, 100k, 1M monthly subscriptions):

1. **seed** a database with the subscriptions, straight into the app's tables in bulk
   (:mod:`billing.bill_runs.synthetic`: customers, subscriptions, a valid ``started`` event
   each), start dates spread over the 28 days up to ``as_of`` so that each owes exactly one
   monthly period: a bill run posts one invoice and one ledger entry per subscription;
2. **baseline**, in the same run on a copy of that database: a raw bulk insert of the same
   number of ledger rows (COPY on PostgreSQL, ``sqlite3.executemany`` on SQLite; rows made in
   Python as cheaply as possible, then rolled back), and the same with the invoices too;
3. **bill run**, with one worker and with two, each on a fresh copy: the real command
   ``python -m billing.cli bill-run --as-of … --new --workers N`` in a subprocess, timed by its
   own summary line (interpreter start-up excluded) and by the wall clock, its peak resident
   memory (``VmHWM`` of the command and of each worker process it starts, polled; the largest).
   SQLite runs one worker whatever ``--workers`` says (its writers queue on one lock).

Prints one line per measurement and a Markdown table to paste into ``RESULTS.md``.

    /work/venv/bin/python benchmarks/bill_run.py --sizes 10000,100000 --databases sqlite,postgres
    /work/venv/bin/python benchmarks/bill_run.py --sizes 1000000 --databases postgres
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from billing.bill_runs import bulk
from billing.bill_runs.batch import DOCUMENT_COLUMNS, ENTRY_COLUMNS
from billing.bill_runs.synthetic import SUBSCRIPTIONS_PER_CUSTOMER, seed
from billing.storage.db import make_engine
from billing.storage.migrate import upgrade

AS_OF = date(2025, 5, 1)
TAG = "00000bench00"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:55432/postgres"


@dataclass
class Measure:
    database: str
    size: int
    what: str
    seconds: float
    wall: float = 0.0
    peak_mb: float = 0.0

    @property
    def rate(self) -> float:
        return self.size / self.seconds if self.seconds else 0.0


# -- databases: a seeded template, and fresh copies of it ---------------------------------------


class Sqlite:
    name = "sqlite"

    def __init__(self, workdir: str) -> None:
        self.workdir = workdir

    def template(self, size: int) -> str:
        return f"sqlite:///{self.workdir}/tpl_{size}.sqlite3"

    def copy(self, size: int, label: str) -> str:
        src = f"{self.workdir}/tpl_{size}.sqlite3"
        dst = f"{self.workdir}/{label}_{size}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(dst + suffix):
                os.remove(dst + suffix)
        shutil.copyfile(src, dst)
        return f"sqlite:///{dst}"

    def drop(self, url: str) -> None:
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)


class Postgres:
    name = "postgres"

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")

    def _url(self, db: str) -> str:
        return make_url(self.admin_url).set(database=db).render_as_string(hide_password=False)

    def _create(self, db: str, template: str | None = None) -> str:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
            tpl = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{db}"{tpl}'))
        return self._url(db)

    def template(self, size: int) -> str:
        return self._create(f"bench_br_tpl_{size}")

    def copy(self, size: int, label: str) -> str:
        return self._create(f"bench_br_{label}_{size}", f"bench_br_tpl_{size}")

    def drop(self, url: str) -> None:
        db = make_url(url).database
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))


# -- the steps ------------------------------------------------------------------------------------


def seed_template(db: Sqlite | Postgres, size: int) -> float:
    url = db.template(size)
    if db.name == "sqlite":
        db.drop(url)
    upgrade(url)
    engine = make_engine(url)
    t = time.perf_counter()
    seed(
        engine,
        size,
        first_start=AS_OF - timedelta(days=27),
        last_start=AS_OF,
        tag=TAG,
    )
    seconds = time.perf_counter() - t
    with engine.begin() as conn:
        if db.name == "postgres":
            conn.execute(text("ANALYZE"))
    engine.dispose()
    return seconds


def _raw_rows(size: int, *, with_documents: bool) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """The rows a bill run writes for ``size`` subscriptions, made as cheaply as Python can."""
    now = datetime.now(UTC)
    s, e = AS_OF, AS_OF + timedelta(days=30)
    for i in range(size):
        sid = f"sub_{TAG}{i:016x}"
        cid = f"cus_{TAG}{i // SUBSCRIPTIONS_PER_CUSTOMER:016x}"
        doc = f"inv_raw{i:025d}" if with_documents else None
        if with_documents:
            yield "d", (doc, "invoice", "INV", 10_000_000 + i, cid, sid, None, None, "SEK",
                        AS_OF, e, 24995, 0, "open", now)  # fmt: skip
        yield "e", (sid, cid, "main", "charge", s, e, s, e, 24995, 1, 24995, 24995, "SEK", None,
                    None, "invoice" if doc else None, doc, now)  # fmt: skip


def raw_insert(db: Sqlite | Postgres, size: int, *, with_documents: bool) -> float:
    """Seconds to bulk-insert the rows (in chunks like a bill run's batches), rolled back."""
    url = db.copy(size, "raw")
    engine = make_engine(url)
    chunk = 5000
    try:
        with engine.connect() as conn:
            v = bulk.Values(conn)
            trans = conn.begin()
            t = time.perf_counter()
            docs: list[tuple[Any, ...]] = []
            entries: list[tuple[Any, ...]] = []

            def flush() -> None:
                if docs:
                    bulk.insert_rows(conn, "documents", DOCUMENT_COLUMNS, docs, adapted=True)
                bulk.insert_rows(conn, "ledger_entries", ENTRY_COLUMNS, entries, adapted=True)
                docs.clear()
                entries.clear()

            for kind, row in _raw_rows(size, with_documents=with_documents):
                row = tuple(
                    v.timestamp(x) if isinstance(x, datetime) else
                    v.day(x) if isinstance(x, date) else x
                    for x in row
                )  # fmt: skip
                (docs if kind == "d" else entries).append(row)
                if len(entries) >= chunk:
                    flush()
            flush()
            seconds = time.perf_counter() - t
            trans.rollback()
    finally:
        engine.dispose()
        db.drop(url)
    return seconds


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return out


def _peak_rss_kb(pid: int) -> int:
    """The process's own high-water mark of resident memory (VmHWM: reset at exec, unlike
    ``ru_maxrss``, which a child inherits from the parent that forked it)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


SUMMARY = re.compile(r"; (\d+) in ([\d.]+) s")


def bill_run(db: Sqlite | Postgres, size: int, workers: int) -> tuple[float, float, float]:
    """(seconds by the command's own clock, wall seconds, peak RSS in MB)."""
    url = db.copy(size, f"run{workers}")
    env = {**os.environ, "BILLING_DATABASE_URL": url}
    cmd = [sys.executable, "-m", "billing.cli", "bill-run", "--as-of", AS_OF.isoformat(), "--new",
           "--workers", str(workers)]  # fmt: skip
    try:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)
        peaks: dict[int, int] = {}
        while proc.poll() is None:
            for pid in (proc.pid, *_children(proc.pid)):
                peaks[pid] = max(peaks.get(pid, 0), _peak_rss_kb(pid))
            time.sleep(0.1)
        wall = time.perf_counter() - t
        out = proc.stdout.read() if proc.stdout else ""
        if proc.returncode != 0:
            raise SystemExit(f"bill run failed ({proc.returncode}): {out}")
        m = SUMMARY.search(out)
        assert m and int(m[1]) == size, out
        print("   ", out.strip(), flush=True)
        return float(m[2]), wall, max(peaks.values(), default=0) / 1024
    finally:
        db.drop(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("BILLING_BENCH_POSTGRES_URL", DEFAULT_PG)
    )
    parser.add_argument("--workdir", default=None, help="for SQLite files (default: a tmp dir)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    workers = [int(w) for w in args.workers.split(",")]
    workdir = args.workdir or tempfile.mkdtemp(prefix="bench_bill_run_")
    print(
        f"# bill_run: {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, as_of {AS_OF}"
    )
    results: list[Measure] = []
    for name in args.databases.split(","):
        db: Sqlite | Postgres = Sqlite(workdir) if name == "sqlite" else Postgres(args.postgres_url)
        for size in sizes:
            seeded = seed_template(db, size)
            print(f"{name} {size:>9,}: seeded in {seeded:.1f} s", flush=True)
            for with_docs in (False, True):
                seconds = raw_insert(db, size, with_documents=with_docs)
                what = "raw insert: entries + invoices" if with_docs else "raw insert: entries"
                results.append(Measure(name, size, what, seconds, seconds))
                print(f"    {what}: {seconds:.2f} s ({size / seconds:,.0f} rows/s)", flush=True)
            for w in workers:
                if w > 1 and name == "sqlite":
                    continue  # one writer at a time: the command runs one worker anyway
                seconds, wall, peak = bill_run(db, size, w)
                m = Measure(name, size, f"bill run, {w} worker{'s' if w > 1 else ''}", seconds,
                            wall, peak)  # fmt: skip
                results.append(m)
                print(
                    f"    {m.what}: {seconds:.2f} s ({m.rate:,.0f} subscriptions/s), wall "
                    f"{wall:.2f} s, peak RSS {peak:.0f} MB",
                    flush=True,
                )
            db.drop(db.template(size))
    print()
    print("| database | subscriptions | measurement | seconds | per second | x raw entries "
          "| x raw entries+invoices | peak RSS MB |")  # fmt: skip
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for m in results:
        raw = {r.what: r.seconds for r in results if (r.database, r.size) == (m.database, m.size)}
        one = next(
            (r.seconds for r in results
             if (r.database, r.size, r.what) == (m.database, m.size, "bill run, 1 worker")),
            None,
        )  # fmt: skip
        ratio = ratio2 = ""
        if m.what.startswith("bill run"):
            ratio = f"{m.seconds / raw['raw insert: entries']:.1f}"
            ratio2 = f"{m.seconds / raw['raw insert: entries + invoices']:.1f}"
            if one and m.what != "bill run, 1 worker":
                ratio2 += f" (speed-up {one / m.seconds:.2f}x)"
        peak = f"{m.peak_mb:.0f}" if m.peak_mb else ""
        print(
            f"| {m.database} | {m.size:,} | {m.what} | {m.seconds:.2f} | {m.rate:,.0f} | {ratio} "
            f"| {ratio2} | {peak} |"
        )


if __name__ == "__main__":
    main()
