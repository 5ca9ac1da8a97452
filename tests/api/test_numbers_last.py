"""API writes take their numbers last (billing.storage.numbering): while a write does its work
no counter row is locked, so other writers do not queue behind it; numbers stay gapless.

PostgreSQL only for the lock itself (SQLite's one writer lock serializes every write anyway).
At the moment a change, a cancellation and an undo have done all their work (documents,
entries, credit, tasks) and are about to take their numbers, another connection locks every
counter row with ``NOWAIT``: before numbers last, the feed's counter was locked from the
first event (and the documents' from the posting), and this failed at once.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text

from billing.storage import numbering
from tests.conftest import Api, Database


def _spy_on_settle(monkeypatch: pytest.MonkeyPatch, url: str) -> list[list[str]]:
    """At each transaction's first settle with numbers pending: the counter rows another
    connection could lock without waiting (all of them, if no counter is held)."""
    seen: list[list[str]] = []
    real = numbering.settle
    other = create_engine(url)

    checked: list[Any] = []  # the transactions checked, kept (an id of a freed one is reused)

    def settle(session: Any) -> None:
        # the first settle of each transaction: later ones find the counters its own
        transaction = session.get_transaction()
        if session.info.get("numbers_later") and not any(t is transaction for t in checked):
            checked.append(transaction)
            session.flush()
            with other.connect() as conn:
                conn.execute(text("SET lock_timeout = '100ms'"))
                rows = conn.execute(
                    text("SELECT series FROM document_counters ORDER BY series FOR UPDATE NOWAIT")
                )
                seen.append([r[0] for r in rows])
                conn.rollback()
        real(session)

    monkeypatch.setattr(numbering, "settle", settle)
    return seen


def test_no_counter_is_locked_while_a_write_works(
    api: Api, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database.kind != "postgres":
        pytest.skip("the counter lock is PostgreSQL's (SQLite has one writer lock)")
    api.today("2025-04-01")
    sub = api.subscription(api.customer(), api.plan(unit_amount=24995), start_date="2025-04-01")
    assert api.post("/v1/bill-runs", {"as_of": "2025-04-01"}).status_code == 201
    api.today("2025-04-11")
    seen = _spy_on_settle(monkeypatch, database.url)
    sid = sub["id"]
    change = {"effective_date": "2025-04-11", "quantity": 3, "proration": "by_day"}
    r = api.post(f"/v1/subscriptions/{sid}/changes", change)
    assert r.status_code == 200, r.text
    documents = r.json()["documents"]
    assert documents and all(d["number"].startswith(("INV-", "CN-")) for d in documents)
    r = api.post(f"/v1/subscriptions/{sid}/cancel", {"mode": "on_date", "date": "2025-04-20"})
    assert r.status_code == 200, r.text
    r = api.delete(f"/v1/subscriptions/{sid}/cancel")
    assert r.status_code == 200, r.text
    assert len(seen) >= 3
    assert all("EVT" in s and "INV" in s and "CN" in s for s in seen), seen
    # and the numbers are still gapless, in the order the writes committed
    events = api.get("/v1/events", params={"limit": 200}).json()["data"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    numbers = sorted(
        int(e["data"]["number"].split("-")[-1])
        for e in events
        if e["type"] == "invoice.issued" and e["data"]["number"].startswith("INV-")
    )
    assert numbers == list(range(1, len(numbers) + 1))
    assert not any("~" in str(e["data"]) for e in events), "a provisional number leaked"
