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
   own summary line (interpreter start-up excluded), by its run row (``started_at`` to
   ``finished_at``, to the millisecond, also without the worker processes' start-up) and by the
   wall clock; its peak resident memory (``VmHWM`` of the command and of each worker process
   it starts, polled; the largest).
   SQLite runs one worker whatever ``--workers`` says (its writers queue on one lock).

**With history** (``--history-months N``): the cost of the next monthly run when every
subscription already has N months posted. Per database and size, two seeded templates: one
whose subscriptions started N months before ``as_of`` and carry N monthly runs' invoices and
ledger entries (written in bulk by :func:`billing.bill_runs.synthetic.seed` with ``billed``, as
those runs would have posted them), and one of one-month-old subscriptions (one run posted);
in both, the run at ``as_of`` posts exactly one invoice and one entry per subscription. The raw
bulk insert of those rows (entries + invoices) is measured on a copy of each template, then the
runs, per worker count, alternating one-month and N-month so that both see the same machine
(``--repeat`` pairs each). The seeded history leaves each subscription's settlement point
where the last run would (the steady state of monthly runs); ``--unsettled`` leaves them out, so
the timed run derives every subscription from its start (the first run after settlement points
came in). Prints the N-month / one-month ratio per subscription and each run
against the raw write. ``cat /proc/loadavg`` is printed before and after each measurement.

Prints one line per measurement and a Markdown table to paste into ``RESULTS.md``.

    .venv/bin/python benchmarks/bill_run.py --sizes 10000,100000 --databases sqlite,postgres
    .venv/bin/python benchmarks/bill_run.py --sizes 1000000 --databases postgres
    .venv/bin/python benchmarks/bill_run.py --history-months 36 --sizes 100000 --workers 1
    .venv/bin/python benchmarks/bill_run.py --history-months 12 --sizes 1000000 \
        --databases postgres --workers 1,2 --history-only

``--history-only`` skips the one-month side (its template and runs) and keeps the raw write of
the N-month template: for 1M, where seeding and running both sides does not fit. On PostgreSQL
the templates are seeded with the constraints and indexes made after the load
(``seed(..., constraints_last=True)``: validated in bulk, not per row during COPY) and copied
file by file (``STRATEGY FILE_COPY``). ``--keep-templates`` leaves the seeded templates (marked
complete) and ``--reuse-templates`` uses such a template instead of seeding again. The free disk
is printed before each seeding and checked before each copy (``--min-free-gb``); each copy is
dropped after its measurement.
"""

from __future__ import annotations

import argparse
import json
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
from billing.domain.calendar import add_months
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
    #: The run row's ``started_at`` to ``finished_at``.
    row_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.size / self.seconds if self.seconds else 0.0


# -- databases: a seeded template, and fresh copies of it ---------------------------------------


class Sqlite:
    name = "sqlite"

    def __init__(self, workdir: str) -> None:
        self.workdir = workdir

    def template(self, key: str) -> str:
        return f"sqlite:///{self.workdir}/tpl_{key}.sqlite3"

    def copy(self, key: str, label: str) -> str:
        src = f"{self.workdir}/tpl_{key}.sqlite3"
        dst = f"{self.workdir}/{label}_{key}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(dst + suffix):
                os.remove(dst + suffix)
        shutil.copyfile(src, dst)
        return f"sqlite:///{dst}"

    def drop(self, url: str) -> None:
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm", ".seeded"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)

    def template_url(self, key: str) -> str:
        return self.template(key)

    def mark_seeded(self, key: str, note: str) -> None:
        with open(f"{self.workdir}/tpl_{key}.sqlite3.seeded", "w") as f:
            f.write(note)

    def seeded_note(self, key: str) -> str | None:
        path = f"{self.workdir}/tpl_{key}.sqlite3"
        if not (os.path.exists(path) and os.path.exists(path + ".seeded")):
            return None
        with open(path + ".seeded") as f:
            return f.read()

    def size_bytes(self, url: str) -> int:
        return os.path.getsize(url.removeprefix("sqlite:///"))

    def data_path(self) -> str:
        return self.workdir


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
            # A copy file by file (PostgreSQL 15's default writes the whole template to WAL:
            # minutes for the tens of GB of 1M subscriptions with history).
            tpl = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
            conn.execute(text(f'CREATE DATABASE "{db}"{tpl}'))
        return self._url(db)

    def template(self, key: str) -> str:
        return self._create(f"bench_br_tpl_{key}")

    def template_url(self, key: str) -> str:
        return self._url(f"bench_br_tpl_{key}")

    def mark_seeded(self, key: str, note: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f"COMMENT ON DATABASE \"bench_br_tpl_{key}\" IS '{note}'"))

    def seeded_note(self, key: str) -> str | None:
        """The note :meth:`mark_seeded` left on a complete template (None: none, or unfinished)."""
        with self.admin.connect() as conn:
            return conn.execute(
                text(
                    "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                    "WHERE datname = :n"
                ),
                {"n": f"bench_br_tpl_{key}"},
            ).scalar()

    def size_bytes(self, url: str) -> int:
        with self.admin.connect() as conn:
            db = make_url(url).database
            return int(conn.execute(text("SELECT pg_database_size(:d)"), {"d": db}).scalar_one())

    def data_path(self) -> str:
        """Where the server keeps its files (for free disk: "/" when it is not this machine's)."""
        try:
            with self.admin.connect() as conn:
                return str(conn.execute(text("SHOW data_directory")).scalar_one())
        except Exception:  # not a superuser: the root file system
            return "/"

    def copy(self, key: str, label: str) -> str:
        return self._create(f"bench_br_{label}_{key}", f"bench_br_tpl_{key}")

    def drop(self, url: str) -> None:
        db = make_url(url).database
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))


