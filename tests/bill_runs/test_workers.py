"""Several worker processes share one bill run on PostgreSQL without billing anything twice.

Three ``billing bill-run`` commands start together on one database, as they would on three
machines: the first plans the run, the others join it, and every batch is claimed by exactly
one of them (``FOR UPDATE SKIP LOCKED``). One of them runs two worker processes itself, and one
is killed with SIGKILL halfway through a batch: the others take its batch over. PostgreSQL only
(SQLite queues its writers on one lock); skipped without ``BILLING_TEST_POSTGRES_URL`` unless
``CI=true``.
"""

from __future__ import annotations

import re
import signal

import pytest

from billing.storage.db import make_engine
from tests.bill_runs.scenario import check_invariants, cli, prepare
from tests.conftest import Database

SUBSCRIPTIONS = 1500
BATCH = "25"


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_workers_share_one_run_and_take_over_a_dead_workers_batch(database: Database) -> None:
    url = database.url
    prepare(url, SUBSCRIPTIONS)

    procs = [
        cli(url, "--batch-size", BATCH, env={"BILLING_BILL_RUN_FAULT": "written:3"}),
        cli(url, "--batch-size", BATCH, "--workers", "2"),
        cli(url, "--batch-size", BATCH),
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert procs[0].returncode == -signal.SIGKILL, outputs[0]
    mine = []
    total = 0
    for p, (out, err) in zip(procs[1:], outputs[1:], strict=True):
        assert p.returncode == 0, err
        m = re.search(r"these workers: (\d+) of (\d+) batches", out)
        assert m, out
        mine.append(int(m[1]))
        total = int(m[2])
    # The killed one committed two batches before it died; the others did the rest, its
    # third batch included.
    assert sum(mine) + 2 == total, (mine, total)
    assert all(n > 0 for n in mine), mine

    engine = make_engine(url)
    try:
        check_invariants(engine, subscriptions=SUBSCRIPTIONS)
    finally:
        engine.dispose()
