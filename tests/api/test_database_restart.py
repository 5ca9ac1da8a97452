"""PostgreSQL stopped and started again under API requests and during a bill run: while it is
away every request is answered 503 ``database_unavailable`` with ``Retry-After`` (never a 500),
nothing is half-written, and the API recovers by itself once the server is back; the bill run
is resumed by posting it again, and an ``Idempotency-Key`` in flight at the stop is not left
claimed.

The test starts a throwaway PostgreSQL server of its own (``initdb`` and ``pg_ctl`` as the
``postgres`` user, on a free port of 127.0.0.1, as ``scripts/test`` does) so that stopping it
disturbs no other test; it skips where the server binaries or the ``postgres`` user are
missing. Bounded: every wait has a deadline (about 10-15 s per test, most of it ``initdb``).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text

from tests.conftest import ADMIN_TOKEN, Api, add_test_seller
from tests.unchanged import rows

RECOVERY_SECONDS = 20


def _pg_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return str(Path(found[-1]).parent) if found else None


@dataclass
class Server:
    """A PostgreSQL server in a temporary directory, run as the ``postgres`` user."""

    bin: str
    root: Path
    port: int
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.root / "log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def init(self) -> None:
        self._as_postgres(
            f"{self.bin}/initdb", "-D", str(self.root / "data"), "--auth=trust", "-U", "postgres"
        )

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        self._as_postgres(
            f"{self.bin}/pg_ctl", "-D", str(self.root / "data"), "-l", str(self.log),
            "-w", "-t", "30", "-o", options, "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._as_postgres(
            f"{self.bin}/pg_ctl", "-D", str(self.root / "data"), "-m", "fast", "-w", "stop"
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server() -> Iterator[Server]:
    pg_bin = _pg_bin()
    if pg_bin is None or shutil.which("runuser") is None or os.geteuid() != 0:
        pytest.skip("needs PostgreSQL's server binaries, runuser and root (to run as postgres)")
    try:
        owner = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no postgres user")
    root = Path(tempfile.mkdtemp(prefix="billing-restart-"))
    os.chown(root, owner.pw_uid, owner.pw_gid)
    srv = Server(pg_bin, root, _free_port())
    try:
        srv.init()
        srv.start()
        yield srv
    finally:
        try:
            srv.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def _api(url: str, **settings: Any) -> Iterator[Api]:
    from billing.http.app import create_app
    from billing.settings import Settings

    app = create_app(
        Settings(database_url=url, admin_token=ADMIN_TOKEN, test_clock=True, **settings),
        migrate=False,
    )
    try:
        with TestClient(app) as client:
            yield Api(client)
    finally:
        app.state.engine.dispose()


@pytest.fixture
def api_on(server: Server) -> Iterator[Api]:
    from billing.storage.migrate import upgrade

    upgrade(server.url)
    with _api(server.url) as api:
        add_test_seller(api)
        api.today("2025-04-10")
        yield api


@dataclass
class Writer:
    """Creates customers one after another in a thread, remembering each answer."""

    api: Api
    created: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            name = f"Load {uuid.uuid4().hex[:8]} AB"
            r = self.api.post("/v1/customers", {"name": name, "currency": "SEK"})
            self.statuses.append(r.status_code)
            if r.status_code == 201:
                self.created.append(name)
            else:
                self.refused.append(name)
                try:
                    _expect_unavailable(r)
                except AssertionError:
                    self.unexpected.append(f"{r.status_code} {r.text[:300]}")
            time.sleep(0.02)


def _expect_unavailable(r: Any) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] in ("database_unavailable", "database_busy"), r.text
    assert int(r.headers["Retry-After"]) >= 1


def _customer_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT name FROM customers")).scalars())
    finally:
        engine.dispose()


def test_postgres_stopped_and_started_under_requests(server: Server, api_on: Api) -> None:
    api = api_on
    customer = api.customer(name="Before AB")
    sub = api.subscription(customer, api.plan(), start_date="2025-04-02")
    engine = api.client.app.state.engine
    writer = Writer(api)
    thread = threading.Thread(target=writer.run, daemon=True)
    thread.start()
    try:
        time.sleep(0.5)
        server.stop()
        before = len(writer.statuses)
        # While it is away: reads, writes (with and without an Idempotency-Key) are 503.
        for r in (
            api.get(f"/v1/subscriptions/{sub['id']}"),
            api.post(f"/v1/subscriptions/{sub['id']}/pause", {"start_date": "2025-05-15"}),
            api.post(
                "/v1/customers",
                {"name": "Away AB", "currency": "SEK"},
                headers={"Idempotency-Key": "while-away"},
            ),
        ):
            _expect_unavailable(r)
        # Liveness is the process's, not the database's: /healthz makes no database call and
        # stays 200 (the contract lists no readiness endpoint; 503s above say "away").
        health = api.client.get("/healthz")
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        deadline = time.monotonic() + RECOVERY_SECONDS
        while len(writer.statuses) < before + 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert 503 in writer.statuses[before:], writer.statuses
        server.start()
        # Back by itself: the writer's requests succeed again without a restart of the app.
        mark = len(writer.created)
        while len(writer.created) <= mark + 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(writer.created) > mark + 2, writer.statuses[-20:]
    finally:
        writer.stop.set()
        thread.join(timeout=RECOVERY_SECONDS)
    assert not thread.is_alive()
    assert writer.unexpected == []
    # Nothing half-written: every 201 is stored, no refused request is.
    names = _customer_names(server.url)
    assert set(writer.created) <= names
    assert not set(writer.refused) & names
    assert "Away AB" not in names
    snapshot = rows(engine)
    r = api.post(f"/v1/subscriptions/{sub['id']}/pause", {"start_date": "2025-05-15"})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == sub["version"] + 1
    r = api.post(
        "/v1/customers",
        {"name": "Away AB", "currency": "SEK"},
        headers={"Idempotency-Key": "while-away"},
    )
    assert r.status_code == 201, r.text  # the key was not kept by the refused attempt
    assert rows(engine) != snapshot


# -- a bill run cut short by the stop -----------------------------------------------------------

BILL_RUN_SUBSCRIPTIONS = 400
BILL_RUN_BATCH = 50
#: Seconds each batch waits between its writes and its commit (so the stop lands inside one).
SLOW_BATCH_SECONDS = 0.3


def _fingerprints(conn: Any) -> dict[str, tuple[Any, ...]]:
    """Per subscription: its ledger (count, sum), its documents and their feed events, and its
    settlement point: what a batch writes for it."""
    out: dict[str, list[Any]] = {
        sid: [0, 0, (), (), None]
        for sid in conn.execute(text("SELECT id FROM subscriptions")).scalars()
    }
    for sid, n, total in conn.execute(
        text(
            "SELECT subscription_id, count(*), sum(amount) FROM ledger_entries "
            "GROUP BY subscription_id"
        )
    ):
        out[sid][0:2] = [n, int(total)]
    docs: dict[str, list[str]] = {}
    for sid, doc in conn.execute(
        text("SELECT subscription_id, id FROM documents WHERE subscription_id IS NOT NULL")
    ):
        docs.setdefault(sid, []).append(doc)
    for sid, ids in docs.items():
        out[sid][2] = tuple(sorted(ids))
    feed: dict[str, list[int]] = {}
    for sid, seq in conn.execute(
        text(
            "SELECT d.subscription_id, e.seq FROM events e JOIN documents d ON d.id = e.subject_id"
        )
    ):
        feed.setdefault(sid, []).append(int(seq))
    for sid, seqs in feed.items():
        out[sid][3] = tuple(sorted(seqs))
    for sid, through, seq in conn.execute(
        text("SELECT subscription_id, settled_through, timeline_seq FROM ledger_settlements")
    ):
        out[sid][4] = (through, seq)
    return {sid: tuple(v) for sid, v in out.items()}


def _unbilled(conn: Any, as_of: Any) -> set[str]:
    """The subscriptions whose ledger differs from their timeline's due target at ``as_of``."""
    from billing.domain.ledger import Scope, difference
    from billing.domain.timeline import Schedule
    from billing.invoicing.repository import entry_from_row
    from billing.storage.models import LedgerEntry, TimelineEvent
    from billing.subscriptions.repository import event_from_row

    events: dict[str, list[Any]] = {}
    for row in conn.execute(
        select(TimelineEvent.__table__).order_by(TimelineEvent.subscription_id, TimelineEvent.seq)
    ):
        events.setdefault(row.subscription_id, []).append(event_from_row(row))
    posted: dict[str, list[Any]] = {}
    for row in conn.execute(
        select(LedgerEntry.__table__).order_by(LedgerEntry.subscription_id, LedgerEntry.id)
    ):
        posted.setdefault(row.subscription_id, []).append(entry_from_row(row))
    return {
        sid
        for sid, evs in events.items()
        if difference(Schedule(evs), posted.get(sid, []), as_of=as_of, scope=Scope.DUE)
    }


