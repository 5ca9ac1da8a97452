"""Bill run phases: how much of a batch's time holds the document and feed counters.

Two workers can only bill in parallel what happens outside the counters' locks
(:mod:`billing.bill_runs.numbers`): a batch reads and derives (``read_compute``), writes its
documents under a provisional series, its entries and the rest (``write``), then numbers its
documents and adds its feed events (``numbers``) and commits (``commit``). The counters are held
from the start of ``numbers`` to the end of ``commit``; this prints each phase's seconds and that
share of the batch's time (for code before numbers came last, which has no ``numbers`` phase,
from the start of ``write``), which bounds what a second worker can add (Amdahl: at most
``2 / (1 + share)`` with two).

One worker in this process on a fresh PostgreSQL database seeded with ``--subscriptions`` new
monthly subscriptions (one invoice each). The batch timers are wall-clock seconds of this
process; on a loaded machine every phase grows, the share much less.

    BILLING_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
      .venv/bin/python benchmarks/bill_run_phases.py --subscriptions 20000
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import uuid
from datetime import date, timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from billing.bill_runs import batch, service, worker
from billing.bill_runs.synthetic import seed
from billing.storage.migrate import upgrade

AS_OF = date(2025, 5, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=20000)
    args = parser.parse_args()
    base = os.environ.get("BILLING_BENCH_POSTGRES_URL")
    if not base:
        raise SystemExit("set BILLING_BENCH_POSTGRES_URL to a PostgreSQL server")
    name = f"bench_phases_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        run(url, args.subscriptions)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(url: str, count: int) -> None:
    upgrade(url)
    engine = create_engine(url)
    seed(engine, count, first_start=AS_OF - timedelta(days=27), last_start=AS_OF)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    factory: sessionmaker[Session] = sessionmaker(engine)
    run_id, _ = service.start_bill_run(factory, as_of=AS_OF)
    commits: list[float] = []
    real_bill = batch.bill_batch

    def timed_bill(*args: object, **kwargs: object) -> batch.BatchResult:
        result = real_bill(*args, **kwargs)  # type: ignore[arg-type]
        commits.append(time.perf_counter())
        return result

    ends: list[float] = []
    worker.bill_batch = timed_bill  # type: ignore[assignment] # the commit follows its return
    print(
        f"# bill_run_phases: {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, loadavg {open('/proc/loadavg').read().strip()}"
    )
    t0 = time.perf_counter()
    totals = worker.work(
        factory, run_id, as_of=AS_OF, on_batch=lambda _: ends.append(time.perf_counter())
    )
    wall = time.perf_counter() - t0
    engine.dispose()
    timings = dict(totals.posted.timings)
    timings["commit"] = sum(e - c for c, e in zip(commits, ends, strict=True))
    batches = sum(timings.values())
    # Before numbers came last (no "numbers" phase), the counters were held through "write".
    held = timings.get("numbers", timings["write"]) + timings["commit"]
    print(f"{count:,} subscriptions, {totals.batches} batches, {wall:.2f} s wall")
    for phase in ("read_compute", "write", "numbers", "commit"):
        print(
            f"  {phase:<13}{timings.get(phase, 0.0):8.3f} s  "
            f"{timings.get(phase, 0.0) / batches:6.1%}"
        )
    print(
        f"counters held: {held:.3f} s of {batches:.3f} s = {held / batches:.1%} of the batches' "
        f"time; two workers at most {2 / (1 + held / batches):.2f}x one"
    )
    print(f"loadavg after: {open('/proc/loadavg').read().strip()}")


if __name__ == "__main__":
    main()
