"""A change takes the feed's counter (held until commit) only once its difference is derived.

Announcing an event takes the ``EVT`` counter, which every other writer then queues on until
this transaction commits (billing.events.service). A change used to announce its events as it
appended them and so held the counter through the derivation of its difference; now the
events are announced after the derivation, still before the documents they caused.
"""

from __future__ import annotations

from typing import Any

import pytest

from billing.domain.ledger import difference as real_difference
from billing.events.service import emit as real_emit
from tests.conftest import Api


def _spied(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def difference(*args: Any, **kwargs: Any) -> Any:
        calls.append("derive")
        return real_difference(*args, **kwargs)

    def emit(*args: Any, **kwargs: Any) -> Any:
        calls.append(f"announce {args[1]}")
        return real_emit(*args, **kwargs)

    monkeypatch.setattr("billing.subscriptions.recording.difference", difference)
    monkeypatch.setattr("billing.subscriptions.recording.emit", emit)
    return calls


def _billed(api: Api) -> str:
    api.today("2025-04-01")
    sub = api.subscription(api.customer(), api.plan(unit_amount=24995), start_date="2025-04-01")
    assert api.post("/v1/bill-runs", {"as_of": "2025-04-01"}).status_code == 201
    api.today("2025-04-11")
    return str(sub["id"])


def test_a_change_announces_after_deriving_and_before_its_documents(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = _billed(api)
    calls = _spied(monkeypatch)
    body = {"effective_date": "2025-04-11", "quantity": 3, "proration": "by_day"}
    r = api.post(f"/v1/subscriptions/{sid}/changes", body)
    assert r.status_code == 200, r.text
    assert r.json()["documents"], "the change posts a difference"
    assert calls == ["derive", "announce subscription.quantity_changed"]
    types = [
        e["type"]
        for e in api.get("/v1/events", params={"limit": 100}).json()["data"]
        if e["subscription_id"] == sid
    ]
    # the event before the documents it caused, as before
    i = types.index("subscription.quantity_changed")
    assert i < len(types) - 1 and all(t.endswith(".issued") for t in types[i + 1 :]), types


def test_a_change_that_posts_nothing_is_announced_all_the_same(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = _billed(api)
    calls = _spied(monkeypatch)
    # from the next period on: nothing billed yet is touched, nothing is posted
    body = {"effective_date": "2025-05-01", "quantity": 2, "proration": "by_day"}
    r = api.post(f"/v1/subscriptions/{sid}/changes", body)
    assert r.status_code == 200, r.text
    assert r.json()["documents"] == []
    assert calls == ["derive", "announce subscription.quantity_changed"]
    seen = api.get("/v1/events", params={"limit": 100}).json()["data"]
    assert [e["type"] for e in seen if e["subscription_id"] == sid][-1] == (
        "subscription.quantity_changed"
    )
