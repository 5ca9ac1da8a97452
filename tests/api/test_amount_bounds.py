"""Products of amounts are bounded where they are made (api-contract, "Conventions"): a period's
amount (unit × quantity, over the period billed) at most 10^13 and what can meet on one
document at most 10^15, else 422 ``amount_too_large`` and nothing changed — for a subscription,
a change, a retention offer, an add-on and a one-off alike. (Orders: ``tests/orders``; plans
cannot pass the bounds within the API's own limits: ``tests/domain/test_bounds.py``.)

One line of the contract's limits: 10^12 is the largest unit amount, so 10 licences of it a month
is exactly a period's bound; 11 licences, or the same 10 billed yearly, pass it.
"""

from __future__ import annotations

from typing import Any

from tests.api.helpers import assert_problem, ok, sub_path
from tests.conftest import Api
from tests.unchanged import rows

TOP = 10**12
DAY = "2025-04-02"
#: Add-ons of the largest unit amount (each a period's bound at 10 licences).
ADDONS = [{"code": f"a{n}", "name": f"Add-on {n}", "unit_amount": TOP} for n in range(10)]


def _world(api: Api) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    api.today(DAY)
    customer = api.customer()
    plan = api.plan(unit_amount=TOP, addons=ADDONS)
    sub = api.subscription(customer, plan, start_date=DAY, quantity=10)
    return customer, plan, sub


def _refused(api: Api, path: str, body: dict[str, Any], *, detail: str = "") -> None:
    engine = api.client.app.state.engine
    before = rows(engine)
    problem = assert_problem(api.post(path, body), 422, "amount_too_large")
    assert detail in problem["detail"], problem
    assert rows(engine) == before


def test_a_subscription_past_the_period_bound_is_refused(api: Api) -> None:
    customer, plan, _ = _world(api)
    body = {"customer_id": customer["id"], "plan_id": plan["id"], "start_date": DAY}
    # 10^12 × 10^6: the fault that made every bill run answer 500.
    _refused(api, "/v1/subscriptions", {**body, "quantity": 10**6}, detail="period")
    _refused(api, "/v1/subscriptions", {**body, "quantity": 11})
    cheap = api.plan(unit_amount=1)
    _refused(
        api,
        "/v1/subscriptions",
        {**body, "plan_id": cheap["id"], "unit_amount": TOP, "quantity": 11},
    )
    # At the bound: made.
    ok(api.post("/v1/subscriptions", {**body, "quantity": 10}), 201)


def test_a_change_past_the_bounds_is_refused(api: Api) -> None:
    _, _, sub = _world(api)
    path = sub_path(sub, "/changes")
    _refused(api, path, {"effective_date": DAY, "quantity": 11})
    # The same 10 licences of a monthly price billed yearly: 12 × 10^13 for one period.
    _refused(api, path, {"effective_date": DAY, "interval_months": 12})
    # A plan change whose price times the licences passes it.
    other = api.plan(unit_amount=TOP, interval="month")
    ok(api.post(path, {"effective_date": DAY, "quantity": 5}))
    _refused(api, path, {"effective_date": DAY, "plan_id": other["id"], "quantity": 11})


def test_a_retention_offer_past_the_bounds_is_refused(api: Api) -> None:
    _, _, sub = _world(api)
    _refused(api, sub_path(sub, "/retention-offers"), {"interval_months": 12})


def test_add_ons_past_the_bounds_are_refused(api: Api) -> None:
    _, _, sub = _world(api)
    path = sub_path(sub, "/addons")
    _refused(api, path, {"code": "a0", "effective_date": DAY, "quantity": 11}, detail="a0")
    # Each at the period bound, the main item too: a year of each is 1.2 × 10^14, and what
    # could meet on one invoice passes 10^15 with the eighth add-on (9 × 1.2 × 10^14).
    for n in range(7):
        ok(api.post(path, {"code": f"a{n}", "effective_date": DAY, "quantity": 10}))
    _refused(
        api,
        path,
        {"code": "a7", "effective_date": DAY, "quantity": 10},
        detail="one document",
    )
    ok(api.post(path, {"code": "a7", "effective_date": DAY, "quantity": 1}))


def test_one_offs_past_the_bounds_are_refused(api: Api) -> None:
    _, _, sub = _world(api)
    path = sub_path(sub, "/one-offs")
    line = {"description": "Hardware", "delivered_on": DAY, "unit_amount": TOP}
    _refused(api, path, {**line, "quantity": 11}, detail="one-off")
    ok(api.post(path, {**line, "quantity": 10}))
