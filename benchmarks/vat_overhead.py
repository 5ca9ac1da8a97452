"""What VAT costs a bill run: one tree's bill run beside raw inserts of its rows, to run from the
tree before VAT and from the tree after it, alternately.

``bill_run.py``'s own raw baseline writes the rows as they were before VAT (15 document and 18
ledger columns) and no longer fits the tables' column lists once VAT added six document and three
ledger columns, so this script keeps that benchmark's seeding and timed command
(:func:`bill_run.seed_template`, :func:`bill_run.bill_run`: ``python -m billing.cli bill-run
--as-of … --new --workers N`` in a subprocess, timed by its summary line) and measures, per
database, in one process:

1. **raw, same rows** (before the run, and again after it): the bulk insert of the rows as they
   were before VAT (the first 15 document and 18 ledger columns, also the first ones after it;
   the new columns then stay NULL), in chunks of 5,000, rolled back. The same work in both trees,
   so the run's ratio to it can be compared between trees run at different moments of a busy
   machine;
2. **bill run**, one worker (``--repeat`` times, each on a fresh copy of the seeded template);
3. **raw, as written** (after VAT only): the same rows with the VAT columns filled as the run
   wrote them (its first invoice's seller, net, VAT, breakdown and parties JSON, an OCR-long
   reference unique per row; its first line's tax code, rate and inclusive flag): what the wider
   rows cost a raw insert.

The tree is whatever ``billing`` is imported from (``PYTHONPATH``, which the bill-run subprocess
inherits); its path and the ``bill_run.py`` beside this script are printed. Each measurement
prints ``/proc/loadavg`` before and after it, and the process appends one JSON line per database
to ``--out``. ``--summarize FILE`` prints, from such lines, one row per process and the new / old
ratios (pairs in the order the processes ran)::

    cd /tmp/pre-vat && PYTHONPATH=/tmp/pre-vat/src /work/main/.venv/bin/python \\
        /work/main/benchmarks/vat_overhead.py --label old --out /tmp/vat.jsonl
    cd /work/main && PYTHONPATH=/work/main/src .venv/bin/python \\
        benchmarks/vat_overhead.py --label new --out /tmp/vat.jsonl
    .venv/bin/python benchmarks/vat_overhead.py --summarize /tmp/vat.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import bill_run as br
from sqlalchemy import text

import billing
from billing.bill_runs import bulk
from billing.bill_runs.batch import DOCUMENT_COLUMNS, ENTRY_COLUMNS
from billing.storage.db import make_engine

#: The columns documents and ledger entries had before VAT (the first ones since).
DOC_BEFORE, ENTRY_BEFORE = 15, 18
CHUNK = 5000


class Sqlite(br.Sqlite):
    """bill_run.py's SQLite copies; a run's copy keeps a sample of what the run wrote."""

    def __init__(self, workdir: str) -> None:
        super().__init__(workdir)
        self.sample: tuple[tuple[Any, ...], tuple[Any, ...]] | None = None

    def drop(self, url: str) -> None:
        if "/run" in url and self.sample is None:
            self.sample = sample_of(url)
        super().drop(url)


class Postgres(br.Postgres):
    """bill_run.py's PostgreSQL databases under names of their own (``bench_vat_…``), so that a
    bill_run.py running at the same time on the server is not touched."""

    def __init__(self, admin_url: str) -> None:
        super().__init__(admin_url)
        self.sample: tuple[tuple[Any, ...], tuple[Any, ...]] | None = None

    def template(self, key: str) -> str:
        return self._create(f"bench_vat_tpl_{key}")

    def copy(self, key: str, label: str) -> str:
        return self._create(f"bench_vat_{label}_{key}", f"bench_vat_tpl_{key}")

    def drop(self, url: str) -> None:
        if "bench_vat_run" in url and self.sample is None:
            self.sample = sample_of(url)
        super().drop(url)


def sample_of(url: str) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
    """The VAT columns of the first invoice and of its first line a run wrote (after VAT)."""
    if len(DOCUMENT_COLUMNS) == DOC_BEFORE:
        return None
    doc_cols = ", ".join(DOCUMENT_COLUMNS[DOC_BEFORE:])
    entry_cols = ", ".join(ENTRY_COLUMNS[ENTRY_BEFORE:])
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            doc = conn.execute(
                text(f"SELECT id, {doc_cols} FROM documents ORDER BY series, number LIMIT 1")
            ).one()
            entry = conn.execute(
                text(f"SELECT {entry_cols} FROM ledger_entries WHERE document_id = :d LIMIT 1"),
                {"d": doc[0]},
            ).one()
    finally:
        engine.dispose()
    values = tuple(
        v if v is None or isinstance(v, str | int) else json.dumps(v, separators=(",", ":"))
        for v in doc[1:]
    )
    return values, tuple(entry)


def raw_insert(
    db: Sqlite | Postgres, size: int, *, vat: tuple[tuple[Any, ...], tuple[Any, ...]] | None
) -> float:
    """Seconds to bulk-insert one invoice and one ledger row per subscription (bill_run.py's
    rows), in chunks like a run's batches, rolled back; ``vat``: with the VAT columns filled."""
    url = db.copy(br.key_of(size, 0), "raw")
    doc_cols = DOCUMENT_COLUMNS if vat else DOCUMENT_COLUMNS[:DOC_BEFORE]
    entry_cols = ENTRY_COLUMNS if vat else ENTRY_COLUMNS[:ENTRY_BEFORE]
    reference_of = _references(vat)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            v = bulk.Values(conn)
            trans = conn.begin()
            t = time.perf_counter()
            docs: list[tuple[Any, ...]] = []
            entries: list[tuple[Any, ...]] = []
            for kind, row in br._raw_rows(size, with_documents=True):
                row = tuple(
                    v.timestamp(x) if isinstance(x, datetime) else
                    v.day(x) if isinstance(x, date) else x
                    for x in row
                )  # fmt: skip
                if kind == "d":
                    docs.append(row + reference_of(len(docs)) if vat else row)
                else:
                    entries.append(row + vat[1] if vat else row)
                if len(entries) >= CHUNK:
                    bulk.insert_rows(conn, "documents", doc_cols, docs, adapted=True)
                    bulk.insert_rows(conn, "ledger_entries", entry_cols, entries, adapted=True)
                    docs.clear()
                    entries.clear()
            if entries:
                bulk.insert_rows(conn, "documents", doc_cols, docs, adapted=True)
                bulk.insert_rows(conn, "ledger_entries", entry_cols, entries, adapted=True)
            seconds = time.perf_counter() - t
            trans.rollback()
    finally:
        engine.dispose()
        db.drop(url)
    return seconds


