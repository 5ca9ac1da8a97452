"""Kill the real ``billing bill-run`` with SIGKILL at several points, run it again: exactly
what was missing is posted. One charge per due period, no duplicate documents, no gaps in
document numbers, and the ledger equals the target.

The kill points: deterministic ones inside a batch (``BILLING_BILL_RUN_FAULT``: after the
claim, after the writes but before the commit, right after a commit) and timed ones (SIGKILL
from outside after a fraction of a second), each followed by a rerun that resumes the run.
"""

from __future__ import annotations

import signal
import time

from sqlalchemy import text

from billing.storage.db import make_engine
from tests.bill_runs.scenario import check_invariants, cli, prepare
from tests.conftest import Database

SUBSCRIPTIONS = 1500
BATCH = "100"


def batches_done(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM bill_run_batches WHERE done_at IS NOT NULL")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def unfinished_runs(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM bill_runs WHERE finished_at IS NULL")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_sigkill_at_any_point_then_rerun_posts_exactly_what_is_missing(
    database: Database,
) -> None:
    url = database.url
    prepare(url, SUBSCRIPTIONS)
    first_run_batches = batches_done(url)

    # Deterministic points inside the 1st, 2nd and 3rd batch a process works; each process
    # after the first resumes the run the one before left unfinished.
    for fault in ("written:2", "claimed:1", "committed:2"):
        proc = cli(url, "--batch-size", BATCH, env={"BILLING_BILL_RUN_FAULT": fault})
        proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL, (fault, proc.returncode)
    # Timed kills from outside, wherever the process happens to be (on a fast machine one may
    # find nothing left to kill: the run finished).
    for delay in (0.5, 1.2):
        if not unfinished_runs(url):
            break  # a rerun now would start a second run at AS_OF, not resume the first
        proc = cli(url, "--batch-size", BATCH)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
    done_before_last = batches_done(url) - first_run_batches
    assert done_before_last > 0, "the killed processes committed some batches"
    left_unfinished = unfinished_runs(url)

    if left_unfinished:
        # The rerun resumes the run and posts exactly what is missing.
        proc = cli(url, "--batch-size", BATCH)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "resumed" in out, out

    engine = make_engine(url)
    try:
        counts = check_invariants(engine, subscriptions=SUBSCRIPTIONS)
    finally:
        engine.dispose()
    assert counts["invoices"] > SUBSCRIPTIONS // 2
