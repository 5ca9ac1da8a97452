"""Add-ons and start-up fees through the API.

Add-ons are prorated like the main item (same anchored period, same day count, cumulative
rounding) and end with the subscription. The period used throughout is [04-02, 05-02), 30 days;
the SSO add-on costs 50 kr, two of them P = 10 000 öre:
attached from 04-12 (20 days left): P − R(P × 10 / 30) = 10 000 − 3 333 = 6 667;
detached from 04-22 (10 days unused): P − R(P × 20 / 30) = 10 000 − 6 667 = 3 333.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.lifecycle.helpers import (
    bill,
    cancel,
    entries,
    events,
    get_sub,
    ok,
    quote,
    refused,
    run_scheduler,
    sub_path,
)

ADDONS = [
    {"code": "sso", "name": "Single sign-on", "unit_amount": 5000},
    {"code": "app", "name": "Mobile app", "unit_amount": 0, "included": True},
]


def setup(api: Api, *, today: str = "2025-04-02", **plan: Any) -> dict[str, Any]:
    api.today(today)
    customer = api.customer()
    p = api.plan(unit_amount=24995, addons=ADDONS, **plan)
    return api.subscription(customer, p, start_date="2025-04-02")  # type: ignore[no-any-return]


def attach(api: Api, sub: dict[str, Any], **body: Any) -> Any:
    return ok(api.post(sub_path(sub, "/addons"), body))


def detach(api: Api, sub: dict[str, Any], code: str, **body: Any) -> Any:
    return ok(api.post(sub_path(sub, f"/addons/{code}/detach"), body))


def test_addon_attached_in_a_billed_period_is_invoiced_at_once(api: Api) -> None:
    sub = setup(api)
    bill(api, "2025-04-02")
    api.today("2025-04-12")
    done = attach(api, sub, code="sso", effective_date="2025-04-12", quantity=2)
    [invoice] = done["documents"]
    assert invoice["type"] == "invoice"
    assert [(x["item"], x["service_start"], x["amount"]) for x in invoice["lines"]] == [
        ("addon:sso", "2025-04-12", 6667)
    ]


def test_addon_prorated_like_the_main_item(api: Api) -> None:
    sub = setup(api)
    attach(api, sub, code="sso", effective_date="2025-04-12", quantity=2)
    bill(api, "2025-04-02")
    assert [e[0] for e in entries(api, sub)] == ["main"]
    api.today("2025-04-12")
    [invoice_id] = bill(api, "2025-04-12")["invoices"]
    invoice = ok(api.get(f"/v1/invoices/{invoice_id}"))
    assert [
        (x["item"], x["service_start"], x["service_end"], x["amount"]) for x in invoice["lines"]
    ] == [("addon:sso", "2025-04-12", "2025-05-02", 6667)]
    attached = events(api, sub)[-1]
    assert (attached["type"], attached["data"]["quantity"]) == ("addon_attached", 2)

    # Detached inside the billed period: the unused days come back at once.
    api.today("2025-04-22")
    done = detach(api, sub, "sso", effective_date="2025-04-22")
    [note] = done["documents"]
    assert (note["type"], note["invoice_id"], note["total"]) == ("credit_note", invoice_id, 3333)
    assert events(api, sub)[-1]["type"] == "addon_detached"
    assert quote(api, sub)["active_addons"] == []
    # Later periods bill the main item only.
    bill(api, "2025-05-02")
    assert [e for e in entries(api, sub) if e[2] >= "2025-05-02"] == [
        ("main", "charge", "2025-05-02", "2025-06-02", 24995)
    ]


def test_addon_billed_by_bill_runs_and_ending_with_the_subscription(api: Api) -> None:
    sub = setup(api)
    attach(api, sub, code="sso", effective_date="2025-04-12", quantity=2)
    attach(api, sub, code="app", effective_date="2025-04-02")
    bill(api, "2025-04-02")
    api.today("2025-04-12")
    bill(api, "2025-04-12")
    sso = [e for e in entries(api, sub) if e[0] == "addon:sso"]
    assert sso == [("addon:sso", "charge", "2025-04-12", "2025-05-02", 6667)]
    # The included add-on costs nothing: no money, whether or not a zero line is kept.
    assert sum(e[4] for e in entries(api, sub) if e[0] == "addon:app") == 0

    # The subscription ends on 05-12, inside May's period: the add-on ends with it.
    api.today("2025-05-02")
    bill(api, "2025-05-02")
    done = cancel(api, sub, mode="on_date", date="2025-05-12")
    credited = {(line["item"], line["amount"]) for d in done["documents"] for line in d["lines"]}
    # May is 31 days: served 10, so 10 000 − R(10 000 × 10 / 31) = 10 000 − 3 226 = 6 774.
    assert ("addon:sso", 6774) in credited
    api.today("2025-05-12")
    run_scheduler(api)
    assert get_sub(api, sub)["status"] == "terminated"
    assert bill(api, "2025-06-02")["invoices"] == []
    # Net, both items paid for the days served up to the end date and nothing after it:
    # main April 24 995 + R(24 995 × 10 / 31) = 8 063; the add-on 6 667 + 3 226.
    net: dict[str, int] = {}
    for item, _, _, _, amount in entries(api, sub):
        net[item] = net.get(item, 0) + amount
    assert net == {"main": 24995 + 8063, "addon:sso": 6667 + 3226}
    assert quote(api, sub)["active_addons"] == []


def test_addon_refusals_change_nothing(api: Api) -> None:
    sub = setup(api, today="2025-04-10")
    path = sub_path(sub, "/addons")
    refused(api, path, {"code": "fax", "effective_date": "2025-04-10"}, 422, "unknown_addon", sub)
    refused(api, path, {"code": "sso", "effective_date": "2025-03-01"}, 422, "before_start", sub)
    refused(
        api,
        sub_path(sub, "/addons/sso/detach"),
        {"effective_date": "2025-04-20"},
        409,
        "addon_not_attached",
        sub,
    )
    attach(api, sub, code="sso", effective_date="2025-04-15")
    refused(api, path, {"code": "sso", "effective_date": "2025-04-20"}, 409, "addon_attached", sub)
    refused(
        api,
        sub_path(sub, "/addons/sso/detach"),
        {"effective_date": "2025-04-14"},
        422,
        "before_start",
        sub,
    )
    cancel(api, sub, mode="on_date", date="2025-06-02")
    refused(api, path, {"code": "app", "effective_date": "2025-06-02"}, 422, "after_end", sub)
    api.today("2025-06-02")
    refused(api, path, {"code": "app", "effective_date": "2025-06-01"}, 409, "already_ended", sub)
    refused(
        api,
        sub_path(sub, "/addons/sso/detach"),
        {"effective_date": "2025-06-01"},
        409,
        "already_ended",
        sub,
    )


def test_start_up_fee_on_the_first_invoice_only(api: Api) -> None:
    api.today("2025-04-02")
    customer = api.customer()
    plan = api.plan(unit_amount=24995, setup_fee_amount=50000)
    charged = api.subscription(customer, plan, start_date="2025-04-02")
    waived = api.subscription(customer, plan, start_date="2025-04-02", waive_setup_fee=True)
    without = api.subscription(customer, api.plan(unit_amount=24995), start_date="2025-04-02")
    first = bill(api, "2025-04-02")
    assert len(first["invoices"]) == 3
    invoice = ok(api.get("/v1/invoices", params={"subscription_id": charged["id"]}))["data"][0]
    assert [(x["item"], x["kind"], x["amount"], x["description"]) for x in invoice["lines"]] == [
        ("main", "charge", 24995, "Subscription 2025-04-02 – 2025-05-01"),
        ("setup", "one_off", 50000, "Start-up fee"),
    ]
    assert invoice["total"] == 74995
    assert [e[0] for e in entries(api, waived)] == ["main"]
    assert [e[0] for e in entries(api, without)] == ["main"]
    assert quote(api, waived)["retention_offers"]["waive_setup_fee"] is False
    # Again, and the next period: never a second start-up fee.
    assert bill(api, "2025-04-02")["invoices"] == []
    bill(api, "2025-05-02")
    assert [e[0] for e in entries(api, charged)] == ["main", "setup", "main"]
