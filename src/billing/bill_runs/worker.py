"""Workers: processes that claim a run's batches until none is left.

Any number of workers, in one process tree or on many machines, work one run together: each
claim is a row lock taken with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL), held by the batch's own
transaction, so a batch is worked by one worker at a time and marked done in the transaction
that posts it. A worker that dies loses its transaction; its batch becomes claimable again and
another worker (or the rerun) bills it. On SQLite writers queue on the database lock
(``BEGIN IMMEDIATE``), so extra workers add no speed, only safety.

A worker that finds no claimable batch while others still hold some waits for them (polling),
so that every worker returns only when the run is finished, and takes over a batch whose worker
died.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from billing.bill_runs import repository as repo
from billing.bill_runs.batch import BatchResult, bill_batch
from billing.clock import utcnow
from billing.invoicing.service import session_payment_terms
from billing.storage.db import make_engine, make_session_factory, unit_of_work

#: Seconds between looks at batches held by other workers.
POLL = 0.1
#: PostgreSQL errors after which a batch is simply tried again (deadlock, serialization).
RETRYABLE = {"40P01", "40001"}
#: Test hook: ``BILLING_BILL_RUN_FAULT=<phase>:<n>`` kills this process with SIGKILL at
#: ``phase`` (``claimed``, ``written``: before commit, ``committed``) of its n-th batch.
FAULT_ENV = "BILLING_BILL_RUN_FAULT"


@dataclass
class WorkerTotals:
    """What one worker posted: how many batches, and their results added up (``posted``:
    subscriptions, documents, entries, and seconds by phase)."""

    batches: int = 0
    posted: BatchResult = field(default_factory=BatchResult)

    def add(self, r: BatchResult) -> None:
        self.batches += 1
        self.posted.add(r)


def _fault() -> tuple[str, int] | None:
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return None
    phase, _, n = spec.partition(":")
    return phase, int(n or 1)


def _maybe_die(fault: tuple[str, int] | None, phase: str, batch_no: int) -> None:
    if fault is not None and fault == (phase, batch_no):
        os.kill(os.getpid(), signal.SIGKILL)


def _retryable(exc: DBAPIError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in RETRYABLE


def work(
    factory: sessionmaker[Session],
    run_id: str,
    *,
    as_of: date,
    on_batch: Callable[[BatchResult], None] | None = None,
) -> WorkerTotals:
    """Claim and bill batches of ``run_id`` until the run is finished; returns what this
    worker posted."""
    totals = WorkerTotals()
    fault = _fault()
    while True:
        result: BatchResult | None = None
        try:
            with unit_of_work(factory) as session:
                conn = session.connection()
                claim = repo.claim_batch(conn, run_id)
                if claim is None:
                    if repo.batches_left(conn, run_id) == 0:
                        repo.mark_run_finished(conn, run_id, utcnow())
                        return totals
                else:
                    _maybe_die(fault, "claimed", totals.batches + 1)
                    result = bill_batch(
                        conn,
                        claim,
                        as_of=as_of,
                        now=utcnow(),
                        payment_terms_days=session_payment_terms(session),
                    )
                    _maybe_die(fault, "written", totals.batches + 1)
        except DBAPIError as exc:
            if _retryable(exc):
                continue
            raise
        if result is None:
            time.sleep(POLL)  # the rest is held by other workers
            continue
        totals.add(result)
        _maybe_die(fault, "committed", totals.batches)
        if on_batch is not None:
            on_batch(result)


def _worker_main(database_url: str, run_id: str, as_of: date, report: Any) -> None:
    engine = make_engine(database_url)
    try:
        report.put(work(make_session_factory(engine), run_id, as_of=as_of))
    finally:
        engine.dispose()


class WorkerProcesses:
    """``count`` fresh worker processes on ``run_id``, started at once; :meth:`join` waits
    for them and returns the totals of those that finished (a worker that died reports
    nothing: its batch went back to the pool for the others)."""

    def __init__(self, database_url: str, run_id: str, *, as_of: date, count: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.report = ctx.Queue()
        self.procs = [
            ctx.Process(
                target=_worker_main, args=(database_url, run_id, as_of, self.report), daemon=True
            )
            for _ in range(count)
        ]
        for p in self.procs:
            p.start()

    def join(self) -> list[WorkerTotals]:
        out: list[WorkerTotals] = []
        alive = list(self.procs)
        while alive:
            try:
                out.append(self.report.get(timeout=0.1))
            except queue.Empty:
                pass
            alive = [p for p in alive if p.is_alive()]
        for p in self.procs:
            p.join()
        while True:
            try:
                out.append(self.report.get(timeout=0.05))
            except queue.Empty:
                return out
