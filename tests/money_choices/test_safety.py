"""Money choices under the service's safety rules: retries with an Idempotency-Key never pay
back twice, a stale If-Match changes nothing, and the portal (the customer) cannot choose
what its unused time becomes: that is the business's choice (the plan's, or staff's)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.money_choices.helpers import (
    assert_money_sound,
    assert_problem,
    balance,
    bill,
    ok,
    path,
    pay,
    refunds,
    setup,
    snapshot,
)

TODAY = "2025-04-11"


def paid_april(api: Api, **plan: Any) -> tuple[dict[str, Any], dict[str, Any], str]:
    cust, sub = setup(api, **plan)
    [inv] = bill(api, "2025-04-01")["invoices"]
    pay(api, inv, 30000, "2025-04-05")
    api.today(TODAY)
    return cust, sub, inv


def test_a_retried_refund_is_refunded_once(api: Api) -> None:
    cust, sub, inv = paid_april(api)
    body = {"mode": "immediately", "unused": "refund"}
    key = {"Idempotency-Key": "cancel-refund-1"}
    first = ok(api.post(path(sub, "/cancel"), body, headers=key))
    after = snapshot(api, cust, sub)
    again = ok(api.post(path(sub, "/cancel"), body, headers=key))
    assert again == first
    assert snapshot(api, cust, sub) == after
    assert [r["total"] for r in refunds(api, cust["id"])] == [20000]
    # The same key with another choice is a conflict, not a second posting.
    r = api.post(path(sub, "/cancel"), {**body, "unused": "balance"}, headers=key)
    assert_problem(r, 422, "idempotency_conflict")
    assert snapshot(api, cust, sub) == after
    assert_money_sound(api, cust)


def test_a_retried_balance_is_kept_once(api: Api) -> None:
    cust, sub, inv = paid_april(api)
    body = {"mode": "immediately", "unused": "balance"}
    key = {"Idempotency-Key": "cancel-balance-1"}
    ok(api.post(path(sub, "/cancel"), body, headers=key))
    ok(api.post(path(sub, "/cancel"), body, headers=key))
    bal = balance(api, cust)
    assert bal["balance"] == 20000 and len(bal["entries"]) == 1
    assert_money_sound(api, cust)


def test_stale_if_match_posts_no_refund(api: Api) -> None:
    cust, sub, inv = paid_april(api)
    before = snapshot(api, cust, sub)
    stale = {"If-Match": f'"{sub["version"] - 1}"'}
    for unused in ("refund", "balance"):
        r = api.post(path(sub, "/cancel"), {"mode": "immediately", "unused": unused}, headers=stale)
        assert_problem(r, 412, "version_conflict")
    r = api.post(
        path(sub, "/changes"),
        {"effective_date": TODAY, "unit_amount": 100, "proration": "by_day", "unused": "refund"},
        headers=stale,
    )
    assert_problem(r, 412, "version_conflict")
    assert snapshot(api, cust, sub) == before


def test_the_portal_cannot_choose_what_unused_time_becomes(api: Api) -> None:
    """A plan that keeps the period billed ("none"): the customer asking to cancel through the
    portal must not turn that into a refund or balance of its own choosing."""
    cust, sub, inv = paid_april(api, unused="none")
    key = ok(api.post("/v1/api-keys", {"role": "portal", "customer_id": cust["id"]}), 201)
    portal = api.as_token(key["token"])
    before = snapshot(api, cust, sub)
    for unused in ("refund", "balance", "credit_note"):
        body = {"mode": "on_date", "date": "2025-04-20", "unused": unused}
        r = portal.post(path(sub, "/cancel"), body)
        assert_problem(r, 422, "validation_error")
    assert snapshot(api, cust, sub) == before
    # Without a choice the portal's cancellation follows the plan: nothing comes back.
    done = ok(portal.post(path(sub, "/cancel"), {"mode": "on_date", "date": "2025-04-20"}))
    assert done["documents"] == [] and done["end_date"] == "2025-04-20"
    assert refunds(api, cust["id"]) == [] and balance(api, cust)["balance"] == 0
    assert_money_sound(api, cust)