def _references(vat: tuple[tuple[Any, ...], tuple[Any, ...]] | None) -> Any:
    """The sampled VAT values of a document, with a reference of the sample's length unique per
    row (references are unique per seller)."""
    if vat is None:
        return lambda i: ()
    *head, reference = vat[0]
    width = len(reference or "") or 10
    counter = iter(range(10 ** (width - 1), 10**width))

    def of(_: int) -> tuple[Any, ...]:
        return (*head, str(next(counter)))

    return of


def measure_raw(
    db: Sqlite | Postgres, size: int, what: str, vat: Any, record: dict[str, Any]
) -> None:
    before = br.loadavg()
    seconds = raw_insert(db, size, vat=vat)
    after = br.loadavg()
    record.setdefault("raw", []).append({"what": what, "seconds": seconds, "load": [before, after]})
    print(f"    {what}: {seconds:.2f} s; loadavg {before} -> {after}", flush=True)


def one_database(db: Sqlite | Postgres, size: int, repeat: int) -> dict[str, Any]:
    record: dict[str, Any] = {"database": db.name, "size": size, "runs": []}
    seeded = br.seed_template(db, size)
    print(f"{db.name} {size:,}: seeded in {seeded:.1f} s", flush=True)
    # The first writes to a fresh database's copy are slower (PostgreSQL: several times):
    # a warm-up raw insert, printed, not counted.
    measure_raw(db, size, "raw, same rows (warm-up)", None, {})
    measure_raw(db, size, "raw, same rows (before)", None, record)
    for _ in range(repeat):
        before = br.loadavg()
        seconds, wall, peak, row = br.bill_run(db, size, 1)
        after = br.loadavg()
        record["runs"].append(
            {"seconds": seconds, "row_seconds": row, "wall": wall, "peak_mb": peak,
             "load": f"{before.split()[0]} → {after.split()[0]}"}
        )  # fmt: skip
        print(
            f"    bill run, 1 worker: {seconds:.2f} s ({size / seconds:,.0f} subscriptions/s), "
            f"run row {row:.3f} s, wall {wall:.2f} s, peak RSS {peak:.0f} MB; "
            f"loadavg {before} -> {after}",
            flush=True,
        )
    measure_raw(db, size, "raw, same rows (after)", None, record)
    if db.sample is not None:
        measure_raw(db, size, "raw, as written", db.sample, record)
    db.drop(db.template(br.key_of(size, 0)))
    return record


