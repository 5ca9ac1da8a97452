"""The batch API's storage on both databases: properties that COPY's text format must escape
(backslashes, tabs, line breaks) are stored as sent, and the idempotency check over a whole
batch of stored ids (one query) finds them again as the same content."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from billing.storage.models import UsageEvent
from tests.api.helpers import assert_problem, counts, ok, setup
from tests.conftest import Api

METRIC = {"code": "logins", "name": "Logins", "aggregation": "unique_count", "property": "user"}


def event(sub: dict[str, Any], n: int, **props: Any) -> dict[str, Any]:
    return {"id": f"ev-{n}", "subscription_id": sub["id"], "metric": "logins",
            "occurred_at": "2025-04-03T09:30:00+02:00",
            "properties": {"user": f"u{n}", **props}}  # fmt: skip


def test_escaped_properties_are_stored_as_sent_and_retried_batches_are_duplicates(api: Api) -> None:
    sub = setup(api, today="2025-04-10", start="2025-04-02", metrics=[METRIC])
    odd = {"path": "C:\\temp\\x", "note": "a\tb\nc", "quote": 'say "hi"', "count": 3, "flag": True}
    batch = [event(sub, i) for i in range(600)] + [event(sub, 600, **odd)]
    batch += [{**event(sub, 601), "properties": None}, {**event(sub, 602), "quantity": 0}]
    out = ok(api.post("/v1/usage-events", {"events": batch}), 201)
    assert (out["recorded"], out["duplicates"]) == (603, 0)
    with api.client.app.state.engine.connect() as conn:
        stored = {r.id: r for r in conn.execute(select(UsageEvent.__table__))}
    assert stored["ev-600"].properties == {"user": "u600", **odd}
    assert stored["ev-601"].properties is None
    assert stored["ev-602"].quantity == 0
    before = counts(api)
    again = ok(api.post("/v1/usage-events", {"events": batch}), 201)
    assert (again["recorded"], again["duplicates"]) == (0, 603)
    changed = [*batch[:599], {**batch[599], "quantity": 2}, *batch[600:]]
    body = assert_problem(api.post("/v1/usage-events", {"events": changed}), 409,
                          "usage_events_refused")  # fmt: skip
    assert [(x["index"], x["id"], x["code"]) for x in body["refused"]] == [
        (599, "ev-599", "idempotency_conflict")
    ]
    assert counts(api) == before
