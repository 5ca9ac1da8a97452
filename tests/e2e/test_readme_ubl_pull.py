"""The README's loop that pulls UBL credit notes by cursor, run as printed (bash, curl, jq)
against a real ``billing serve``: it fetches each credit note's ``links.xml`` (the same bytes
as ``GET /v1/credit-notes/{id}.xml``), keeps ``resume_cursor`` in ``credit-notes.cursor``, and
a second run from that cursor fetches nothing. Only the address is the test server's, and its
``sleep`` (what the loop does once caught up) ends the run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ADMIN_TOKEN, Server
from tests.peppol.conftest import missing
from tests.sellers import SE_SELLER

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"
HEADING = "**Pulling UBL credit notes by cursor**"


def readme_loop() -> str:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text[text.index(HEADING) :], re.S)
    assert block, f"README: no sh block after {HEADING}"
    return block.group(1)


def _ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    return r.json()


def _credit_notes(http: httpx.Client) -> list[dict[str, Any]]:
    """Two customers' subscriptions billed on 2025-04-01 and cancelled at once: two notes."""
    _ok(http.put("/v1/test-clock", json={"today": "2025-04-01"}))
    _ok(http.post("/v1/sellers", json=SE_SELLER), 201)
    plan = {"code": "m", "name": "Digital licens", "currency": "SEK", "unit_amount": 10_000}
    plan_id = _ok(http.post("/v1/plans", json={**plan, "interval": "month"}), 201)["id"]
    subs = []
    for name, number in (("Kund AB", "5566778899"), ("Kund C AB", "5565475489")):
        body = {"name": name, "currency": "SEK", "kind": "business", "organisation_number": number}
        customer = _ok(http.post("/v1/customers", json=body), 201)["id"]
        sub = {"customer_id": customer, "plan_id": plan_id, "start_date": "2025-04-01"}
        subs.append(_ok(http.post("/v1/subscriptions", json=sub), 201)["id"])
    assert http.post("/v1/bill-runs", json={"as_of": "2025-04-01"}).status_code in (200, 201)
    for sub in subs:
        cancel = {"mode": "immediately", "unused": "credit_note"}
        _ok(http.post(f"/v1/subscriptions/{sub}/cancel", json=cancel))
    notes = _ok(http.get("/v1/credit-notes", params={"limit": 100}))["data"]
    assert len(notes) == 2 and all("xml" in n["links"] for n in notes)
    return notes  # type: ignore[no-any-return]


def _run(loop: str, server: Server, cwd: Path) -> None:
    script = "sleep() { exit 0; }\n" + loop.replace("localhost:8000", server.base_url)
    env = {**os.environ, "BILLING_TOKEN": ADMIN_TOKEN}
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")


def test_the_readme_loop_pulls_each_credit_note_s_ubl_once(
    serve: Callable[..., Server], tmp_path: Path
) -> None:
    for tool in ("bash", "curl", "jq"):
        if shutil.which(tool) is None:
            missing(f"{tool} is not installed (the README's loop uses it)")
    server = serve(None)
    with server.client() as http:
        notes = _credit_notes(http)
        work = tmp_path / "system"
        work.mkdir()
        _run(readme_loop(), server, work)
        fetched = sorted(p.name for p in work.glob("*.xml"))
        assert fetched == sorted(f"{n['id']}.xml" for n in notes)
        for note in notes:
            xml = http.get(f"/v1/credit-notes/{note['id']}.xml")
            assert (work / f"{note['id']}.xml").read_bytes() == xml.content
            assert b"<CreditNote" in xml.content
        page = _ok(http.get("/v1/credit-notes", params={"limit": 100}))
        cursor = (work / "credit-notes.cursor").read_text().strip()
        assert cursor == page["resume_cursor"]
        # From the kept cursor: nothing new, nothing fetched, the cursor kept.
        for path in work.glob("*.xml"):
            path.unlink()
        _run(readme_loop(), server, work)
        assert list(work.glob("*.xml")) == []
        assert (work / "credit-notes.cursor").read_text().strip() == cursor