def _tree() -> dict[str, str]:
    src = os.path.dirname(os.path.dirname(os.path.abspath(billing.__file__)))
    root = os.path.dirname(src)
    head = subprocess.run(
        ["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return {"billing": billing.__file__, "head": head, "bill_run_py": br.__file__}


# -- summary --------------------------------------------------------------------------------------


def summarize(path: str) -> None:
    with open(path) as f:
        records = [json.loads(line) for line in f if line.strip()]
    print("| # | tree | database | run s | subscriptions/s | raw s (before / after) "
          "| run / raw | run row s | raw as written s | load before → after run |")  # fmt: skip
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|---|")
    for r in records:
        raws = [x["seconds"] for x in r["raw"] if x["what"].startswith("raw, same")]
        written = next((x["seconds"] for x in r["raw"] if x["what"] == "raw, as written"), None)
        for run in r["runs"]:
            print(
                f"| {r['n']} | {r['label']} ({r['tree']['head']}) | {r['database']} "
                f"| {run['seconds']:.2f} | {r['size'] / run['seconds']:,.0f} "
                f"| {raws[0]:.2f} / {raws[1]:.2f} | {run['seconds'] / statistics.mean(raws):.2f} "
                f"| {run['row_seconds']:.2f} "
                f"| {'' if written is None else f'{written:.2f}'} | {run['load']} |"
            )
    for database in sorted({r["database"] for r in records}):
        _ratios(database, [r for r in records if r["database"] == database])


def _ratios(database: str, records: Sequence[dict[str, Any]]) -> None:
    old = [r for r in records if r["label"] == "old"]
    new = [r for r in records if r["label"] == "new"]

    def seconds(r: dict[str, Any]) -> float:
        return statistics.mean(x["seconds"] for x in r["runs"])

    def normalized(r: dict[str, Any]) -> float:
        raws = [x["seconds"] for x in r["raw"] if x["what"].startswith("raw, same")]
        return seconds(r) / statistics.mean(raws)

    for name, f in (("run s", seconds), ("run / raw", normalized)):
        pairs = [f(n) / f(o) for o, n in zip(old, new, strict=False)]
        overall = statistics.median(f(n) for n in new) / statistics.median(f(o) for o in old)
        print(
            f"{database}: new / old by {name}: pairs {', '.join(f'{p:.2f}' for p in pairs)}; "
            f"range {min(pairs):.2f}-{max(pairs):.2f}; medians {overall:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--label", help="old or new: how --summarize pairs the processes")
    parser.add_argument("--out", help="append one JSON line per database to this file")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--size", type=int, default=20_000, help="subscriptions")
    parser.add_argument("--repeat", type=int, default=1, help="bill runs per database")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("BILLING_BENCH_POSTGRES_URL", br.DEFAULT_PG)
    )
    parser.add_argument("--summarize", metavar="FILE", help="print the table of a --out file")
    args = parser.parse_args()
    if args.summarize:
        summarize(args.summarize)
        return
    tree = _tree()
    print(f"# vat_overhead: {tree}, {os.cpu_count()} CPUs, loadavg {br.loadavg()}", flush=True)
    workdir = tempfile.mkdtemp(prefix="bench_vat_")
    previous = 0
    if args.out and os.path.exists(args.out):
        with open(args.out) as f:
            previous = max((json.loads(line)["n"] for line in f if line.strip()), default=0)
    for name in args.databases.split(","):
        db = Sqlite(workdir) if name == "sqlite" else Postgres(args.postgres_url)
        record = one_database(db, args.size, args.repeat)
        record.update(label=args.label, tree=tree, n=previous + 1)
        if args.out:
            with open(args.out, "a") as f:
                f.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
