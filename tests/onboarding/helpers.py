"""Helpers for the onboarding tests: set-up, the flow, the feed and "nothing changed"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.conftest import Api
from tests.lifecycle.helpers import assert_problem, ok, run_scheduler, sub_path

TABLES = ("subscriptions", "onboardings", "onboarding_events", "tasks", "events")


def flow(api: Api, sub: dict[str, Any]) -> dict[str, Any]:
    return ok(api.get(sub_path(sub, "/onboarding")))  # type: ignore[no-any-return]


def act(api: Api, sub: dict[str, Any], action: str, body: Any = None) -> dict[str, Any]:
    return ok(api.post(sub_path(sub, f"/onboarding/{action}"), body))  # type: ignore[no-any-return]


def on(api: Api, day: str) -> dict[str, Any]:
    """Set the test clock to ``day`` and run the scheduler."""
    api.today(day)
    return run_scheduler(api)


def state(api: Api) -> dict[str, list[tuple[Any, ...]]]:
    engine = api.client.app.state.engine
    with engine.connect() as conn:
        return {
            t: [tuple(row) for row in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))]
            for t in TABLES
        }


def refused(
    api: Api, sub: dict[str, Any], action: str, body: Any, status: int, code: str
) -> dict[str, Any]:
    """The action is refused with ``code`` and nothing changed anywhere."""
    before = state(api)
    problem = assert_problem(api.post(sub_path(sub, f"/onboarding/{action}"), body), status, code)
    assert state(api) == before
    return problem


def feed(api: Api, sub: dict[str, Any], prefix: tuple[str, ...] = ("onboarding.", "task.")) -> Any:
    """The subscription's onboarding and task events in the feed, in order."""
    rows = ok(api.get("/v1/events", params={"limit": 1000}))["data"]
    return [e for e in rows if e["subscription_id"] == sub["id"] and e["type"].startswith(prefix)]


def stages(events: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [
        (e["data"]["from"], e["data"]["to"], e["data"]["on"])
        for e in events
        if e["type"] == "onboarding.stage_changed"
    ]


def setup(api: Api, start_date: str, today: str = "2025-01-10") -> dict[str, Any]:
    api.today(today)
    customer = api.customer(name="Vårdcentralen Norr AB", timezone="Europe/Stockholm")
    plan = api.plan(code="assist", name="Assist", unit_amount=49900)
    return api.subscription(customer, plan, start_date=start_date)  # type: ignore[no-any-return]
