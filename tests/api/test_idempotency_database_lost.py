"""An ``Idempotency-Key`` whose outcome cannot be stored because the database went away just
then (both databases; the database's loss is simulated at the one write that stores it, the
real PostgreSQL stop is ``test_database_restart.py``'s): the request is answered 503 and a
retry with the same key replays the answer, or runs, never ``idempotency_in_progress``."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from billing.http import idempotency
from tests.conftest import Api


def _lost_once(monkeypatch: pytest.MonkeyPatch, key: str) -> list[int]:
    """The first store of ``key``'s outcome fails as a lost connection; returns the statuses
    each store of it was asked to write."""
    real = idempotency.store
    asked: list[int] = []

    def store(*args: Any, **kwargs: Any) -> None:
        if args[2] == key:
            asked.append(kwargs["status"])
            if len(asked) == 1:
                raise OperationalError("UPDATE", {}, Exception("server closed the connection"))
        real(*args, **kwargs)

    monkeypatch.setattr(idempotency, "store", store)
    return asked


def _named(api: Api, name: str) -> list[str]:
    engine = api.client.app.state.engine
    with engine.connect() as conn:
        return list(
            conn.execute(text("SELECT id FROM customers WHERE name = :n"), {"n": name}).scalars()
        )


def test_an_answer_lost_with_the_database_is_replayed(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _lost_once(monkeypatch, "lost-answer")
    body, key = {"name": "Lost Answer AB", "currency": "SEK"}, {"Idempotency-Key": "lost-answer"}
    r = api.post("/v1/customers", body, headers=key)
    assert r.status_code == 503 and r.json()["code"] == "database_unavailable", r.text
    (stored,) = _named(api, "Lost Answer AB")  # the work was committed before
    again = api.post("/v1/customers", body, headers=key)
    assert again.status_code == 201, again.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["id"] == stored
    assert _named(api, "Lost Answer AB") == [stored]
    assert asked == [201, 201]  # kept, then written by the retry's own request first


def test_a_release_lost_with_the_database_is_done_by_the_next_request(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The route's own work fails with the lost database (503, nothing written), and so does
    the release of its key: the next request of the process releases it, the retry runs."""
    from billing.customers.service import create_customer as real

    asked = _lost_once(monkeypatch, "lost-release")

    def lost(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr("billing.http.routers.customers.create_customer", lost)
    body = {"name": "Lost Release AB", "currency": "SEK"}
    key = {"Idempotency-Key": "lost-release"}
    r = api.post("/v1/customers", body, headers=key)
    assert r.status_code == 503 and r.json()["code"] == "database_unavailable", r.text
    assert _named(api, "Lost Release AB") == []
    monkeypatch.setattr("billing.http.routers.customers.create_customer", real)
    # Another request (a read, no key) settles what was kept: the key is released.
    assert api.get("/v1/customers").status_code == 200
    assert asked == [503, 503]
    again = api.post("/v1/customers", body, headers=key)
    assert again.status_code == 201, again.text
    assert "Idempotent-Replayed" not in again.headers
    assert _named(api, "Lost Release AB") == [again.json()["id"]]
