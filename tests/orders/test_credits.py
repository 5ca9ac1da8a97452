"""Crediting a delivered order line through the API (issue 11, part 4): the deliveries are on
the ledger, so an order invoice can be credited like a subscription's: a credit note per
invoice given back, pointing at it, lowering what is owed; idempotent on its reference; never
more than was delivered and not yet credited; each refusal with its code and no change."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.lifecycle.helpers import assert_problem, ok
from tests.orders.test_orders import deliver, non_customer, order, refused, state

HC, VAX = 125000, 39950  # unit amounts, NOK minor units


def credit(api: Api, o: dict[str, Any], reference: str, *lines: tuple[int, int]) -> Any:
    body = {
        "reference": reference,
        "reason": "returned",
        "lines": [{"line_id": o["lines"][i]["id"], "quantity": q} for i, q in lines],
    }
    return api.post(f"/v1/orders/{o['id']}/credits", body)


def delivered_twice(api: Api) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """An order of 10 health checks and 5 vaccines: 6 + 5 delivered on 3 March, 4 on 10 March."""
    api.today("2025-03-03")
    o = order(api, non_customer(api), ("HC-1", "Helsekontroll", HC, 10), ("VX", "Vaksine", VAX, 5))
    first = ok(deliver(api, o, "D-1", "2025-03-03", (0, 6), (1, 5)), 201)
    api.today("2025-03-10")
    second = ok(deliver(api, o, "D-2", "2025-03-10", (0, 4)), 201)
    return o, first, second


def test_a_credit_spanning_two_deliveries_gives_back_on_each_invoice(api: Api) -> None:
    o, first, second = delivered_twice(api)
    api.today("2025-03-12")
    # 8 health checks back: the 6 of D-1 first (oldest), then 2 of D-2; and 1 vaccine (D-1).
    r = credit(api, o, "RET-1", (0, 8), (1, 1))
    assert r.status_code == 201, r.text
    done = r.json()
    assert done["total"] == 8 * HC + VAX
    # In posting order: credit note by credit note.
    assert [(x["delivery_id"], x["quantity"], x["amount"]) for x in done["lines"]] == [
        (first["id"], 6, 6 * HC),
        (first["id"], 1, VAX),
        (second["id"], 2, 2 * HC),
    ]
    notes = [ok(api.get(f"/v1/credit-notes/{cn}")) for cn in done["credit_notes"]]
    assert [(n["invoice_id"], n["total"], n["issue_date"]) for n in notes] == [
        (first["invoice_id"], 6 * HC + VAX, "2025-03-12"),
        (second["invoice_id"], 2 * HC, "2025-03-12"),
    ]
    # Each note's lines name the delivered entries they give back, at the billed amounts.
    inv1 = ok(api.get(f"/v1/invoices/{first['invoice_id']}"))
    billed = {x["entry_id"]: x for x in inv1["lines"]}
    for line in notes[0]["lines"]:
        assert line["credits_entry_id"] in billed
        assert line["unit_amount"] == billed[line["credits_entry_id"]]["unit_amount"]
    # What is owed falls by what was given back.
    assert (inv1["amount_credited"], inv1["amount_due"]) == (6 * HC + VAX, 5 * VAX - VAX)
    inv2 = ok(api.get(f"/v1/invoices/{second['invoice_id']}"))
    assert (inv2["amount_credited"], inv2["amount_due"], inv2["status"]) == (
        2 * HC,
        2 * HC,
        "open",
    )
    shown = ok(api.get(f"/v1/orders/{o['id']}"))
    assert [(x["delivered"], x["credited"]) for x in shown["lines"]] == [(10, 8), (5, 1)]
    assert shown["credited_total"] == done["total"]
    assert shown["credits"] == [done]
    events = ok(api.get("/v1/events", params={"limit": 1000}))["data"]
    assert [e["type"] for e in events][-3:] == [
        "credit_note.issued",
        "credit_note.issued",
        "order.credited",
    ]

    # Crediting all that is left of a fully paid invoice voids nothing: it goes to paid.
    ok(
        api.post(
            f"/v1/invoices/{second['invoice_id']}/payments",
            {"amount": 2 * HC, "paid_on": "2025-03-12"},
        ),
        201,
    )
    assert ok(api.get(f"/v1/invoices/{second['invoice_id']}"))["status"] == "paid"


def test_a_fully_credited_unpaid_invoice_is_void(api: Api) -> None:
    o, first, _ = delivered_twice(api)
    ok(credit(api, o, "ALL-1", (0, 6), (1, 5)), 201)
    inv1 = ok(api.get(f"/v1/invoices/{first['invoice_id']}"))
    assert (inv1["status"], inv1["amount_due"]) == ("void", 0)


def test_a_credit_is_idempotent_on_its_reference(api: Api) -> None:
    o, _, _ = delivered_twice(api)
    done = ok(credit(api, o, "RET-1", (0, 2)), 201)
    before = state(api)
    again = credit(api, o, "RET-1", (0, 2))
    assert (again.status_code, again.json()) == (201, done)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert state(api) == before
    assert_problem(credit(api, o, "RET-1", (0, 3)), 409, "credit_reference_conflict")
    assert state(api) == before


def test_refusals_change_nothing(api: Api) -> None:
    o, _, _ = delivered_twice(api)
    path = f"/v1/orders/{o['id']}/credits"
    line = o["lines"][0]["id"]

    def body(*lines: tuple[str, int]) -> dict[str, Any]:
        return {"reference": "X", "lines": [{"line_id": i, "quantity": q} for i, q in lines]}

    refused(api, path, body((line, 11)), 409, "credit_exceeds_delivered")
    refused(api, path, body(("ol_nope", 1)), 422, "unknown_order_line")
    refused(api, path, body((line, 1), (line, 1)), 422, "duplicate_line")
    # What was credited cannot be credited again.
    ok(credit(api, o, "RET-1", (0, 9)), 201)
    refused(api, path, body((line, 2)), 409, "credit_exceeds_delivered")
    assert ok(credit(api, o, "RET-2", (0, 1)), 201)["total"] == HC
    refused(api, path, body((line, 1)), 409, "credit_exceeds_delivered")
    # Nothing delivered yet: nothing to credit.
    pending = order(api, non_customer(api, "Other AS"), ("A", "A", 100, 1))
    refused(
        api,
        f"/v1/orders/{pending['id']}/credits",
        body((pending["lines"][0]["id"], 1)),
        409,
        "credit_exceeds_delivered",
    )
