"""One-off orders through the API (issue 6, "Done when"): a non-customer's order delivered
partially, then fully, and invoiced for exactly what was delivered; another cancelled at no cost
(no document); delivery idempotent on its reference; refusals with codes and no state change;
the events in the feed, in order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.conftest import Api
from tests.lifecycle.helpers import assert_problem, ok

TABLES = (
    "orders",
    "order_lines",
    "order_deliveries",
    "order_credits",
    "ledger_entries",
    "documents",
    "events",
)


def state(api: Api) -> dict[str, list[tuple[Any, ...]]]:
    engine = api.client.app.state.engine
    with engine.connect() as conn:
        return {
            t: [tuple(row) for row in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))]
            for t in TABLES
        }


def refused(api: Api, path: str, body: Any, status: int, code: str) -> dict[str, Any]:
    before = state(api)
    problem = assert_problem(api.post(path, body), status, code)
    assert state(api) == before
    return problem


def non_customer(api: Api, name: str = "Fjordbygg AS") -> dict[str, Any]:
    """A company with no subscription: just a customer record."""
    return api.customer(name=name, currency="NOK", locale="nb_NO", timezone="Europe/Oslo")


def order(api: Api, customer: dict[str, Any], *lines: tuple[str | None, str, int, int]) -> Any:
    body = {
        "customer_id": customer["id"],
        "lines": [
            {"code": c, "description": d, "unit_amount": u, "quantity": q} for c, d, u, q in lines
        ],
    }
    if lines and lines[0][0] is None:
        del body["lines"][0]["code"]
    return ok(api.post("/v1/orders", body), 201)


def deliver(api: Api, o: dict[str, Any], reference: str, day: str, *lines: tuple[int, int]) -> Any:
    body = {
        "reference": reference,
        "delivered_on": day,
        "lines": [{"line_id": o["lines"][i]["id"], "quantity": q} for i, q in lines],
    }
    return api.post(f"/v1/orders/{o['id']}/deliveries", body)


def test_delivered_partially_then_fully_and_invoiced(api: Api) -> None:
    api.today("2025-03-03")
    customer = non_customer(api)
    o = order(
        api,
        customer,
        ("HC-1", "Helsekontroll", 125000, 20),
        (None, "Influensavaksine", 39950, 15),
    )
    assert (o["status"], o["total"], o["delivered_total"], o["currency"]) == (
        "pending",
        20 * 125000 + 15 * 39950,
        0,
        "NOK",
    )
    # Nothing is invoiced before delivery.
    assert ok(api.get("/v1/invoices", params={"customer_id": customer["id"]}))["data"] == []

    # 12 health checks and 15 vaccinations delivered on 2025-03-03.
    r = deliver(api, o, "MET-2025-0117", "2025-03-03", (0, 12), (1, 15))
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["total"] == 12 * 125000 + 15 * 39950
    invoice = ok(api.get(f"/v1/invoices/{first['invoice_id']}"))
    assert (invoice["total"], invoice["status"], invoice["subscription_id"]) == (
        first["total"],
        "open",
        None,
    )
    assert invoice["customer_id"] == customer["id"]
    assert invoice["issue_date"] == "2025-03-03"
    assert [
        (x["description"], x["quantity"], x["unit_amount"], x["amount"]) for x in invoice["lines"]
    ] == [
        ("Helsekontroll 2025-03-03", 12, 125000, 12 * 125000),
        ("Influensavaksine 2025-03-03", 15, 39950, 15 * 39950),
    ]
    assert invoice["lines"][0]["amount_formatted"].replace("\xa0", " ") == "15 000,00 kr"
    html = api.get(f"/v1/invoices/{first['invoice_id']}.html")
    assert html.status_code == 200 and "Influensavaksine" in html.text
    o = ok(api.get(f"/v1/orders/{o['id']}"))
    assert o["status"] == "partially_delivered"
    assert [(x["delivered"], x["outstanding"]) for x in o["lines"]] == [(12, 8), (15, 0)]

    # A retry of the same delivery: the same answer, no second invoice.
    before = state(api)
    again = deliver(api, o, "MET-2025-0117", "2025-03-03", (1, 15), (0, 12))
    assert (again.status_code, again.json()) == (201, first)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert state(api) == before
    # The same reference with other content is refused.
    conflict = deliver(api, o, "MET-2025-0117", "2025-03-03", (0, 11), (1, 15))
    assert_problem(conflict, 409, "delivery_reference_conflict")
    assert state(api) == before

    # The remaining 8 later: the order is delivered, a second invoice for exactly those.
    api.today("2025-03-20")
    second = deliver(api, o, "MET-2025-0131", "2025-03-19", (0, 8)).json()
    assert second["total"] == 8 * 125000
    o = ok(api.get(f"/v1/orders/{o['id']}"))
    assert (o["status"], o["delivered_total"]) == ("delivered", o["total"])
    assert [d["reference"] for d in o["deliveries"]] == ["MET-2025-0117", "MET-2025-0131"]
    invoices = ok(api.get("/v1/invoices", params={"customer_id": customer["id"]}))["data"]
    assert [(i["id"], i["total"]) for i in invoices] == [
        (first["invoice_id"], first["total"]),
        (second["invoice_id"], second["total"]),
    ]
    assert sum(i["total"] for i in invoices) == o["total"]
    # Nothing is outstanding: no more deliveries, no cancellation.
    refused(
        api,
        f"/v1/orders/{o['id']}/deliveries",
        {
            "reference": "X",
            "delivered_on": "2025-03-20",
            "lines": [{"line_id": o["lines"][0]["id"], "quantity": 1}],
        },
        409,
        "order_delivered",
    )
    refused(api, f"/v1/orders/{o['id']}/cancel", None, 409, "order_delivered")
    # A payment settles the invoice like any other.
    ok(
        api.post(
            f"/v1/invoices/{second['invoice_id']}/payments",
            {"amount": second["total"], "paid_on": "2025-03-21"},
        ),
        201,
    )
    assert ok(api.get(f"/v1/invoices/{second['invoice_id']}"))["status"] == "paid"

    # The feed, in order: order created, then each delivery with its invoice.
    events = ok(api.get("/v1/events", params={"limit": 1000}))["data"]
    mine = [(e["type"], e["subject_id"]) for e in events if e["customer_id"] == customer["id"]]
    assert mine == [
        ("order.created", o["id"]),
        ("invoice.issued", first["invoice_id"]),
        ("order.delivered", o["id"]),
        ("invoice.issued", second["invoice_id"]),
        ("order.delivered", o["id"]),
        ("payment.recorded", mine[-1][1]),
    ]
    delivered = [e for e in events if e["type"] == "order.delivered"]
    assert [e["data"]["order_status"] for e in delivered] == ["partially_delivered", "delivered"]
    assert [e["data"]["reference"] for e in delivered] == ["MET-2025-0117", "MET-2025-0131"]


def test_cancelled_before_delivery_costs_nothing(api: Api) -> None:
    api.today("2025-03-03")
    customer = non_customer(api, "Nordlys Barnehage SA")
    o = order(api, customer, ("VAX", "Vaksine", 39950, 30))
    before = state(api)
    cancelled = ok(api.post(f"/v1/orders/{o['id']}/cancel", {"reason": "changed their mind"}))
    assert (cancelled["status"], cancelled["lines"][0]["cancelled"]) == ("cancelled", 30)
    assert cancelled["cancel_reason"] == "changed their mind"
    assert cancelled["cancelled_by"].startswith("staff:")
    after = state(api)
    assert after["documents"] == before["documents"] == []
    assert ok(api.get("/v1/invoices", params={"customer_id": customer["id"]}))["data"] == []
    events = ok(api.get("/v1/events", params={"type": "order.cancelled"}))["data"]
    assert [(e["subject_id"], e["data"]["order_status"]) for e in events] == [
        (o["id"], "cancelled")
    ]
    # Nothing more can happen to it.
    refused(api, f"/v1/orders/{o['id']}/cancel", None, 409, "order_cancelled")
    body = {
        "reference": "late",
        "delivered_on": "2025-03-03",
        "lines": [{"line_id": o["lines"][0]["id"], "quantity": 1}],
    }
    refused(api, f"/v1/orders/{o['id']}/deliveries", body, 409, "order_cancelled")

    # After a partial delivery, cancelling releases the rest only.
    p = order(api, customer, ("HC", "Helsekontroll", 100000, 10))
    first = deliver(api, p, "D-1", "2025-03-03", (0, 4)).json()
    p = ok(api.post(f"/v1/orders/{p['id']}/cancel"))
    assert (p["status"], p["delivered_total"]) == ("delivered", 400000)
    assert [(x["delivered"], x["cancelled"], x["outstanding"]) for x in p["lines"]] == [(4, 6, 0)]
    invoices = ok(api.get("/v1/invoices", params={"customer_id": customer["id"]}))["data"]
    assert [(i["id"], i["total"]) for i in invoices] == [(first["invoice_id"], 400000)]
    # The retry of the earlier delivery still answers the same.
    assert deliver(api, p, "D-1", "2025-03-03", (0, 4)).json() == first


def test_refusals_change_nothing(api: Api) -> None:
    api.today("2025-03-03")
    customer = non_customer(api)
    o = order(api, customer, ("HC", "Helsekontroll", 125000, 2), ("VAX", "Vaksine", 39950, 1))
    line = o["lines"][0]["id"]
    path = f"/v1/orders/{o['id']}/deliveries"

    def body(**kw: Any) -> dict[str, Any]:
        b: dict[str, Any] = {
            "reference": "R1",
            "delivered_on": "2025-03-03",
            "lines": [{"line_id": line, "quantity": 1}],
        }
        b.update(kw)
        return b

    refused(
        api, path, body(lines=[{"line_id": line, "quantity": 3}]), 409, "delivery_exceeds_order"
    )
    refused(
        api, path, body(lines=[{"line_id": "ol_nope", "quantity": 1}]), 422, "unknown_order_line"
    )
    refused(api, path, body(lines=[{"line_id": line, "quantity": 1}] * 2), 422, "duplicate_line")
    refused(api, path, body(delivered_on="2025-03-04"), 422, "delivery_in_future")
    refused(api, path, body(lines=[]), 422, "validation_error")
    refused(api, path, body(lines=[{"line_id": line, "quantity": 0}]), 422, "validation_error")
    refused(api, path, body(reference=""), 422, "validation_error")
    refused(api, "/v1/orders/ord_nope/deliveries", body(), 404, "not_found")
    refused(api, "/v1/orders/ord_nope/cancel", None, 404, "not_found")
    orders = "/v1/orders"
    ok_line = {"description": "Helsekontroll", "unit_amount": 1, "quantity": 1}
    refused(api, orders, {"customer_id": "cus_nope", "lines": [ok_line]}, 404, "not_found")
    cid = customer["id"]
    refused(api, orders, {"customer_id": cid, "lines": []}, 422, "validation_error")
    for bad in (
        {"unit_amount": -1},
        {"unit_amount": 10**12 + 1},
        {"unit_amount": "100"},
        {"unit_amount": 1.5},
        {"quantity": 0},
        {"quantity": 1_000_001},
        {"description": " "},
        {"description": "x" * 201},
        {"surprise": 1},
    ):
        refused(
            api,
            orders,
            {"customer_id": cid, "lines": [{**ok_line, **bad}]},
            422,
            "validation_error",
        )
    # A line's amount is at most 10^13 (the contract's period bound): 10^12 × 11 passes it.
    too_much = {**ok_line, "unit_amount": 10**12, "quantity": 11}
    refused(api, orders, {"customer_id": cid, "lines": [too_much]}, 422, "amount_too_large")
    # Only staff order and deliver; a portal key sees its own customer's orders only.
    portal = api.as_token(
        ok(api.post("/v1/api-keys", {"role": "portal", "customer_id": cid}), 201)["token"]
    )
    assert portal.post(orders, {"customer_id": cid, "lines": [ok_line]}).status_code == 403
    assert portal.get(f"/v1/orders/{o['id']}").status_code == 200
    other = non_customer(api, "Annen AS")
    theirs = order(api, other, ("HC", "Helsekontroll", 1, 1))
    assert portal.get(f"/v1/orders/{theirs['id']}").status_code == 404
    assert [x["id"] for x in ok(portal.get(orders))["data"]] == [o["id"]]
    assert [x["id"] for x in ok(api.get(orders, params={"customer_id": other["id"]}))["data"]] == [
        theirs["id"]
    ]
    assert [
        x["id"] for x in ok(api.get(orders, params={"status": "pending", "limit": 1}))["data"]
    ] == [o["id"]]
