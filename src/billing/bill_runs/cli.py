"""``billing bill-run --as-of DATE [--workers N]`` from the command line.

Resumes the unfinished run for the same date if there is one (after a crash, or to join
workers already at it on other machines), else starts one. A progress bar goes to standard
error when it is a terminal; the summary line always goes to standard output.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from typing import TextIO

from billing.bill_runs import service
from billing.bill_runs.batch import BatchResult
from billing.bill_runs.worker import WorkerProcesses, work
from billing.settings import get_settings, session_info
from billing.storage.db import make_engine, make_session_factory
from billing.storage.migrate import upgrade


class Progress:
    """A one-line progress bar, redrawn at most five times a second, on a terminal only."""

    WIDTH = 30

    def __init__(self, total_batches: int, stream: TextIO = sys.stderr) -> None:
        self.total = max(total_batches, 1)
        self.stream = stream
        self.enabled = stream.isatty()
        self.started = time.monotonic()
        self.last_draw = 0.0

    def due(self) -> bool:
        return self.enabled and time.monotonic() - self.last_draw >= 0.2

    def draw(self, batches_done: int, subscriptions: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self.last_draw < 0.2):
            return
        self.last_draw = now
        frac = min(batches_done / self.total, 1.0)
        filled = int(frac * self.WIDTH)
        elapsed = max(now - self.started, 1e-9)
        rate = subscriptions / elapsed
        eta = (elapsed / frac - elapsed) if frac > 0 else 0.0
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {frac:4.0%} "
            f"{batches_done}/{self.total} batches, {subscriptions:,} subscriptions, "
            f"{rate:,.0f}/s, eta {eta:,.0f}s "
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _as_of(as_of_text: str, workers: int) -> date | None:
    """The run's date, or None (having said why on standard error) if the call is off."""
    try:
        as_of = date.fromisoformat(as_of_text)
    except ValueError:
        print(f"--as-of must be YYYY-MM-DD, not {as_of_text!r}", file=sys.stderr)
        return None
    if workers < 1:
        print("--workers must be at least 1", file=sys.stderr)
        return None
    return as_of


def run_from_cli(
    as_of_text: str, *, workers: int = 1, batch_size: int | None = None, new: bool = False
) -> int:
    as_of = _as_of(as_of_text, workers)
    if as_of is None:
        return 2
    settings = get_settings()
    if workers > 1 and settings.database_url.startswith("sqlite"):
        # Its writers queue on one database lock: a second worker only waits (and slows both).
        print("SQLite: one worker (its writers queue on one lock)", file=sys.stderr)
        workers = 1
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    factory.configure(info=session_info(settings))
    started = time.monotonic()
    run_id, resumed = service.start_bill_run(
        factory,
        as_of=as_of,
        batch_size=batch_size or service.DEFAULT_BATCH_SIZE,
        resume=not new,
    )
    before = service.summary(factory, run_id)
    progress = Progress(before.batches)
    done = {"batches": 0, "subscriptions": 0}

    def on_batch(r: BatchResult) -> None:
        done["batches"] += 1
        done["subscriptions"] += r.subscriptions
        if workers == 1:
            progress.draw(done["batches"], done["subscriptions"])
        elif progress.due():
            # Other processes report through the database, as workers elsewhere would.
            now = service.summary(factory, run_id)
            progress.draw(now.batches_done, now.subscriptions - before.subscriptions)

    # This process is one of the workers; the others start beside it. Each returns once the
    # run is finished, so a batch whose worker died is taken over by one that lives.
    others = WorkerProcesses(settings.database_url, run_id, as_of=as_of, count=workers - 1)
    mine = work(factory, run_id, as_of=as_of, on_batch=on_batch).batches
    mine += sum(t.batches for t in others.join())
    result = service.result_of(factory, run_id)
    progress.draw(result.batches, result.subscriptions - before.subscriptions, force=True)
    progress.close()
    elapsed = time.monotonic() - started
    billed = result.subscriptions - before.subscriptions
    print(
        f"bill run {result.id} as of {as_of}: {result.subscriptions} subscriptions, "
        f"{result.invoice_count} invoices, {result.credit_note_count} credit notes, "
        f"{result.entries} ledger entries"
        + (f" (resumed: {before.subscriptions} were billed before)" if resumed else "")
        + f"; {billed} in {elapsed:.1f} s ({billed / max(elapsed, 1e-9):,.0f}/s)"
        + f" with {workers} worker{'s' if workers > 1 else ''}"
        + f" (these workers: {mine} of {result.batches} batches)"
    )
    _print_parked(result)
    engine.dispose()
    return 0


def _print_parked(result: service.BillRunResult) -> None:
    """The subscriptions the run could not bill, one a line with its problem (the next run
    tries them again)."""
    if not result.parked_count:
        return
    print(f"parked {result.parked_count} subscriptions (the next run tries them again):")
    for p in result.parked:
        print(f"  {p.subscription_id} {p.code}: {p.detail}")
    if result.parked_count > len(result.parked):
        more = result.parked_count - len(result.parked)
        print(f"  … and {more} more (GET /v1/bill-runs/{result.id})")
