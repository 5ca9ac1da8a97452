"""Reading a feed as api/examples/README.md and docs/feeds-and-previews.md say: page until
``next_cursor`` is null, keep ``resume_cursor`` from every page, later pull again from it. New
documents and events arrive between polls (and some polls find nothing); the reader gets every
item exactly once, and the OpenAPI document describes ``resume_cursor`` on every feed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.helpers import api_key, bill, cancel, ok
from tests.conftest import Api


class Reader:
    """A feed consumer that stores only ``resume_cursor`` between polls."""

    def __init__(self, api: Api, path: str, limit: int) -> None:
        self.api, self.path, self.limit = api, path, limit
        self.cursor: str | None = None
        self.seen: list[dict[str, Any]] = []

    def poll(self) -> int:
        """Read to the end of the feed; how many items this poll got."""
        got = 0
        while True:
            params: dict[str, Any] = {"limit": self.limit}
            if self.cursor is not None:
                params["after"] = self.cursor
            page = ok(self.api.get(self.path, params=params))
            self.seen += page["data"]
            got += len(page["data"])
            assert len(page["data"]) <= self.limit
            if page["data"]:
                assert page["resume_cursor"] is not None
            else:
                assert page["resume_cursor"] == self.cursor
            self.cursor = page["resume_cursor"]
            if page["next_cursor"] is None:
                return got
            # A full page: the next one follows straight on from the same place.
            assert page["next_cursor"] == page["resume_cursor"]


def new_customer_cancelled(api: Api, plan: dict[str, Any], name: str) -> None:
    """A billed subscription cancelled mid-period: one invoice, one credit note, events."""
    sub = api.subscription(api.customer(name=name), plan, start_date="2025-04-02")
    bill(api, "2025-04-02")
    cancel(api, sub, mode="on_date", date="2025-04-10")


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_resuming_from_resume_cursor_gets_every_document_and_event_once(
    api: Api, limit: int
) -> None:
    api.today("2025-04-03")
    plan = api.plan(unit_amount=24995)
    integration = api_key(api, "integration")
    readers = [
        Reader(integration, "/v1/credit-notes", limit),
        Reader(integration, "/v1/invoices", limit),
        Reader(api, "/v1/events", limit),
    ]
    # The first poll of an empty document feed sends no cursor and gets none back.
    assert [r.poll() for r in readers[:2]] == [0, 0]
    assert [r.cursor for r in readers[:2]] == [None, None]
    for i in range(3):
        new_customer_cancelled(api, plan, f"First {i}")
    batches = [1, 0, 2, 0, 3]  # new cancelled subscriptions between polls (0: nothing new)
    got: list[list[int]] = [[r.poll() for r in readers]]
    for n, batch in enumerate(batches):
        for i in range(batch):
            new_customer_cancelled(api, plan, f"Batch {n}.{i}")
        got.append([r.poll() for r in readers])
    # Caught up and nothing new: polling again gets nothing and keeps the cursor.
    cursors = [r.cursor for r in readers]
    assert [r.poll() for r in readers] == [0, 0, 0]
    assert [r.cursor for r in readers] == cursors

    everything = [
        ok(api.get("/v1/credit-notes", params={"limit": 500}))["data"],
        ok(api.get("/v1/invoices", params={"limit": 500}))["data"],
        ok(api.get("/v1/events", params={"limit": 1000}))["data"],
    ]
    assert [len(e) for e in everything[:2]] == [9, 9]
    for reader, items in zip(readers, everything, strict=True):
        assert reader.seen == items, reader.path
        assert len({item["id"] for item in reader.seen}) == len(items)
    # Every poll after new documents got exactly those (one note, one invoice each).
    assert [g[0] for g in got] == [3, *batches]
    assert [g[1] for g in got] == [3, *batches]
    assert all(g[2] > 0 for g, b in zip(got[1:], batches, strict=True) if b)


def test_the_openapi_document_describes_resume_cursor_on_every_feed(
    make_app: Callable[..., Any],
) -> None:
    document = make_app().openapi()
    schemas = document["components"]["schemas"]
    for path in ("/v1/events", "/v1/credit-notes", "/v1/invoices", "/v1/refunds"):
        ref = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        name = ref["schema"]["$ref"].rsplit("/", 1)[-1]
        fields = schemas[name]["properties"]
        assert {"data", "next_cursor", "resume_cursor"} <= set(fields), path
        assert "exactly once" in fields["resume_cursor"]["description"], path
        assert "caught up" in fields["next_cursor"]["description"], path