# -- the steps ------------------------------------------------------------------------------------


def key_of(size: int, history: int) -> str:
    """The template's name: its size, and its months of history if any."""
    return f"{size}_h{history}" if history else str(size)


#: Options for every template: ``--reuse-templates``, ``--keep-templates``, ``--min-free-gb``.
OPTIONS = {"reuse": False, "keep": False, "min_free_gb": 5.0}


def free_gb(db: Sqlite | Postgres) -> float:
    return shutil.disk_usage(db.data_path()).free / 2**30


def disk(db: Sqlite | Postgres) -> str:
    return f"{free_gb(db):.1f} GB free"


def make_room(db: Sqlite | Postgres, key: str) -> None:
    """Stop before a copy of the template would fill the disk (its size and a margin)."""
    need = db.size_bytes(db.template_url(key)) / 2**30 + float(OPTIONS["min_free_gb"])
    if free_gb(db) < need:
        raise SystemExit(f"not enough disk for a copy of {key}: {disk(db)}, need {need:.1f} GB")


def drop_template(db: Sqlite | Postgres, key: str) -> None:
    if OPTIONS["keep"]:
        print(f"    kept template {key} ({disk(db)})", flush=True)
        return
    db.drop(db.template_url(key))


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (it seeds the templates itself)."""
    return _peak_rss_kb(os.getpid()) / 1024


def seed_template(
    db: Sqlite | Postgres, size: int, history: int = 0, *, settled: bool = True
) -> float:
    """A template of ``size`` subscriptions; with ``history`` months, started that many months
    before ``AS_OF`` and billed by a monthly run on each month's first day since.

    On PostgreSQL the constraints and indexes are made after the load, in bulk
    (``seed(..., constraints_last=True)``). With ``--reuse-templates`` a complete template of
    the same key and settings left by an earlier run (``--keep-templates``) is used as it is
    (0 seconds)."""
    key = key_of(size, history)
    note = f"seeded {size} {history} {'settled' if settled else 'unsettled'} as_of {AS_OF}"
    if OPTIONS["reuse"] and db.seeded_note(key) == note:
        print(f"    reusing template {key} ({note}; {disk(db)})", flush=True)
        return 0.0
    print(f"    seeding template {key}: {disk(db)}", flush=True)
    url = db.template(key)
    if db.name == "sqlite":
        db.drop(url)
    upgrade(url)
    engine = make_engine(url)
    first_run = add_months(AS_OF, -history)
    t = time.perf_counter()
    seeded = seed(
        engine,
        size,
        first_start=first_run - timedelta(days=27),
        last_start=first_run,
        tag=TAG,
        billed=[add_months(first_run, k) for k in range(history)],
        settled=settled,
        constraints_last=True,
    )
    loaded = time.perf_counter() - t
    if history:
        print(f"    seeded {seeded.documents:,} invoices, {seeded.entries:,} entries", flush=True)
    with engine.begin() as conn:
        if db.name == "postgres":
            conn.execute(text("ANALYZE"))
    engine.dispose()
    seconds = time.perf_counter() - t
    db.mark_seeded(key, note)
    size_gb = db.size_bytes(url) / 2**30
    print(
        f"    seeding: {loaded:.1f} s (of which constraints and indexes at the end "
        f"{seeded.constraints_seconds:.1f} s), ANALYZE {seconds - loaded:.1f} s; "
        f"template {size_gb:.1f} GB, {disk(db)}; peak RSS of this process "
        f"{peak_rss_mb():.0f} MB",
        flush=True,
    )
    return seconds


#: The JSON a run writes per document (a typical size: one VAT row; the seller and buyer).
RAW_BREAKDOWN = json.dumps(
    [{"code": "standard", "rate": 2500, "inclusive": False, "lines": 24995, "taxable": 24995,
      "vat": 6249}]
)  # fmt: skip
RAW_PARTIES = json.dumps(
    {"treatment": "domestic", "seller": {"id": "slr_x", "legal_name": "Synthetic Säljare AB",
     "country": "SE", "organisation_number": "5560360793", "vat_number": "SE556036079301"},
     "buyer": {"customer_id": "cus_x", "name": "Customer 1", "country": "SE"}},
    ensure_ascii=False,
)  # fmt: skip


def _raw_rows(size: int, *, with_documents: bool) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """The rows a bill run writes for ``size`` subscriptions, made as cheaply as Python can."""
    now = datetime.now(UTC)
    s, e = AS_OF, AS_OF + timedelta(days=30)
    for i in range(size):
        sid = f"sub_{TAG}{i:016x}"
        cid = f"cus_{TAG}{i // SUBSCRIPTIONS_PER_CUSTOMER:016x}"
        doc = f"inv_raw{i:025d}" if with_documents else None
        # As the run writes them: with VAT (25 % on 249,95 kr), the parties and a reference.
        if with_documents:
            yield "d", (doc, "invoice", "INV", 1_000_000_000 + i, cid, sid, None, None, "SEK",
                        AS_OF, e, 31244, 0, "open", now, None, 24995, 6249, RAW_BREAKDOWN,
                        RAW_PARTIES, f"{1_000_000_000 + i}")  # fmt: skip
        yield "e", (sid, cid, "main", "charge", s, e, s, e, 24995, 1, 24995, 24995, "SEK", None,
                    None, "invoice" if doc else None, doc, now, "standard", 2500,
                    False)  # fmt: skip


def raw_insert(
    db: Sqlite | Postgres, size: int, *, with_documents: bool, history: int = 0
) -> float:
    """Seconds to bulk-insert the rows (in chunks like a bill run's batches), rolled back."""
    make_room(db, key_of(size, history))
    url = db.copy(key_of(size, history), "raw")
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
POSTED = re.compile(r"(\d+) invoices, (\d+) credit notes")


def _run_seconds(url: str) -> float | None:
    """The run's own start to finish from its row, to the millisecond (the summary line rounds
    to a tenth of a second: too coarse for runs of a second or two)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT started_at, finished_at FROM bill_runs")).one()
    finally:
        engine.dispose()
    started, finished = (datetime.fromisoformat(v) if isinstance(v, str) else v for v in row)
    return (finished - started).total_seconds() if started and finished else None


def bill_run(
    db: Sqlite | Postgres, size: int, workers: int, history: int = 0
) -> tuple[float, float, float, float]:
    """(seconds by the command's own clock, wall seconds, peak RSS in MB, run row seconds)."""
    make_room(db, key_of(size, history))
    url = db.copy(key_of(size, history), f"run{workers}")
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
        row_seconds = _run_seconds(url) or 0.0
        posted = POSTED.search(out)
        # One invoice each, nothing credited: the history is what the runs would have posted.
        assert posted and (int(posted[1]), int(posted[2])) == (size, 0), out
        print("   ", out.strip(), flush=True)
        return float(m[2]), wall, max(peaks.values(), default=0) / 1024, row_seconds
    finally:
        db.drop(url)


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return f.read().strip()


def _run(db: Sqlite | Postgres, size: int, w: int, history: int = 0) -> Measure:
    months = f", {history} month{'s' if history > 1 else ''} posted" if history else ""
    what = f"bill run, {w} worker{'s' if w > 1 else ''}{months}"
    print(f"    loadavg before: {loadavg()}", flush=True)
    seconds, wall, peak, row = bill_run(db, size, w, history)
    m = Measure(db.name, size, what, seconds, wall, peak, row)
    print(
        f"    {m.what}: {seconds:.2f} s ({m.rate:,.0f} subscriptions/s), run row {row:.3f} s, "
        f"wall {wall:.2f} s, "
        f"peak RSS {peak:.0f} MB; loadavg after: {loadavg()}",
        flush=True,
    )
    return m


def plain(db: Sqlite | Postgres, size: int, workers: list[int], results: list[Measure]) -> None:
    """New subscriptions' first run beside the raw insert of its rows (without history)."""
    seeded = seed_template(db, size)
    print(f"{db.name} {size:>9,}: seeded in {seeded:.1f} s", flush=True)
    for with_docs in (False, True):
        seconds = raw_insert(db, size, with_documents=with_docs)
        what = "raw insert: entries + invoices" if with_docs else "raw insert: entries"
        results.append(Measure(db.name, size, what, seconds, seconds))
        print(f"    {what}: {seconds:.2f} s ({size / seconds:,.0f} rows/s)", flush=True)
    for w in workers:
        if w > 1 and db.name == "sqlite":
            continue  # one writer at a time: the command runs one worker anyway
        results.append(_run(db, size, w))
    drop_template(db, key_of(size, 0))


@dataclass
class Pair:
    """The next run on one-month-old and on ``history``-month-old subscriptions, and the raw
    write of its rows (entries + invoices) on each template."""

    database: str
    size: int
    workers: int
    history: int
    #: The one-month side (None with ``--history-only``).
    one: Measure | None
    aged: Measure
    raw_one: float | None
    raw_aged: float


def with_history(
    db: Sqlite | Postgres,
    size: int,
    workers: list[int],
    history: int,
    repeat: int,
    *,
    settled: bool = True,
    history_only: bool = False,
) -> list[Pair]:
    """With ``history_only``, only the ``history``-month side: its template, its raw write and
    its runs (for sizes where the one-month comparison does not fit in the time)."""
    raw: dict[int, float] = {}
    sides = (history,) if history_only else (1, history)
    for months in sides:
        print(f"    loadavg before seeding: {loadavg()}", flush=True)
        seeded = seed_template(db, size, months, settled=settled)
        print(f"{db.name} {size:>9,}, {months} months: seeded in {seeded:.1f} s", flush=True)
        raw[months] = raw_insert(db, size, with_documents=True, history=months)
        print(
            f"    raw insert, entries + invoices ({months} months posted): {raw[months]:.2f} s; "
            f"loadavg after: {loadavg()}",
            flush=True,
        )
    pairs: list[Pair] = []
    for w in workers:
        if w > 1 and db.name == "sqlite":
            continue
        for _ in range(repeat):  # alternating, so both sides see the same machine
            one = None if history_only else _run(db, size, w, 1)
            aged = _run(db, size, w, history)
            pairs.append(Pair(db.name, size, w, history, one, aged, raw.get(1), raw[history]))
    for months in sides:
        drop_template(db, key_of(size, months))
    return pairs


def print_plain(results: list[Measure]) -> None:
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


def print_history_only(pairs: list[Pair]) -> None:
    """``--history-only``: the N-month runs, their raw write, and two workers against one."""
    history = pairs[0].history
    print(f"| database | subscriptions | workers | {history} months: run s | per second "
          "| run row s | wall s | raw write s | run / raw | speed-up over 1 worker "
          "| peak RSS MB |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for p in pairs:
        one = next(
            (q.aged.seconds for q in pairs
             if (q.database, q.size, q.workers) == (p.database, p.size, 1)),
            None,
        )  # fmt: skip
        speed = f"{one / p.aged.seconds:.2f}x" if one and p.workers > 1 else ""
        print(
            f"| {p.database} | {p.size:,} | {p.workers} | {p.aged.seconds:.2f} "
            f"| {p.aged.rate:,.0f} | {p.aged.row_seconds:.2f} | {p.aged.wall:.2f} "
            f"| {p.raw_aged:.2f} | {p.aged.seconds / p.raw_aged:.1f} | {speed} "
            f"| {p.aged.peak_mb:.0f} |"
        )


def print_pairs(pairs: list[Pair]) -> None:
    if any(p.one is None for p in pairs):
        print_history_only(pairs)
        return
    history = pairs[0].history
    print(f"| database | subscriptions | workers | 1 month: run s | {history} months: run s "
          f"| {history} / 1 per subscription | run row s (1 / {history}) "
          f"| raw write s (1 / {history}) "
          f"| run / raw (1 / {history}) | peak RSS MB (1 / {history}) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for p in pairs:
        assert p.one is not None and p.raw_one is not None
        print(
            f"| {p.database} | {p.size:,} | {p.workers} | {p.one.seconds:.2f} "
            f"| {p.aged.seconds:.2f} | {p.aged.seconds / p.one.seconds:.2f} "
            f"| {p.one.row_seconds:.2f} / {p.aged.row_seconds:.2f} "
            f"| {p.raw_one:.2f} / {p.raw_aged:.2f} "
            f"| {p.one.seconds / p.raw_one:.1f} / {p.aged.seconds / p.raw_aged:.1f} "
            f"| {p.one.peak_mb:.0f} / {p.aged.peak_mb:.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument(
        "--history-months",
        type=int,
        default=0,
        help="time the next run on subscriptions with this many months posted, beside one month",
    )
    parser.add_argument("--repeat", type=int, default=1, help="pairs per size (with history)")
    parser.add_argument(
        "--unsettled", action="store_true", help="history without settlement points"
    )
    parser.add_argument(
        "--history-only",
        action="store_true",
        help="with history: skip the one-month template and runs (keeps the raw write)",
    )
    parser.add_argument(
        "--keep-templates", action="store_true", help="leave the seeded templates at the end"
    )
    parser.add_argument(
        "--reuse-templates",
        action="store_true",
        help="use a complete template a --keep-templates run left instead of seeding again",
    )
    parser.add_argument(
        "--min-free-gb",
        type=float,
        default=5.0,
        help="refuse a copy of a template that would leave less disk free than this",
    )
    parser.add_argument(
        "--postgres-url", default=os.environ.get("BILLING_BENCH_POSTGRES_URL", DEFAULT_PG)
    )
    parser.add_argument("--workdir", default=None, help="for SQLite files (default: a tmp dir)")
    args = parser.parse_args()
    OPTIONS.update(
        reuse=args.reuse_templates, keep=args.keep_templates, min_free_gb=args.min_free_gb
    )
    sizes = [int(s) for s in args.sizes.split(",")]
    workers = [int(w) for w in args.workers.split(",")]
    workdir = args.workdir or tempfile.mkdtemp(prefix="bench_bill_run_")
    print(
        f"# bill_run: {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, loadavg {loadavg()}, as_of {AS_OF}"
    )
    print(f"# free disk: {shutil.disk_usage('/').free / 2**30:.1f} GB on /", flush=True)
    results: list[Measure] = []
    pairs: list[Pair] = []
    for name in args.databases.split(","):
        db: Sqlite | Postgres = Sqlite(workdir) if name == "sqlite" else Postgres(args.postgres_url)
        for size in sizes:
            if args.history_months:
                pairs += with_history(
                    db,
                    size,
                    workers,
                    args.history_months,
                    args.repeat,
                    settled=not args.unsettled,
                    history_only=args.history_only,
                )
            else:
                plain(db, size, workers, results)
    print()
    if pairs:
        print_pairs(pairs)
    else:
        print_plain(results)


if __name__ == "__main__":
    main()
