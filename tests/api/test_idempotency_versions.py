"""Idempotency-Key replays, If-Match versions with ETags, and the test clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.api.helpers import (
    api_key,
    assert_problem,
    cancel,
    counts,
    ok,
    setup,
    state,
    sub_path,
)
from tests.conftest import Api, add_test_seller


def keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


def test_same_key_and_body_replays_and_changes_nothing(api: Api) -> None:
    body = {"name": "Acme AB", "currency": "SEK"}
    first = api.post("/v1/customers", body, headers=keyed("k-1"))
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    before = counts(api)
    again = api.post("/v1/customers", body, headers=keyed("k-1"))
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert counts(api) == before

    before = state(api)
    r = api.post("/v1/customers", {**body, "name": "Other AB"}, headers=keyed("k-1"))
    assert_problem(r, 422, "idempotency_conflict")
    # The same key on another path is another request too.
    r = api.post("/v1/plans", body, headers=keyed("k-1"))
    assert_problem(r, 422, "idempotency_conflict")
    assert state(api) == before

    # Keys are the caller's own: another token with the same key makes a new customer.
    other = api_key(api, "staff")
    second = other.post("/v1/customers", body, headers=keyed("k-1"))
    assert second.status_code == 201 and second.json()["id"] != first.json()["id"]
    assert counts(api)["customers"] == before["counts"]["customers"] + 1


def test_replayed_cancel_and_bill_run_post_nothing_twice(api: Api) -> None:
    sub = setup(api, today="2025-04-03", start="2025-04-02")
    run = api.post("/v1/bill-runs", {"as_of": "2025-04-02"}, headers=keyed("run-0402"))
    assert len(run.json()["invoices"]) == 1
    replay = api.post("/v1/bill-runs", {"as_of": "2025-04-02"}, headers=keyed("run-0402"))
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == run.json()
    assert counts(api)["bill_runs"] == 1

    body = {"mode": "on_date", "date": "2025-04-05"}
    first = api.post(sub_path(sub, "/cancel"), body, headers=keyed("cancel-1"))
    assert first.status_code == 200 and first.json()["documents"][0]["total"] == 22495
    before = state(api, sub)
    again = api.post(sub_path(sub, "/cancel"), body, headers=keyed("cancel-1"))
    assert (again.status_code, again.json()) == (200, first.json())
    assert again.headers["idempotent-replayed"] == "true"
    assert state(api, sub) == before
    r = api.post(
        sub_path(sub, "/cancel"), {**body, "date": "2025-04-06"}, headers=keyed("cancel-1")
    )
    assert_problem(r, 422, "idempotency_conflict")
    assert state(api, sub) == before


def test_an_error_is_replayed_too(api: Api) -> None:
    body = {"name": "Acme AB", "currency": "XXX"}
    first = api.post("/v1/customers", body, headers=keyed("bad-1"))
    assert_problem(first, 422, "validation_error")
    again = api.post("/v1/customers", body, headers=keyed("bad-1"))
    assert_problem(again, 422, "validation_error")
    assert again.headers["idempotent-replayed"] == "true"
    assert counts(api)["customers"] == 0
    assert_problem(api.post("/v1/customers", body, headers=keyed("x" * 256)), 422)


def test_if_match_stale_version_is_412_and_etag_follows(api: Api) -> None:
    sub = setup(api, today="2025-04-03", start="2025-04-02")
    r = api.get(sub_path(sub))
    assert r.headers["etag"] == '"1"'

    r = api.post(sub_path(sub, "/cancel"), {"mode": "end_of_period"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.headers["etag"] == '"2"'
    assert r.json()["version"] == 2
    before = state(api, sub)
    for method, suffix, body in (
        ("POST", "/cancel", {"mode": "on_date", "date": "2025-06-01"}),
        ("DELETE", "/cancel", None),
        ("POST", "/pause", {"start_date": "2025-04-20"}),
        ("POST", "/resume", {"date": "2025-04-25"}),
        ("POST", "/changes", {"effective_date": "2025-04-20", "quantity": 2}),
    ):
        r = api.client.request(
            method, sub_path(sub, suffix), json=body, headers=api.headers({"If-Match": "1"})
        )
        assert_problem(r, 412, "version_conflict")
    r = api.post(
        sub_path(sub, "/changes"),
        {"effective_date": "2025-04-20", "quantity": 2},
        headers={"If-Match": "abc"},
    )
    assert_problem(r, 422, "validation_error")
    assert state(api, sub) == before

    r = api.delete(sub_path(sub, "/cancel"), headers={"If-Match": 'W/"2"'})
    assert r.status_code == 200 and r.headers["etag"] == '"3"'
    # One change request is one version step, however many attributes it sets.
    r = api.post(
        sub_path(sub, "/changes"),
        {"effective_date": "2025-05-02", "quantity": 2, "unit_amount": 30000},
        headers={"If-Match": "3"},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["version"], r.headers["etag"]) == (4, '"4"')
    assert api.get(sub_path(sub)).headers["etag"] == '"4"'


def test_statuses_follow_the_test_clock_both_ways(api: Api) -> None:
    sub = setup(api, today="2025-04-01", start="2025-04-02")

    def status_on(day: str) -> str:
        api.today(day)
        assert ok(api.get("/v1/test-clock")) == {"today": day}
        got = ok(api.get(sub_path(sub)))
        [listed] = ok(api.get("/v1/subscriptions"))["data"]
        assert listed["status"] == got["status"]
        return str(got["status"])

    assert status_on("2025-04-01") == "pending"
    assert status_on("2025-04-02") == "active"
    cancel(api, sub, mode="on_date", date="2025-06-15")
    assert [status_on(d) for d in ("2025-06-14", "2025-06-15", "2026-01-01")] == [
        "in_termination",
        "terminated",
        "terminated",
    ]
    # Backwards: the clock may go back, and statuses follow it.
    assert [status_on(d) for d in ("2025-06-14", "2025-04-01", "2025-05-01")] == [
        "in_termination",
        "pending",
        "in_termination",
    ]
    # "immediately" and "end_of_period" read the clock too.
    moved = cancel(api, sub, mode="end_of_period")
    assert moved["end_date"] == "2025-05-02"
    assert cancel(api, sub, mode="immediately")["end_date"] == "2025-05-01"
    assert_problem(api.as_token("nope").put("/v1/test-clock", {"today": "2025-01-01"}), 401)
    integration = api_key(api, "integration")
    assert_problem(integration.put("/v1/test-clock", {"today": "2025-01-01"}), 403, "forbidden")
    assert_problem(api.put("/v1/test-clock", {"today": "2025-02-30"}), 422, "validation_error")
    assert ok(api.get("/v1/test-clock")) == {"today": "2025-05-01"}


def test_test_clock_is_404_when_off(make_app: Callable[..., Any]) -> None:
    with TestClient(make_app(test_clock=False)) as client:
        api = Api(client)
        add_test_seller(api)
        assert_problem(api.put("/v1/test-clock", {"today": "2025-04-02"}), 404, "not_found")
        assert_problem(api.get("/v1/test-clock"), 404, "not_found")
        # Today is the real date: a subscription that started long ago is active.
        cust = api.customer()
        sub = api.subscription(cust, api.plan(), start_date="2020-01-01")
        assert sub["status"] == "active"
