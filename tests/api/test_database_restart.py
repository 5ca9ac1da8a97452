"""PostgreSQL stopped and started again under API requests: while it is away every request is
answered 503 ``database_unavailable`` with ``Retry-After`` (never a 500), nothing is
half-written, and the API recovers by itself once the server is back.

The test starts a throwaway PostgreSQL server of its own (``initdb`` and ``pg_ctl`` as the
``postgres`` user, on a free port of 127.0.0.1, as ``scripts/test`` does) so that stopping it
disturbs no other test; it skips where the server binaries or the ``postgres`` user are
missing. Bounded: every wait has a deadline (about 30 s in all, most of it ``initdb``).
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

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


@pytest.fixture
def api_on(server: Server) -> Iterator[Api]:
    from billing.http.app import create_app
    from billing.settings import Settings
    from billing.storage.migrate import upgrade

    upgrade(server.url)
    app = create_app(
        Settings(database_url=server.url, admin_token=ADMIN_TOKEN, test_clock=True),
        migrate=False,
    )
    with TestClient(app) as client:
        api = Api(client)
        add_test_seller(api)
        api.today("2025-04-10")
        yield api
    app.state.engine.dispose()


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
