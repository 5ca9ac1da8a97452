"""Customers, plans and subscriptions: create, get, and list by cursor."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import CONTRACT, assert_problem, ok, setup, sub_path
from tests.conftest import Api


def walk(api: Api, path: str, limit: int) -> list[str]:
    """Every id of a list, page by page; asserts pages are full until the last."""
    ids: list[str] = []
    after: str | None = None
    while True:
        params: dict[str, Any] = {"limit": limit}
        if after is not None:
            params["after"] = after
        page = ok(api.get(path, params=params))
        assert len(page["data"]) <= limit
        ids += [row["id"] for row in page["data"]]
        after = page["next_cursor"]
        if after is None:
            return ids
        assert len(page["data"]) == limit


def test_customer_create_get_and_list_by_cursor(api: Api) -> None:
    made = api.customer(
        name="Nordlys AS",
        currency="NOK",
        locale="nb_NO",
        timezone="Europe/Oslo",
        external_ref="crm-17",
    )
    assert made["id"].startswith("cus_")
    assert {k: made[k] for k in ("name", "currency", "locale", "timezone", "external_ref")} == {
        "name": "Nordlys AS",
        "currency": "NOK",
        "locale": "nb_NO",
        "timezone": "Europe/Oslo",
        "external_ref": "crm-17",
    }
    default = api.customer(name="Acme AB")
    assert (default["locale"], default["timezone"], default["external_ref"]) == (
        "sv_SE",
        "Europe/Stockholm",
        None,
    )
    assert ok(api.get(f"/v1/customers/{made['id']}")) == made
    more = [api.customer(name=f"C{i}")["id"] for i in range(3)]

    everyone = sorted([made["id"], default["id"], *more])
    for limit in (1, 2, 5, 100):
        assert walk(api, "/v1/customers", limit) == everyone
    assert_problem(api.get("/v1/customers/cus_nope"), 404, "not_found")


def test_plan_create_get_and_list_by_cursor(api: Api) -> None:
    plan = api.plan(
        code="lic-36",
        name="Licence",
        unit_amount=49900,
        interval="quarter",
        billing_timing="in_arrears",
        setup_fee_amount=100000,
        min_unit_amount=42900,
        contract=CONTRACT,
    )
    assert plan["id"].startswith("plan_")
    assert plan["interval_months"] == 3
    assert (plan["unit_amount"], plan["setup_fee_amount"], plan["min_unit_amount"]) == (
        49900,
        100000,
        42900,
    )
    assert plan["billing_timing"] == "in_arrears"
    assert plan["contract"]["term_months"] == 36
    assert plan["contract"]["notice_months"] == 6
    assert ok(api.get(f"/v1/plans/{plan['id']}")) == plan
    yearly = api.plan(interval="year")
    assert (yearly["interval_months"], yearly["billing_timing"]) == (12, "in_advance")
    every_2 = api.plan(interval="month", interval_count=2)
    assert every_2["interval_months"] == 2

    everyone = sorted([plan["id"], yearly["id"], every_2["id"]])
    for limit in (1, 2, 3):
        assert walk(api, "/v1/plans", limit) == everyone
    assert_problem(api.get("/v1/plans/plan_nope"), 404, "not_found")


def test_subscription_create_get_and_list_by_cursor(api: Api) -> None:
    sub = setup(api, today="2025-04-01", start="2025-04-02", unit_amount=24995, sub={"quantity": 3})
    assert sub["id"].startswith("sub_")
    assert {
        k: sub[k]
        for k in (
            "status",
            "quantity",
            "unit_amount",
            "currency",
            "start_date",
            "end_date",
            "current_period",
            "version",
            "billing_anchor_day",
        )
    } == {
        "status": "pending",
        "quantity": 3,
        "unit_amount": 24995,
        "currency": "SEK",
        "start_date": "2025-04-02",
        "end_date": None,
        "current_period": {"start": "2025-04-02", "end": "2025-05-02"},
        "version": 1,
        "billing_anchor_day": 2,
    }
    r = api.get(sub_path(sub))
    got = ok(r)
    assert r.headers["etag"] == '"1"'
    for k in ("id", "customer_id", "plan_id", "status", "quantity", "unit_amount", "version"):
        assert got[k] == sub[k]

    # Another customer with a subscription on its own price and anchor day.
    other = api.customer(name="Other AB")
    plan = api.plan(unit_amount=10000)
    sub2 = api.subscription(
        other, plan, start_date="2025-01-31", unit_amount=9000, billing_anchor_day=31
    )
    assert (sub2["unit_amount"], sub2["billing_anchor_day"], sub2["status"]) == (
        9000,
        31,
        "active",
    )
    # Anchored on the 31st: the period containing 04-01 is [03-31, 04-30).
    assert sub2["current_period"] == {"start": "2025-03-31", "end": "2025-04-30"}
    extra = [api.subscription(other, plan, start_date="2025-05-01")["id"] for _ in range(2)]

    everyone = sorted([sub["id"], sub2["id"], *extra])
    for limit in (1, 3, 10):
        assert walk(api, "/v1/subscriptions", limit) == everyone
    page = ok(api.get("/v1/subscriptions", params={"customer_id": other["id"]}))
    assert sorted(s["id"] for s in page["data"]) == sorted([sub2["id"], *extra])
    assert_problem(api.get(sub_path("sub_nope")), 404, "not_found")


def test_subscription_anchor_day_off_start_bills_the_served_part(api: Api) -> None:
    # Start 04-10 anchored on the 1st: the first period is the served part [04-10, 05-01)
    # of [04-01, 05-01) (30 days): R(30000 * 21 / 30) = 21000.
    sub = setup(
        api,
        today="2025-04-10",
        start="2025-04-10",
        unit_amount=30000,
        sub={"billing_anchor_day": 1},
    )
    assert sub["current_period"] == {"start": "2025-04-10", "end": "2025-05-01"}
    run = ok(api.post("/v1/bill-runs", {"as_of": "2025-05-01"}), 201)
    assert len(run["invoices"]) == 1
    invoice = ok(api.get(f"/v1/invoices/{run['invoices'][0]}"))
    assert [(ln["service_start"], ln["service_end"], ln["amount"]) for ln in invoice["lines"]] == [
        ("2025-04-10", "2025-05-01", 21000),
        ("2025-05-01", "2025-06-01", 30000),
    ]
    assert invoice["total"] == 51000
