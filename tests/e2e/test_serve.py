"""End to end: a real ``billing serve`` process, driven over HTTP through a subscription's life.

The process migrates its own (empty) database on start, on SQLite and on PostgreSQL. The
amounts are worked by hand from domain.md's rule (cumulative rounding over the period's days):

* 2 licences at 100.00 kr from 2025-04-02, period [04-02, 05-02) of 30 days: P = 20000.
* 3 licences from 04-12 (day 10): credit R(20000) − R(20000·10/30) = 20000 − 6667 = 13333 of
  the 2-licence charge; charge 30000 − R(30000·10/30) = 20000 at 3 licences.
* Paused 04-22 (day 20): credit 30000 − R(30000·20/30) = 10000; resumed 04-27 (day 25):
  charge 30000 − 25000 = 5000.
* May [05-02, 06-02), 31 days: 30000. Cancelled on 05-20 (day 18): credit
  30000 − R(30000·18/31) = 30000 − R(17419.35…) = 12581; undone: charged 12581 again.
* June: 30000. April = 6667 + 10000 + 5000 = 21667; the balance is 21667 + 30000 + 30000.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, inspect

from billing.storage.models import Base
from tests.conftest import TEST_SELLER
from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e


def _ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    return r.json()


def _today(http: httpx.Client, day: str) -> None:
    _ok(http.put("/v1/test-clock", json={"today": day}))


def _bill(http: httpx.Client, as_of: str) -> dict[str, Any]:
    r = http.post("/v1/bill-runs", json={"as_of": as_of})
    assert r.status_code in (200, 201), r.text
    return r.json()  # type: ignore[no-any-return]


def _documents(change: dict[str, Any]) -> list[tuple[str, int]]:
    return [(d["type"], d["total"]) for d in change["documents"]]


def test_a_subscription_life_over_http(database_url: str, serve: Callable[..., Server]) -> None:
    server = serve(database_url)
    with server.client() as http:
        _today(http, "2025-04-02")
        _ok(http.post("/v1/sellers", json=TEST_SELLER), 201)
        customer = _ok(
            http.post(
                "/v1/customers",
                json={
                    "name": "Hälsan AB",
                    "currency": "SEK",
                    "locale": "sv_SE",
                    "timezone": "Europe/Stockholm",
                },
            ),
            201,
        )
        plan = _ok(
            http.post(
                "/v1/plans",
                json={
                    "code": "licence-monthly",
                    "name": "Licence",
                    "currency": "SEK",
                    "unit_amount": 10000,
                    "interval": "month",
                },
            ),
            201,
        )
        sub = _ok(
            http.post(
                "/v1/subscriptions",
                json={
                    "customer_id": customer["id"],
                    "plan_id": plan["id"],
                    "quantity": 2,
                    "start_date": "2025-04-02",
                },
            ),
            201,
        )
        path = f"/v1/subscriptions/{sub['id']}"
        assert sub["status"] == "active" and sub["version"] == 1
        assert sub["current_period"] == {"start": "2025-04-02", "end": "2025-05-02"}

        # Bill April in advance.
        run = _bill(http, "2025-04-02")
        [april] = run["invoices"]
        assert run["credit_notes"] == []
        invoice = _ok(http.get(f"/v1/invoices/{april}"))
        assert invoice["total"] == 20000 and invoice["status"] == "open"
        assert invoice["customer_id"] == customer["id"] and invoice["currency"] == "SEK"
        assert _bill(http, "2025-04-02")["invoices"] == []  # again: nothing

        # A third licence from 04-12: the billed period is re-billed at once.
        _today(http, "2025-04-12")
        change = _ok(
            http.post(
                f"{path}/changes",
                json={"effective_date": "2025-04-12", "quantity": 3},
                headers={"If-Match": "1"},
            )
        )
        assert change["quantity"] == 3 and change["version"] == 2
        assert sorted(_documents(change)) == [("credit_note", 13333), ("invoice", 20000)]
        stale = http.post(
            f"{path}/changes",
            json={"effective_date": "2025-04-12", "quantity": 4},
            headers={"If-Match": "1"},
        )
        assert stale.status_code == 412 and stale.json()["code"] == "version_conflict"
        assert stale.headers["content-type"].startswith("application/problem+json")

        # Pause from 04-22, resume 04-27.
        _today(http, "2025-04-20")
        paused = _ok(http.post(f"{path}/pause", json={"start_date": "2025-04-22"}))
        assert _documents(paused) == [("credit_note", 10000)]
        _today(http, "2025-04-27")
        resumed = _ok(http.post(f"{path}/resume", json={"date": "2025-04-27"}))
        assert _documents(resumed) == [("invoice", 5000)]
        assert resumed["status"] == "active"

        # Bill May.
        run = _bill(http, "2025-05-02")
        [may] = run["invoices"]
        assert _ok(http.get(f"/v1/invoices/{may}"))["total"] == 30000

        # Cancel on 05-20, inside the billed May: a credit note against May's invoice at once.
        _today(http, "2025-05-10")
        cancelled = _ok(http.post(f"{path}/cancel", json={"mode": "on_date", "date": "2025-05-20"}))
        assert cancelled["end_date"] == "2025-05-20" and cancelled["status"] == "in_termination"
        [note] = cancelled["documents"]
        assert note["type"] == "credit_note" and note["total"] == 12581
        assert note["invoice_id"] == may

        # The credit note is in the feed, in posting order, by cursor (one per page).
        feed: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(10):
            params: dict[str, Any] = {"limit": 1}
            if cursor:
                params["after"] = cursor
            page = _ok(http.get("/v1/credit-notes", params=params))
            feed.extend(page["data"])
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert [(n["total"], n["number"]) for n in feed][-1][0] == 12581
        assert [n["total"] for n in feed] == [13333, 10000, 12581]
        assert feed[-1]["id"] == note["id"] and feed[-1]["invoice_id"] == may
        assert feed[-1]["customer_id"] == customer["id"]

        # Undo: the days come back as a new charge; nothing posted is edited.
        undone = _ok(http.delete(f"{path}/cancel"))
        assert undone["end_date"] is None and undone["status"] == "active"
        assert _documents(undone) == [("invoice", 12581)]
        assert _bill(http, "2025-05-02")["invoices"] == []

        # Bill again: June.
        _today(http, "2025-06-02")
        run = _bill(http, "2025-06-02")
        [june] = run["invoices"]
        assert _ok(http.get(f"/v1/invoices/{june}"))["total"] == 30000

        ledger = _ok(http.get(f"{path}/ledger"))
        assert ledger["balance"] == 21667 + 30000 + 30000
        assert sum(e["amount"] for e in ledger["data"]) == ledger["balance"]
        invoices = _ok(http.get("/v1/invoices", params={"subscription_id": sub["id"]}))["data"]
        assert [i["total"] for i in invoices] == [20000, 20000, 5000, 30000, 12581, 30000]
        timeline = _ok(http.get(f"{path}/timeline"))
        assert [e["type"] for e in timeline["events"]][0] == "started"
        assert len(timeline["events"]) == 6  # started, licences, pause, resume, cancel, undo
        assert _ok(http.get(path))["version"] == 6


def test_serve_creates_and_migrates_its_own_sqlite_file(
    tmp_path: Path, serve: Callable[..., Server]
) -> None:
    """On a fresh machine: no configuration, no database file; ``billing serve`` makes one."""
    workdir = tmp_path / "fresh"
    workdir.mkdir()
    server = serve(None, cwd=workdir)
    db_file = workdir / "billing.sqlite3"
    assert db_file.exists()
    with server.client() as http:
        customer = _ok(http.post("/v1/customers", json={"name": "Ny AB", "currency": "NOK"}), 201)
        assert _ok(http.get(f"/v1/customers/{customer['id']}"))["currency"] == "NOK"
    engine = create_engine(f"sqlite:///{db_file}")
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
