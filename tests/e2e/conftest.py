"""A real ``billing serve`` process on a free port, stopped after the test whatever happens."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, _pg_admin_engine

ADMIN_TOKEN = "e2e-admin-token-0123456789"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            timeout=15.0,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """``serve(database_url=None, cwd=...)``: start ``billing serve`` and wait for /healthz.

    Without a URL the process gets no ``BILLING_DATABASE_URL`` at all (its own default: an
    SQLite file in its working directory)."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(database_url: str | None, *, cwd: Path | None = None) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BILLING_")}
        env.update(BILLING_ADMIN_TOKEN=ADMIN_TOKEN, BILLING_TEST_CLOCK="1")
        if database_url is not None:
            env["BILLING_DATABASE_URL"] = database_url
        port = free_port()
        log = tmp_path / f"serve-{port}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "billing.cli", "serve", "--port", str(port)],
                cwd=cwd or tmp_path,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        processes.append(process)
        server = Server(process, f"http://127.0.0.1:{port}", log)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"billing serve exited with {process.returncode}:\n{server.output()}")
            try:
                if httpx.get(f"{server.base_url}/healthz", timeout=1.0).status_code == 200:
                    return server
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"billing serve did not answer /healthz:\n{server.output()}")
            time.sleep(0.1)

    try:
        yield start
    finally:
        for process in processes:
            _stop(process)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of each kind: ``billing serve`` must migrate it itself."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
        return
    if not PG_URL:
        request.getfixturevalue("pg_template")  # skips (or fails in CI) without a server
    name = f"billing_e2e_{uuid.uuid4().hex[:10]}"
    admin: Any = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
