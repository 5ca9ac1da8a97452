"""Roles: staff does everything; integration reads documents and records payments; the portal
sees one customer and may cancel and undo within the rules; no or a wrong token is 401."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import (
    CONTRACT,
    api_key,
    assert_problem,
    bill,
    cancel,
    ok,
    state,
    sub_path,
    timeline,
)
from tests.conftest import Api


def two_customers(api: Api, **plan: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two customers' subscriptions (from 2025-04-02, today 2025-04-10), both billed once."""
    api.today("2025-04-10")
    p = api.plan(**plan)
    mine = api.subscription(api.customer(name="Mine AB"), p, start_date="2025-04-02")
    theirs = api.subscription(api.customer(name="Theirs AB"), p, start_date="2025-04-02")
    bill(api, "2025-04-02")
    return mine, theirs


def test_api_keys_are_made_by_staff_only(api: Api) -> None:
    cust = api.customer()
    r = api.post("/v1/api-keys", {"role": "portal", "customer_id": cust["id"]})
    key = ok(r, 201)
    assert (key["role"], key["customer_id"]) == ("portal", cust["id"])
    assert key["token"] and key["id"].startswith("key_")
    staff2 = api_key(api, "staff")
    assert ok(staff2.get("/v1/customers"))["data"][0]["id"] == cust["id"]

    before = state(api)
    assert_problem(api.post("/v1/api-keys", {"role": "portal"}), 404, "not_found")
    r = api.post("/v1/api-keys", {"role": "portal", "customer_id": "cus_nope"})
    assert_problem(r, 404, "not_found")
    r = api.post("/v1/api-keys", {"role": "integration", "customer_id": cust["id"]})
    assert_problem(r, 422, "validation_error")
    assert_problem(api.post("/v1/api-keys", {"role": "root"}), 422, "validation_error")
    assert state(api) == before
    integration = api_key(api, "integration")
    before = state(api)
    assert_problem(integration.post("/v1/api-keys", {"role": "staff"}), 403, "forbidden")
    portal = api.as_token(key["token"])
    r = portal.post("/v1/api-keys", {"role": "portal", "customer_id": cust["id"]})
    assert_problem(r, 403, "forbidden")
    assert state(api) == before


def test_missing_or_wrong_token_is_401(api: Api) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer "},
    ):
        for method, path in (
            ("GET", "/v1/customers"),
            ("POST", "/v1/customers"),
            ("GET", "/v1/invoices"),
            ("POST", "/v1/bill-runs"),
        ):
            r = api.client.request(method, path, headers=headers, json={"as_of": "2025-04-02"})
            assert_problem(r, 401, "unauthorized")
    assert ok(api.get("/v1/customers"))["data"] == []


def test_integration_reads_documents_and_records_payments_only(api: Api) -> None:
    mine, theirs = two_customers(api)
    cancel(api, mine, mode="on_date", date="2025-04-20")
    integration = api_key(api, "integration")

    invoices = ok(integration.get("/v1/invoices"))["data"]
    assert len(invoices) == 2
    assert len(ok(integration.get("/v1/credit-notes"))["data"]) == 1
    assert ok(integration.get(f"/v1/invoices/{invoices[0]['id']}"))["id"] == invoices[0]["id"]
    assert len(ok(integration.get("/v1/customers"))["data"]) == 2
    ok(integration.get(f"/v1/customers/{mine['customer_id']}"))
    paid = integration.post(
        f"/v1/invoices/{invoices[1]['id']}/payments", {"amount": 24995, "paid_on": "2025-04-10"}
    )
    assert ok(paid, 201)["invoice"]["status"] == "paid"

    before = state(api, theirs)
    refused = [
        integration.post("/v1/customers", {"name": "X", "currency": "SEK"}),
        integration.post(
            "/v1/plans",
            {"code": "x", "name": "x", "currency": "SEK", "unit_amount": 1, "interval": "month"},
        ),
        integration.post(
            "/v1/subscriptions",
            {
                "customer_id": theirs["customer_id"],
                "plan_id": theirs["plan_id"],
                "start_date": "2025-05-01",
            },
        ),
        integration.post(sub_path(theirs, "/cancel"), {"mode": "immediately"}),
        integration.delete(sub_path(mine, "/cancel")),
        integration.post(sub_path(theirs, "/pause"), {"start_date": "2025-04-20"}),
        integration.post(
            sub_path(theirs, "/changes"), {"effective_date": "2025-04-20", "quantity": 2}
        ),
        integration.post("/v1/bill-runs", {"as_of": "2025-05-02"}),
        integration.put("/v1/test-clock", {"today": "2025-05-02"}),
    ]
    for r in refused:
        assert_problem(r, 403, "forbidden")
    assert state(api, theirs) == before