def _gapless(conn: Any) -> None:
    """Document numbers per series and the feed's seq run 1..n without a gap; no provisional
    series (a bill run's numbers before it takes the real ones) was ever committed."""
    from tests.bill_runs.scenario import assert_numbers_gapless

    assert_numbers_gapless(conn)
    seqs = list(conn.execute(text("SELECT seq FROM events ORDER BY seq")).scalars())
    assert seqs == list(range(1, len(seqs) + 1)), "the feed's seq has gaps"
    assert not conn.execute(text("SELECT 1 FROM documents WHERE series LIKE '~%'")).first()


def _run_state(url: str, as_of: Any) -> tuple[str | None, int, int]:
    """(id, batches done, batches) of the latest run at ``as_of``."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            run_id = conn.execute(
                text("SELECT id FROM bill_runs WHERE as_of = :d ORDER BY started_at DESC LIMIT 1"),
                {"d": as_of},
            ).scalar()
            if run_id is None:
                return None, 0, 0
            done, total = conn.execute(
                text(
                    "SELECT count(done_at), count(*) FROM bill_run_batches WHERE bill_run_id = :r"
                ),
                {"r": run_id},
            ).one()
            return str(run_id), int(done), int(total)
    finally:
        engine.dispose()


def test_postgres_stopped_during_a_bill_run_then_a_retry_resumes_it(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run of 400 subscriptions in batches of 50 through ``POST /v1/bill-runs`` (with an
    ``Idempotency-Key``), customers created beside it; PostgreSQL stopped once two batches
    are done, while the third waits between its writes and its commit. The run's request is
    answered 503; the done batches are whole, the rest untouched; once the server is back the
    same request (same key) resumes the same run and bills exactly the rest.

    Seen (3 runs, 2 cores shared by 4 sessions, load 4-8): the stop lands after 2 of 8
    batches (100 subscriptions billed), the writer gets 5 503s in the 0.5-0.8 s the server is
    away and its first 201 0.03-0.05 s after ``pg_ctl start`` returns; the resumed run ends
    with 381 invoices and 11 credit notes. The test takes about 15 s (initdb and seeding)."""
    from billing.bill_runs.batch import bill_batch as real
    from billing.storage.migrate import upgrade
    from tests.bill_runs.scenario import AS_OF, check_invariants, prepare

    upgrade(server.url)
    prepare(server.url, BILL_RUN_SUBSCRIPTIONS)
    engine = create_engine(server.url)
    with engine.connect() as conn:
        before = _fingerprints(conn)
    engine.dispose()

    def slow_batch(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        time.sleep(SLOW_BATCH_SECONDS)  # written, not committed
        return result

    monkeypatch.setattr("billing.bill_runs.worker.bill_batch", slow_batch)
    key = {"Idempotency-Key": f"bill-run-{AS_OF}"}
    with _api(server.url, bill_run_batch_size=BILL_RUN_BATCH) as api:
        api.today(AS_OF.isoformat())
        answers: list[Any] = []
        bill = threading.Thread(
            target=lambda: answers.append(
                api.post("/v1/bill-runs", {"as_of": AS_OF.isoformat()}, headers=key)
            ),
            daemon=True,
        )
        writer = Writer(api)
        load = threading.Thread(target=writer.run, daemon=True)
        load.start()
        bill.start()
        try:
            deadline = time.monotonic() + RECOVERY_SECONDS
            run_id, done, total = None, 0, 0
            while done < 2 and time.monotonic() < deadline:
                run_id, done, total = _run_state(server.url, AS_OF)
                time.sleep(0.02)
            assert run_id is not None and done >= 2, (run_id, done, total)
            stopped_at = time.monotonic()
            server.stop()
            bill.join(timeout=RECOVERY_SECONDS)
            assert not bill.is_alive()
            _expect_unavailable(answers[0])
            _expect_unavailable(api.get(f"/v1/bill-runs/{run_id}"))
            mark = len(writer.statuses)
            while len(writer.statuses) < mark + 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            away = writer.statuses.count(503)
            server.start()
            started_at = time.monotonic()
            away_seconds = started_at - stopped_at
            created = len(writer.created)
            while len(writer.created) <= created and time.monotonic() < deadline:
                time.sleep(0.01)
            recovered = time.monotonic() - started_at
            assert len(writer.created) > created, writer.statuses[-20:]
        finally:
            writer.stop.set()
            load.join(timeout=RECOVERY_SECONDS)
        assert not load.is_alive()
        assert writer.unexpected == []
        names = _customer_names(server.url)
        assert set(writer.created) <= names and not set(writer.refused) & names

        # Cut short: the done batches are billed whole, the others not at all.
        engine = create_engine(server.url)
        try:
            with engine.connect() as conn:
                ranges = conn.execute(
                    text(
                        "SELECT first_id, last_id, done_at IS NOT NULL FROM bill_run_batches "
                        "WHERE bill_run_id = :r"
                    ),
                    {"r": run_id},
                ).all()
                after = _fingerprints(conn)
                unbilled = _unbilled(conn, AS_OF)
                _gapless(conn)
                documents_ok = conn.execute(
                    text(
                        "SELECT count(*) FROM documents d WHERE d.bill_run_id = :r AND (NOT "
                        "EXISTS (SELECT 1 FROM ledger_entries l WHERE l.document_id = d.id) OR "
                        "(SELECT count(*) FROM events e WHERE e.subject_id = d.id "
                        "AND e.type = d.type || '.issued') <> 1)"
                    ),
                    {"r": run_id},
                ).scalar_one()
        finally:
            engine.dispose()
        assert documents_ok == 0, "a document of the run without its entries or feed event"

        def done_batch(sid: str) -> bool:
            return any(
                (lo is None or lo <= sid) and (hi is None or sid < hi) and done
                for lo, hi, done in ranges
            )

        billed = {sid for sid in before if done_batch(sid)}
        done_batches = sum(1 for *_, d in ranges if d)
        assert 2 <= done_batches < len(ranges), ranges
        assert billed and not billed & unbilled, "a subscription of a done batch is not billed"
        untouched = [sid for sid in before if sid not in billed and after[sid] != before[sid]]
        assert untouched == [], f"half-written: {untouched[:5]}"
        assert unbilled - billed, "the stop came after everything was billed"

        # Resumed: the same request again bills exactly the rest, in the same run.
        r = api.post("/v1/bill-runs", {"as_of": AS_OF.isoformat()}, headers=key)
        assert r.status_code == 201, r.text
        assert r.json()["id"] == run_id
        assert r.json()["finished"] is True
        assert r.json()["subscriptions"] == BILL_RUN_SUBSCRIPTIONS
    engine = create_engine(server.url)
    try:
        counts = check_invariants(engine, subscriptions=BILL_RUN_SUBSCRIPTIONS)
        with engine.connect() as conn:
            assert _unbilled(conn, AS_OF) == set()
            _gapless(conn)
    finally:
        engine.dispose()
    print(
        f"bill run {run_id}: {done_batches}/{len(ranges)} batches done at the stop, "
        f"{len(billed)} subscriptions billed then, {away} writer 503s while away "
        f"({away_seconds:.1f} s), first 201 {recovered:.2f} s "
        f"after the start, {counts}"
    )


# -- an Idempotency-Key whose request was in flight ----------------------------------------------


def test_a_key_in_flight_when_postgres_stops_is_not_claimed_for_ever(
    server: Server, api_on: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request's work commits, then PostgreSQL stops before its answer is stored under the
    key: it is answered 503, and once the server is back a retry with the same key replays
    the first answer (the customer exists once), not ``idempotency_in_progress`` for ever.
    (The other case, a request whose work was rolled back by the stop, is the bill run's
    above: its retry with the same key runs.)"""
    from billing.http import idempotency

    api = api_on
    real = idempotency.store
    reached, go = threading.Event(), threading.Event()

    def held_store(*args: Any, **kwargs: Any) -> None:
        if args[2] == "committed-then-away" and not reached.is_set():
            reached.set()
            assert go.wait(RECOVERY_SECONDS)
        real(*args, **kwargs)

    monkeypatch.setattr(idempotency, "store", held_store)
    body = {"name": "Committed AB", "currency": "SEK"}
    key = {"Idempotency-Key": "committed-then-away"}
    answers: list[Any] = []
    first = threading.Thread(
        target=lambda: answers.append(api.post("/v1/customers", body, headers=key)), daemon=True
    )
    first.start()
    assert reached.wait(RECOVERY_SECONDS)
    server.stop()
    go.set()
    first.join(timeout=RECOVERY_SECONDS)
    assert not first.is_alive()
    _expect_unavailable(answers[0])
    _expect_unavailable(api.post("/v1/customers", body, headers=key))  # still away
    server.start()
    deadline = time.monotonic() + RECOVERY_SECONDS
    r = api.post("/v1/customers", body, headers=key)
    while r.status_code == 503 and time.monotonic() < deadline:
        time.sleep(0.1)
        r = api.post("/v1/customers", body, headers=key)
    assert r.status_code == 201, r.text
    assert r.headers.get("Idempotent-Replayed") == "true"
    engine = create_engine(server.url)
    try:
        with engine.connect() as conn:
            ids = list(
                conn.execute(text("SELECT id FROM customers WHERE name = 'Committed AB'")).scalars()
            )
    finally:
        engine.dispose()
    assert ids == [r.json()["id"]]
    again = api.post("/v1/customers", body, headers=key)
    assert again.status_code == 201 and again.json()["id"] == ids[0]
