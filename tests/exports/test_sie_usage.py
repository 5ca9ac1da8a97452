"""Usage charges in the SIE export, through the API on SQLite and PostgreSQL: a metered line is
booked on the ``usage:`` account of its VAT row (3011 at 25 %, 3014 exempt), apart from the
subscription price on 3001, and a seller's chart moves it. Read back with the SIE reader."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import bill, ok
from tests.api.test_vat_invoices import SE_SELLER, buyer, seller
from tests.conftest import Api
from tests.exports.sie_reader import read

APRIL = {"from": "2025-04-01", "to": "2025-04-30"}
CALLS = {"code": "api_calls", "name": "API-anrop", "aggregation": "sum", "unit_amount": 100}
CHECKS = {"code": "checks", "name": "Hälsokontroller", "unit_amount": 45_000, "included": 1,
          "tax_category": "exempt"}  # fmt: skip


def metered_march(api: Api) -> dict[str, Any]:
    """A licence of 10 000 a month at 25 %, with 70 API calls (1.00 each, 25 %) and 3 health
    checks (1 included, 450.00 each above, exempt) in March, billed on 04-01."""
    se = seller(api, SE_SELLER)
    api.today("2025-03-01")
    plan = api.plan(name="Licens", unit_amount=10_000, metrics=[CALLS, CHECKS])
    who = buyer(api, se, kind="business", legal_name="Kund AB", organisation_number="5566778899")
    sub = api.subscription(who, plan, start_date="2025-03-01")
    bill(api, "2025-03-01")
    events = [
        {
            "id": f"call-{i}",
            "subscription_id": sub["id"],
            "metric": "api_calls",
            "quantity": 10,
            "occurred_at": "2025-03-10T09:00:00+01:00",
        }
        for i in range(7)
    ]
    events += [{"id": f"check-{i}", "subscription_id": sub["id"], "metric": "checks",
                "occurred_at": "2025-03-12T09:00:00+01:00"} for i in range(3)]  # fmt: skip
    ok(api.post("/v1/usage-events", {"events": events}), 201)
    api.today("2025-04-01")
    [invoice_id] = bill(api, "2025-04-01")["invoices"]
    api.today("2025-05-02")
    return {"seller": se, "invoice": ok(api.get(f"/v1/invoices/{invoice_id}"))}


def test_usage_is_booked_on_its_own_accounts(api: Api) -> None:
    world = metered_march(api)
    sid, invoice = world["seller"]["id"], world["invoice"]
    products = {line["product"]: line["amount"] for line in invoice["lines"]}
    assert products["API-anrop"] == 7_000 and products["Hälsokontroller"] == 90_000
    r = api.get("/v1/exports/sie", params={"seller": sid, **APRIL})
    assert r.status_code == 200, r.text
    sie = read(r.content)
    [ver] = sie.vers
    assert ver.balance == 0
    assert -sie.movement("3001") == 10_000  # April's licence, in advance
    assert -sie.movement("3011") == 7_000  # March's API calls, 25 %
    assert -sie.movement("3014") == 90_000  # March's health checks above the one included
    assert sie.movement("3004") == 0
    assert -sie.movement("2611") == (10_000 + 7_000) // 4
    assert sie.movement("1510") == invoice["total"] == 10_000 + 7_000 + 90_000 + 4_250
    assert sie.accounts["3011"] == "Försäljning inom Sverige, förbrukning, 25 % moms"
    assert sie.accounts["3014"] == "Försäljning inom Sverige, förbrukning, momsfri"
    assert sie.account_types["3011"] == sie.account_types["3014"] == "I"

    body = {"accounts": [{"key": "usage:standard:2500", "account": "3019",
                          "name": "Förbrukning, API-anrop"}]}  # fmt: skip
    ok(api.put(f"/v1/sellers/{sid}/accounts", body))
    sie = read(ok_bytes(api.get("/v1/exports/sie", params={"seller": sid, **APRIL})))
    assert -sie.movement("3019") == 7_000 and "3011" not in sie.accounts
    assert sie.accounts["3019"] == "Förbrukning, API-anrop"
    assert -sie.movement("3014") == 90_000 and -sie.movement("3001") == 10_000


def ok_bytes(r: Any) -> bytes:
    assert r.status_code == 200, r.text
    return r.content  # type: ignore[no-any-return]
