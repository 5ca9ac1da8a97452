"""What durable commits cost on the embedded SQLite: API writes with ``synchronous=FULL`` (the
default: every commit is on disk when it is answered) beside ``NORMAL`` (WAL's faster setting,
which can lose the last commits on a power cut), in the same run.

Per trial a copy of one seeded database (``--subscriptions`` monthly subscriptions from
``billing.bill_runs.synthetic``, billed once) is opened by the real app in-process
(``create_app`` under FastAPI's TestClient, one request at a time) with the setting under test,
and ``--writes`` mid-period licence changes are posted, one per subscription, each its own
transaction with its invoice or credit note, timeline event and feed event. The modes alternate
(NORMAL, FULL, FULL, NORMAL, …) so both see the same machine; the database file lives on the
disk of ``--workdir`` (default: a folder in the current directory, not ``/tmp``, which may be a
RAM disk where a sync costs nothing). The script checks that each app really runs the mode it
was given (``PRAGMA synchronous``) and that every change was posted.

    .venv/bin/python benchmarks/sqlite_durability.py --subscriptions 500 --writes 300 --repeat 2
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ADMIN_TOKEN = "bench-durability-admin-token-0123456789"
TAG = "dur"
MODES = {"NORMAL": 1, "FULL": 2}


def seed_template(path: Path, count: int) -> list[str]:
    """A database of ``count`` subscriptions started in the last two months, billed today."""
    from fastapi.testclient import TestClient

    from billing.bill_runs.synthetic import seed
    from billing.http.app import create_app
    from billing.settings import Settings
    from billing.storage.db import make_engine
    from billing.storage.migrate import upgrade

    url = f"sqlite:///{path}"
    today = date.today()
    upgrade(url)
    engine = make_engine(url)
    seed(engine, count, first_start=today - timedelta(days=60),
         last_start=today - timedelta(days=20), tag=TAG)  # fmt: skip
    engine.dispose()
    app = create_app(Settings(database_url=url, admin_token=ADMIN_TOKEN), migrate=False)
    with TestClient(app) as client:
        r = client.post("/v1/bill-runs", json={"as_of": today.isoformat()},
                        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})  # fmt: skip
        if r.status_code not in (200, 201):
            raise SystemExit(f"bill run: {r.status_code} {r.text[:300]}")
    return [f"sub_{TAG}{i:016x}" for i in range(count)]


def trial(template: Path, workdir: Path, mode: str, subs: list[str], writes: int) -> float:
    """Seconds for ``writes`` licence changes on a fresh copy of ``template`` under ``mode``."""
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from billing.http.app import create_app
    from billing.settings import Settings

    copy = workdir / f"trial-{mode}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, copy)
    url = f"sqlite:///{copy}"
    settings = Settings(database_url=url, admin_token=ADMIN_TOKEN, sqlite_synchronous=mode)
    app = create_app(settings, migrate=False)
    with app.state.engine.connect() as conn:
        got = int(conn.execute(text("PRAGMA synchronous")).scalar_one())
    if got != MODES[mode]:
        raise SystemExit(f"{mode}: the app's engine runs synchronous={got}")
    today = date.today().isoformat()
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        t0 = time.perf_counter()
        for i, sid in enumerate(subs[:writes]):
            body = {"effective_date": today, "proration": "by_day", "quantity": 2 + i % 3,
                    "unused": "credit_note"}  # fmt: skip
            r = client.post(f"/v1/subscriptions/{sid}/changes", json=body, headers=headers)
            if r.status_code != 200:
                raise SystemExit(f"{mode}: change {sid}: {r.status_code} {r.text[:300]}")
        return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscriptions", type=int, default=500)
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=2, help="NORMAL/FULL pairs")
    parser.add_argument("--workdir", default=None, help="on the disk to measure (not tmpfs)")
    args = parser.parse_args()
    if args.writes > args.subscriptions:
        raise SystemExit("--writes must not exceed --subscriptions (one change each)")
    base = Path(args.workdir) if args.workdir else Path.cwd()
    workdir = Path(tempfile.mkdtemp(prefix="bench-durability-", dir=base))
    try:
        template = workdir / "template.sqlite3"
        subs = seed_template(template, args.subscriptions)
        times: dict[str, list[float]] = {m: [] for m in MODES}
        order = [("NORMAL", "FULL") if k % 2 == 0 else ("FULL", "NORMAL")
                 for k in range(args.repeat)]  # fmt: skip
        for pair in order:
            for mode in pair:
                load = os.getloadavg()[0]
                seconds = trial(template, workdir, mode, subs, args.writes)
                times[mode].append(seconds)
                row = {"mode": mode, "writes": args.writes, "seconds": round(seconds, 3),
                       "ms_per_write": round(1000 * seconds / args.writes, 2),
                       "load_before": round(load, 2),
                       "load_after": round(os.getloadavg()[0], 2)}  # fmt: skip
                print(json.dumps(row), flush=True)
        normal, full = statistics.median(times["NORMAL"]), statistics.median(times["FULL"])
        print(json.dumps({"median_ms_per_write": {"NORMAL": round(1000 * normal / args.writes, 2),
                                                  "FULL": round(1000 * full / args.writes, 2)},
                          "full_over_normal": round(full / normal, 3)}), flush=True)  # fmt: skip
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
