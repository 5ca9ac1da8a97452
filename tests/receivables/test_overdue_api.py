"""Overdue in the product, through the API on SQLite and PostgreSQL: the status an invoice and a
customer answer is read from the account on the service clock's day, never stored.

One customer (SEK, the test seller: not VAT registered, gross = net), a monthly plan of
249.95 kr from 2025-04-02: INV 1 of 24 995, due 2025-05-02 (30 days' terms).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from unittest import mock

from sqlalchemy import event

from tests.api.helpers import assert_problem, bill, ok
from tests.conftest import Api
from tests.receivables.helpers import statement
from tests.unchanged import row_counts

TOTAL = 24_995


def invoiced(api: Api, name: str = "Acme AB") -> tuple[dict[str, Any], dict[str, Any]]:
    api.today("2025-04-02")
    customer = api.customer(name=name)
    sub = api.subscription(customer, api.plan(unit_amount=TOTAL), start_date="2025-04-02")
    [invoice_id] = bill(api, "2025-04-02")["invoices"]
    invoice = ok(api.get(f"/v1/invoices/{invoice_id}"))
    assert (invoice["due_date"], invoice["amount_due"]) == ("2025-05-02", TOTAL)
    return sub, invoice


def invoice(api: Api, invoice_id: str) -> dict[str, Any]:
    return ok(api.get(f"/v1/invoices/{invoice_id}"))  # type: ignore[no-any-return]


def customer(api: Api, customer_id: str) -> dict[str, Any]:
    return ok(api.get(f"/v1/customers/{customer_id}"))  # type: ignore[no-any-return]


def listed(api: Api, **params: str) -> list[str]:
    page = ok(api.get("/v1/invoices", params={"limit": 500, **params}))
    return [i["id"] for i in page["data"]]


def pay(api: Api, invoice_id: str, amount: int, paid_on: str) -> dict[str, Any]:
    body = {"amount": amount, "paid_on": paid_on}
    return ok(api.post(f"/v1/invoices/{invoice_id}/payments", body), 201)  # type: ignore[no-any-return]


def test_an_invoice_is_overdue_from_the_day_after_its_due_date(api: Api) -> None:
    sub, inv = invoiced(api)
    cid = sub["customer_id"]
    api.today("2025-05-02")  # the due date is the last day to pay
    assert (invoice(api, inv["id"])["status"], invoice(api, inv["id"])["days_overdue"]) == (
        "open",
        0,
    )
    assert customer(api, cid)["status"] == "active"
    api.today("2025-05-03")
    shown = invoice(api, inv["id"])
    assert (shown["status"], shown["days_overdue"], shown["disputed"]) == ("overdue", 1, False)
    # The same status in the list and in the customer's statement's open items.
    page = ok(api.get("/v1/invoices", params={"customer_id": cid}))["data"]
    assert [(i["id"], i["status"]) for i in page] == [(inv["id"], "overdue")]
    [item] = statement(api, cid)["open_items"]
    assert (item["status"], item["days_overdue"], item["bucket"]) == ("overdue", 1, "1_30")

    # Derived, not stored: moving the clock back makes it open again.
    api.today("2025-04-20")
    assert invoice(api, inv["id"])["status"] == "open"
    api.today("2025-06-11")
    assert invoice(api, inv["id"])["days_overdue"] == 40

    # A part payment leaves it overdue; the payment's answer says so too.
    paid = pay(api, inv["id"], 4_995, "2025-06-11")
    assert (paid["invoice"]["status"], paid["invoice"]["amount_due"]) == ("overdue", 20_000)
    # Paid in full: paid, never overdue.
    assert pay(api, inv["id"], 20_000, "2025-06-11")["invoice"]["status"] == "paid"
    assert invoice(api, inv["id"])["days_overdue"] == 0
    assert customer(api, cid)["status"] == "active"


def test_a_void_invoice_is_never_overdue(api: Api) -> None:
    sub, inv = invoiced(api)
    ok(api.post(f"/v1/subscriptions/{sub['id']}/cancel", {"mode": "immediately"}))
    api.today("2025-07-01")
    shown = invoice(api, inv["id"])
    assert (shown["status"], shown["amount_due"], shown["days_overdue"]) == ("void", 0, 0)
    assert customer(api, sub["customer_id"])["status"] == "active"
    assert listed(api, status="overdue") == []


def test_the_list_filters_by_the_status_answered_today(api: Api) -> None:
    _, late = invoiced(api, "Late AB")
    _, settled = invoiced(api, "Paid AB")
    pay(api, settled["id"], TOTAL, "2025-04-10")
    api.today("2025-05-02")
    assert listed(api, status="overdue") == []
    assert listed(api, status="open") == [late["id"]]
    api.today("2025-05-03")
    assert listed(api, status="overdue") == [late["id"]]
    assert listed(api, status="open") == []
    assert listed(api, status="paid") == [settled["id"]]
    assert listed(api, status="overdue", customer_id=settled["customer_id"]) == []
    # Cursor pages of the filtered list hold only matching invoices.
    page = ok(api.get("/v1/invoices", params={"status": "paid", "limit": 1}))
    assert [i["id"] for i in page["data"]] == [settled["id"]]
    r = api.get("/v1/invoices", params={"status": "late"})
    assert_problem(r, 422, "validation_error")


def test_the_overdue_filter_follows_each_customers_time_zone(api: Api) -> None:
    """Without a test clock today is each customer's own date: at 2025-05-02 23:30 UTC it is
    already 05-03 in Stockholm (overdue) but still 05-02 in New York (not yet)."""
    _, stockholm = invoiced(api, "Sthlm AB")
    api.today("2025-04-02")
    ny = api.customer(name="NY Inc", timezone="America/New_York")
    api.subscription(ny, api.plan(unit_amount=TOTAL), start_date="2025-04-02")
    [ny_invoice] = bill(api, "2025-04-02")["invoices"]
    ok(api.put("/v1/test-clock", {"today": None}))
    late_evening = datetime(2025, 5, 2, 23, 30, tzinfo=UTC)
    with mock.patch("billing.clock.utcnow", return_value=late_evening):
        assert listed(api, status="overdue") == [stockholm["id"]]
        assert listed(api, status="open") == [ny_invoice]
        assert invoice(api, ny_invoice)["status"] == "open"
        assert invoice(api, stockholm["id"])["status"] == "overdue"


def test_the_customer_answers_its_account(api: Api) -> None:
    sub, inv = invoiced(api)
    cid = sub["customer_id"]
    fresh = customer(api, cid)
    assert (fresh["balance"], fresh["open_amount"], fresh["overdue_amount"]) == (TOTAL, TOTAL, 0)
    assert fresh["balance_formatted"] == "249,95\xa0kr"
    api.today("2025-05-10")
    pay(api, inv["id"], 4_995, "2025-05-10")
    late = customer(api, cid)
    assert late["status"] == "overdue"
    assert (late["balance"], late["overdue_amount"], late["overdue_invoices"]) == (
        20_000,
        20_000,
        1,
    )
    assert late["overdue_amount_formatted"] == "200,00\xa0kr"
    # The same figures as the statement's, in the list too.
    s = statement(api, cid)
    assert (late["balance"], late["open_amount"], late["overdue_amount"]) == (
        s["closing_balance"],
        s["open_total"],
        s["overdue_total"],
    )
    [row] = [
        c for c in ok(api.get("/v1/customers", params={"limit": 100}))["data"] if c["id"] == cid
    ]
    assert {k: row[k] for k in ("status", "balance", "overdue_amount")} == {
        "status": "overdue",
        "balance": 20_000,
        "overdue_amount": 20_000,
    }
    # A PATCH answers the account as well; a new customer owes nothing.
    patched = ok(
        api.client.patch(
            f"/v1/customers/{cid}", json={"name": "Acme AB (ny)"}, headers=api.headers()
        )
    )
    assert (patched["status"], patched["balance"]) == ("overdue", 20_000)
    other = api.customer(name="New AB")
    assert (other["status"], other["balance"], other["overdue_amount"]) == ("active", 0, 0)
    # A portal key reads its own customer's figures.
    key = ok(api.post("/v1/api-keys", {"role": "portal", "customer_id": cid}), 201)
    mine = customer(api.as_token(key["token"]), cid)
    assert (mine["status"], mine["overdue_amount"]) == ("overdue", 20_000)


def test_a_disputed_invoice_is_still_overdue_and_says_it_is_disputed(api: Api) -> None:
    sub, inv = invoiced(api)
    cid = sub["customer_id"]
    api.today("2025-05-20")
    engine = api.client.app.state.engine
    ok(api.post(f"/v1/invoices/{inv['id']}/dispute", {"reason": "never delivered"}))
    shown = invoice(api, inv["id"])
    assert (shown["status"], shown["disputed"]) == ("overdue", True)
    [item] = statement(api, cid)["open_items"]
    assert (item["status"], item["disputed"]) == ("overdue", True)
    figures = customer(api, cid)
    assert (figures["status"], figures["overdue_amount"], figures["disputed_amount"]) == (
        "overdue",
        TOTAL,
        TOTAL,
    )
    # The brief counts it, so no retention offer while it is in dispute; reading changed nothing.
    counts = row_counts(engine)
    brief = ok(api.get(f"/v1/subscriptions/{sub['id']}/cancellation-quote"))
    assert brief["overdue_balance"]["amount"] == TOTAL
    assert brief["retention_offers"]["refused_because"] == "overdue_balance"
    assert row_counts(engine) == counts
    ok(api.delete(f"/v1/invoices/{inv['id']}/dispute"))
    assert invoice(api, inv["id"])["disputed"] is False
    assert customer(api, cid)["disputed_amount"] == 0


def test_a_page_of_customers_is_read_in_a_fixed_number_of_queries(api: Api) -> None:
    engine = api.client.app.state.engine
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    def page_queries() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            ok(api.get("/v1/customers", params={"limit": 100}))
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    for name in ("A AB", "B AB"):
        invoiced(api, name)
    few = page_queries()
    for name in ("C AB", "D AB", "E AB"):
        _, inv = invoiced(api, name)
        pay(api, inv["id"], 1_000, "2025-04-10")
    assert len(ok(api.get("/v1/customers", params={"limit": 100}))["data"]) == 5
    assert page_queries() == few