def test_portal_sees_only_its_customer(api: Api) -> None:
    mine, theirs = two_customers(api)
    cancel(api, theirs, mode="on_date", date="2025-04-20")  # a credit note for the other one
    portal = api_key(api, "portal", mine["customer_id"])

    assert [s["id"] for s in ok(portal.get("/v1/subscriptions"))["data"]] == [mine["id"]]
    other = {"customer_id": theirs["customer_id"]}
    assert [s["id"] for s in ok(portal.get("/v1/subscriptions", params=other))["data"]] == [
        mine["id"]
    ]
    assert ok(portal.get(sub_path(mine)))["id"] == mine["id"]
    assert [e["type"] for e in timeline(portal, mine)["events"]] == ["started"]
    invoices = ok(portal.get("/v1/invoices"))["data"]
    assert [d["customer_id"] for d in invoices] == [mine["customer_id"]]
    assert ok(portal.get("/v1/invoices", params=other))["data"] == invoices
    assert ok(portal.get(f"/v1/invoices/{invoices[0]['id']}"))["id"] == invoices[0]["id"]
    assert ok(portal.get("/v1/credit-notes"))["data"] == []
    assert [c["id"] for c in ok(portal.get("/v1/customers"))["data"]] == [mine["customer_id"]]

    [their_invoice] = ok(api.get("/v1/invoices", params=other))["data"]
    [their_note] = ok(api.get("/v1/credit-notes"))["data"]
    for path in (
        sub_path(theirs),
        sub_path(theirs, "/timeline"),
        sub_path(theirs, "/ledger"),
        f"/v1/invoices/{their_invoice['id']}",
        f"/v1/credit-notes/{their_note['id']}",
        f"/v1/customers/{theirs['customer_id']}",
    ):
        assert_problem(portal.get(path), 404, "not_found")
    before = state(api, theirs)
    assert_problem(
        portal.post(sub_path(theirs, "/cancel"), {"mode": "earliest_allowed"}), 404, "not_found"
    )
    assert_problem(portal.delete(sub_path(theirs, "/cancel")), 404, "not_found")
    assert state(api, theirs) == before


def test_portal_cancels_within_the_rules_and_undoes(api: Api) -> None:
    mine, _ = two_customers(api, contract=CONTRACT)
    portal = api_key(api, "portal", mine["customer_id"])
    before = state(api, mine)

    def refused(status: int, code: str, **body: Any) -> None:
        assert_problem(portal.post(sub_path(mine, "/cancel"), body), status, code)

    refused(422, "validation_error", mode="earliest_allowed", approved_by="Me Myself")
    refused(422, "validation_error", mode="earliest_allowed", requested_on="2025-04-01")
    refused(422, "mode_not_allowed", mode="immediately")
    refused(422, "mode_not_allowed", mode="end_of_period")
    refused(422, "approval_required", mode="on_date", date="2026-06-01")
    refused(422, "minimum_term", mode="on_date", date="2025-12-01")
    assert_problem(portal.post(sub_path(mine, "/pause"), {"start_date": "2025-05-01"}), 403)
    assert_problem(
        portal.post(sub_path(mine, "/changes"), {"effective_date": "2025-05-01", "quantity": 2}),
        403,
        "forbidden",
    )
    assert state(api, mine) == before

    result = ok(portal.post(sub_path(mine, "/cancel"), {"mode": "earliest_allowed"}))
    assert (result["end_date"], result["status"]) == ("2028-04-02", "in_termination")
    event = timeline(api, mine)["events"][-1]
    assert event["recorded_by"].startswith("portal:")
    assert event["data"]["requested_on"] == "2025-04-10"
    moved = ok(portal.post(sub_path(mine, "/cancel"), {"mode": "on_date", "date": "2029-04-02"}))
    assert moved["end_date"] == "2029-04-02"
    undone = ok(portal.delete(sub_path(mine, "/cancel")))
    assert (undone["end_date"], undone["status"]) == (None, "active")


def test_portal_on_date_without_a_contract_but_not_in_the_past(api: Api) -> None:
    mine, _ = two_customers(api)
    portal = api_key(api, "portal", mine["customer_id"])
    r = portal.post(sub_path(mine, "/cancel"), {"mode": "on_date", "date": "2025-04-09"})
    assert_problem(r, 422, "date_in_past")
    result = ok(portal.post(sub_path(mine, "/cancel"), {"mode": "on_date", "date": "2025-04-20"}))
    [note] = result["documents"]
    # [04-20, 05-02) back: 24995 − R(24995 × 18 / 30) = 9998.
    assert (note["type"], note["total"]) == ("credit_note", 9998)
