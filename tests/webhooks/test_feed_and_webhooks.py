"""The event feed and webhooks: ordered, never skipping or repeating, signed, retried with
backoff, nothing lost while a receiver is down."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from billing.clock import utcnow
from billing.webhooks import service as webhooks
from tests.conftest import Api


class Receiver:
    """A webhook receiver on loopback that can be switched down (503) and up."""

    def __init__(self) -> None:
        self.up = True
        self.received: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if not outer.up:
                    self.send_response(503)
                    self.end_headers()
                    return
                outer.received.append((dict(self.headers.items()), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Any:
    r = Receiver()
    yield r
    r.close()


def life(api: Api) -> dict[str, Any]:
    """A short subscription life that emits events of several kinds."""
    api.today("2025-04-02")
    sub = api.subscription(api.customer(), api.plan(unit_amount=24995), start_date="2025-04-02")
    assert api.post("/v1/bill-runs", {"as_of": "2025-04-02"}).status_code == 201
    r = api.post(f"/v1/subscriptions/{sub['id']}/cancel", {"mode": "on_date", "date": "2025-04-05"})
    assert r.status_code == 200, r.text
    assert api.delete(f"/v1/subscriptions/{sub['id']}/cancel").status_code == 200
    return sub


def all_events(api: Api, limit: int) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": limit} | ({"after": cursor} if cursor else {})
        page = api.get("/v1/events", params=params).json()
        seen += page["data"]
        if page["next_cursor"] is None:
            assert page["resume_cursor"] == (str(seen[-1]["seq"]) if seen else cursor)
            return seen
        cursor = page["next_cursor"]


def test_feed_is_ordered_and_pages_never_skip_or_repeat(api: Api) -> None:
    sub = life(api)
    events = all_events(api, limit=2)
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1))
    types = [e["type"] for e in events if e["subscription_id"] == sub["id"]]
    assert types == [
        "subscription.started",
        "invoice.issued",
        "subscription.cancellation_scheduled",
        "task.opened",
        "task.opened",
        "task.opened",
        "task.opened",
        "credit_note.issued",
        "subscription.cancellation_revoked",
        "task.cancelled",
        "task.cancelled",
        "task.cancelled",
        "task.cancelled",
        "invoice.issued",
    ]
    assert all_events(api, limit=100) == events
    credit = next(e for e in events if e["type"] == "credit_note.issued")
    assert credit["data"]["total"] == 22495 and credit["data"]["number"] == "CN-000001"


def test_portal_sees_only_its_customer_events(api: Api) -> None:
    sub = life(api)
    other = api.subscription(api.customer(name="Other AB"), api.plan(), start_date="2025-04-02")
    key = api.post("/v1/api-keys", {"role": "portal", "customer_id": sub["customer_id"]}).json()
    mine = api.as_token(key["token"]).get("/v1/events", params={"limit": 500}).json()["data"]
    assert mine and {e["customer_id"] for e in mine} == {sub["customer_id"]}
    assert other["id"] not in {e["subscription_id"] for e in mine}


def test_webhooks_deliver_signed_in_order_and_lose_nothing_while_the_receiver_is_down(
    api: Api, receiver: Receiver
) -> None:
    r = api.post("/v1/webhook-endpoints", {"url": receiver.url, "description": "ERP"})
    assert r.status_code == 201, r.text
    endpoint = r.json()
    secret = endpoint["secret"]
    factory = api.client.app.state.session_factory

    receiver.up = False
    life(api)
    now = utcnow()
    first = webhooks.dispatch(factory, now=now)
    assert first["sent"] == 0
    log = api.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries").json()["data"]
    assert [(d["status_code"], d["succeeded"], d["attempt"]) for d in log] == [(503, False, 1)]
    # Retried with backoff: not before 30 s, then 60 s after the second failure, …
    assert webhooks.dispatch(factory, now=now + timedelta(seconds=10))["sent"] == 0
    assert webhooks.dispatch(factory, now=now + timedelta(seconds=31))["sent"] == 0
    state = api.get(f"/v1/webhook-endpoints/{endpoint['id']}").json()
    assert state["failures"] == 2

    # An hour later the receiver is back: everything arrives, in order, exactly once.
    receiver.up = True
    later = now + timedelta(hours=1)
    sent = 0
    while True:
        batch = webhooks.dispatch(factory, now=later)["sent"]
        if not batch:
            break
        sent += batch
    events = all_events(api, limit=500)
    assert sent == len(events)
    bodies = [json.loads(body) for _, body in receiver.received]
    assert [b["seq"] for b in bodies] == [e["seq"] for e in events]
    for headers, body in receiver.received:
        assert webhooks.verify(secret, headers["Billing-Signature"], body)
        assert not webhooks.verify("whsec_wrong", headers["Billing-Signature"], body)
        assert headers["Billing-Event-Type"] == json.loads(body)["type"]
    # Nothing new: nothing sent again.
    assert webhooks.dispatch(factory, now=later)["sent"] == 0
    assert len(receiver.received) == len(events)


def test_endpoint_refusals_change_nothing(api: Api) -> None:
    before = api.get("/v1/webhook-endpoints").json()["data"]
    r = api.post("/v1/webhook-endpoints", {"url": "ftp://example.invalid/x"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_url"
    assert r.headers["content-type"].startswith("application/problem+json")
    key = api.post("/v1/api-keys", {"role": "integration"}).json()
    r = api.as_token(key["token"]).post("/v1/webhook-endpoints", {"url": "http://127.0.0.1:9/x"})
    assert r.status_code == 403
    assert api.get("/v1/webhook-endpoints").json()["data"] == before
