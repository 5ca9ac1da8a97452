"""The README's "Using it" block, pasted into a shell against a live ``billing serve``.

tests/test_readme.py runs the same calls in-process (and checks the invoice they make); this
runs the block's own ``curl`` lines with bash against a real server on a free loopback port, as
a reader would paste them: its variables (the token, the JSON content type), quoting and
continuations included. Only the address (``localhost:8000`` becomes the test's port), the ids
(``cus_…`` and the like, from the earlier answers) and a trailing ``-w`` that prints the HTTP
status are changed. Every call must answer 2xx, each within :data:`CALL_TIMEOUT`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import START_TIMEOUT, STOP_TIMEOUT, free_port

README = Path(__file__).resolve().parents[2] / "README.md"
CALL_TIMEOUT = 30.0


def block() -> tuple[str, list[str]]:
    """The block's shell prelude (its variable assignments) and its curl commands."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Using it") :].split("\n## ", 1)[0]
    found = re.search(r"```sh\n(.*?)```", section, re.S)
    assert found, "README: no sh block under Using it"
    commands = re.split(r"\n(?=curl )", found.group(1).strip())
    prelude = [c for c in commands if not c.startswith("curl ")]
    return "\n".join(prelude), [c.strip() for c in commands if c.startswith("curl ")]


def admin_token(prelude: str) -> str:
    found = re.search(r'T="Authorization: Bearer ([^"]+)"', prelude)
    assert found, "README: the block sets T to the admin token's header"
    return found.group(1)


def start(database_url: str, token: str, tmp_path: Path) -> tuple[subprocess.Popen[bytes], int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BILLING_")}
    env.update(BILLING_ADMIN_TOKEN=token, BILLING_TEST_CLOCK="1", BILLING_DATABASE_URL=database_url)
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "billing.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 2 * START_TIMEOUT  # a loaded machine starts slowly
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0).status_code == 200:
                return process, port
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    pytest.fail(f"billing serve did not start: {(tmp_path / 'serve.log').read_text()[-2000:]}")


def run(prelude: str, command: str, port: int, ids: dict[str, str]) -> tuple[int, Any]:
    command = command.replace("localhost:8000", f"127.0.0.1:{port}")
    for placeholder, value in ids.items():
        command = command.replace(placeholder, value)
    script = f"{prelude}\n{command} -w '\\n%{{http_code}}'\n"
    done = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=CALL_TIMEOUT, check=False
    )
    assert done.returncode == 0, (command, done.stderr)
    body, _, status = done.stdout.rpartition("\n")
    return int(status), json.loads(body)


def test_the_readme_block_works_pasted_against_a_live_server(
    database_url: str, tmp_path: Path
) -> None:
    if shutil.which("curl") is None or shutil.which("bash") is None:
        pytest.skip("needs curl and bash")
    prelude, commands = block()
    assert len(commands) >= 5
    token = admin_token(prelude)
    process, port = start(database_url, token, tmp_path)
    try:
        clock = httpx.put(
            f"http://127.0.0.1:{port}/v1/test-clock",
            json={"today": "2025-04-02"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=CALL_TIMEOUT,
        )
        assert clock.status_code == 200, clock.text
        ids: dict[str, str] = {}
        answers = []
        for command in commands:
            status, answer = run(prelude, command, port, ids)
            assert 200 <= status < 300, (command, status, answer)
            answers.append(answer)
            if isinstance(answer, dict) and isinstance(answer.get("id"), str):
                ids.setdefault(f"{answer['id'].split('_', 1)[0]}_…", answer["id"])
        invoices = next(a["data"] for a in answers if isinstance(a, dict) and "data" in a)
        assert [i["number"] for i in invoices] == ["INV-000001"]
        preview = answers[-1]  # the cancellation, previewed: what it would end, nothing kept
        assert preview["preview"] is True and preview["end_date"] is not None
        ledger = httpx.get(
            f"http://127.0.0.1:{port}/v1/subscriptions/{ids['sub_…']}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=CALL_TIMEOUT,
        ).json()
        assert ledger["end_date"] is None
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
