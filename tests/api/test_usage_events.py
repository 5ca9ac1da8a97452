"""POST /v1/usage-events: one or a batch, idempotent by the client's id, refused per event with a
code naming the rule, all or nothing unless ``?partial=true`` (on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import assert_problem, counts, ok, setup, sub_path
from tests.conftest import Api

HEALTH = {"code": "health_checks", "name": "Hälsokontroller", "reset": "contract_year",
          "included": 25, "unit_amount": 45_000, "tax_category": "exempt"}  # fmt: skip
DIGITAL = {"code": "digital_logins", "name": "Aktivitet i digital", "aggregation": "unique_count",
           "property": "user_id"}  # fmt: skip


def licence(api: Api, **sub: Any) -> dict[str, Any]:
    return setup(api, today="2025-04-10", start="2025-04-02", metrics=[HEALTH, DIGITAL],
                 billing_timing="in_arrears", sub=sub or None)  # fmt: skip


def event(sub: dict[str, Any], n: int, **kw: Any) -> dict[str, Any]:
    body = {"id": f"hc-{n}", "subscription_id": sub["id"], "metric": "health_checks",
            "occurred_at": "2025-04-03T09:30:00+02:00"}  # fmt: skip
    body.update(kw)
    return body


def test_one_event_is_idempotent_by_its_id(api: Api) -> None:
    sub = licence(api)
    out = ok(api.post("/v1/usage-events", event(sub, 1)), 201)
    assert (out["recorded"], out["duplicates"], out["ids"]) == (1, 0, ["hc-1"])
    before = counts(api)
    again = ok(api.post("/v1/usage-events", event(sub, 1)), 201)
    assert (again["recorded"], again["duplicates"]) == (0, 1)
    # The same instant written in another offset is the same content.
    ok(api.post("/v1/usage-events", event(sub, 1, occurred_at="2025-04-03T07:30:00Z")), 201)
    r = api.post("/v1/usage-events", event(sub, 1, quantity=2))
    body = assert_problem(r, 409, "idempotency_conflict")
    assert "hc-1" in body["detail"]
    assert counts(api) == before


def test_a_batch_is_all_or_nothing_with_a_problem_per_event(api: Api) -> None:
    sub = licence(api)
    before = counts(api)
    batch = [event(sub, 1), event(sub, 2, metric="no_such"), event(sub, 3, quantity=1.5),
             event(sub, 4, occurred_at="2025-04-03T09:30:00"), event(sub, 5, quantity=-1),
             event(sub, 6, quantity="2"), event(sub, 7, subscription_id="sub_nope"),
             event(sub, 8, occurred_at="2200-01-02T00:00:00Z")]  # fmt: skip
    r = api.post("/v1/usage-events", {"events": batch})
    body = assert_problem(r, 422, "usage_events_refused")
    assert [(x["index"], x["id"], x["code"]) for x in body["refused"]] == [
        (1, "hc-2", "unknown_metric"),
        (2, "hc-3", "validation_error"),
        (3, "hc-4", "validation_error"),
        (4, "hc-5", "validation_error"),
        (5, "hc-6", "validation_error"),
        (6, "hc-7", "unknown_subscription"),
        (7, "hc-8", "validation_error"),
    ]
    assert counts(api) == before
    out = ok(api.post("/v1/usage-events?partial=true", {"events": batch}), 201)
    assert (out["recorded"], out["ids"], len(out["refused"])) == (1, ["hc-1"], 7)


def test_days_not_served_are_refused(api: Api) -> None:
    sub = licence(api)
    ok(api.post(sub_path(sub, "/pause"), {"start_date": "2025-04-05", "resume_date": "2025-04-08"}))
    ok(api.post(sub_path(sub, "/cancel"), {"mode": "on_date", "date": "2025-04-20"}))
    cases = {
        "usage_before_start": "2025-04-01T12:00:00+02:00",
        # 2025-04-04 23:30 UTC is already the 5th in Stockholm: paused
        "usage_in_pause": "2025-04-04T23:30:00Z",
        "usage_after_end": "2025-04-20T00:00:00+02:00",
    }
    for i, (code, moment) in enumerate(cases.items()):
        assert_problem(api.post("/v1/usage-events", event(sub, i, occurred_at=moment)), 422, code)
    ok(api.post("/v1/usage-events", event(sub, 9, occurred_at="2025-04-19T23:59:00+02:00")), 201)


def test_within_a_batch_a_repeated_id_must_repeat_its_content(api: Api) -> None:
    sub = licence(api)
    r = api.post("/v1/usage-events", {"events": [event(sub, 1), event(sub, 1, quantity=3)]})
    body = assert_problem(r, 409, "usage_events_refused")
    assert [x["code"] for x in body["refused"]] == ["idempotency_conflict"]
    out = ok(api.post("/v1/usage-events", {"events": [event(sub, 1), event(sub, 1)]}), 201)
    assert (out["recorded"], out["duplicates"]) == (1, 1)


def test_batches_are_bounded(api: Api) -> None:
    sub = licence(api)
    events = [event(sub, i) for i in range(1001)]
    assert_problem(api.post("/v1/usage-events", {"events": events}), 422, "usage_batch_too_large")
    assert_problem(api.post("/v1/usage-events", {"events": []}), 422, "validation_error")
    r = api.post("/v1/usage-events", {"events": events[:1], "partial": True})  # a query flag
    assert_problem(r, 422, "validation_error")
    out = ok(api.post("/v1/usage-events", {"events": events[:1000]}), 201)
    assert out["recorded"] == 1000


@pytest.mark.parametrize("role", ["integration", "portal"])
def test_who_may_report_usage(api: Api, role: str) -> None:
    sub = licence(api)
    scope = {"customer_id": sub["customer_id"]} if role == "portal" else {}
    key = ok(api.post("/v1/api-keys", {"role": role, **scope}), 201)
    caller = api.as_token(key["token"])
    r = caller.post("/v1/usage-events", event(sub, 1))
    if role == "portal":  # a customer does not report its own billable usage
        assert_problem(r, 403, "forbidden")
    else:
        assert ok(r, 201)["recorded"] == 1


def test_the_plan_refuses_metrics_it_could_not_bill(api: Api) -> None:
    bad = {**DIGITAL, "code": "x", "tiers": [{"up_to": None, "unit_amount": 1}],
           "tier_mode": "volume", "reset": "contract_year", "aggregation": "count",
           "property": None}  # fmt: skip
    plan = {"name": "P", "currency": "SEK", "unit_amount": 1, "interval": "month"}
    r = api.post("/v1/plans", {**plan, "code": "p1", "metrics": [bad]})
    assert_problem(r, 422, "usage_volume_per_year")
    r = api.post("/v1/plans", {**plan, "code": "p2", "metrics": [{**DIGITAL, "property": None}]})
    assert_problem(r, 422, "invalid_metric")


def test_usage_that_could_pass_the_period_bound_is_refused(api: Api) -> None:
    """A usage line is at most 10^13 minor units: at 10^12 a unit, 10 units fit, 11 do not."""
    costly = {"code": "minutes", "name": "Minutes", "aggregation": "sum",
              "unit_amount": 10**12}  # fmt: skip
    sub = setup(api, today="2025-04-10", start="2025-04-02", metrics=[costly])
    minutes = {"metric": "minutes", "occurred_at": "2025-04-03T09:30:00+02:00"}
    assert_problem(api.post("/v1/usage-events", event(sub, 1, quantity=11, **minutes)), 422,
                   "amount_too_large")  # fmt: skip
    ok(api.post("/v1/usage-events", event(sub, 2, quantity=10, **minutes)), 201)
    before = counts(api)
    r = api.post("/v1/usage-events", event(sub, 3, quantity=1, **minutes))
    assert_problem(r, 422, "amount_too_large")
    assert counts(api) == before
    # Another month is another line: its own 10 units fit.
    may = {**minutes, "occurred_at": "2025-05-05T09:30:00+02:00"}
    ok(api.post("/v1/usage-events", event(sub, 4, quantity=10, **may)), 201)
