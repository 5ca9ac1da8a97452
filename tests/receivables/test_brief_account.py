"""The cancellation brief, the customer's figures and the retention rule read the statement's
account, on SQLite and PostgreSQL.

A Swedish business customer of the Swedish VAT-registered seller, reminder fee agreed; a
monthly plan of 100.00 kr net + 25 % VAT = 125.00 kr from 2025-04-01 (30 days' terms):

* INV A 12 500, issued 04-01, due 05-01; INV C 12 500 for May, issued 05-01, due 05-31;
* 05-11: the first reminder of A bills INV R 51 038 (fee 6 000, compensation 45 000,
  interest 38: tests/reminders); 5 000 paid on A (7 500 left, overdue);
* R paid by a BgMax payment of 60 000: 51 038 settles it, 8 962 is kept as customer credit;
* 05-11 the price goes down to 50.00 kr net from that day: a credit note gives back the rest
  of May at the old price on C, and an invoice D bills it at the new one; D is the first
  invoice after the credit, so it consumes it (up to what it asks).

Every figure is read back from the statement and compared to the brief's and the customer's.
"""

from __future__ import annotations

from typing import Any

from tests.api.helpers import ok
from tests.api.test_vat_invoices import buyer, invoice_of, monthly, seller, subscribe
from tests.conftest import Api
from tests.lifecycle.helpers import assert_problem, quote
from tests.payments.builders import Pay, bgmax
from tests.receivables.helpers import assert_balances, statement
from tests.sellers import SE_SELLER
from tests.unchanged import row_counts


def upload(api: Api, content: bytes) -> Any:
    headers = api.headers({"Content-Type": "application/octet-stream"})
    return api.client.post("/v1/payment-files", content=content, headers=headers)


def offer(api: Api, sub: dict[str, Any]) -> Any:
    return api.post(f"/v1/subscriptions/{sub['id']}/retention-offers", {"interval_months": 3})


def invoices(api: Api, customer_id: str) -> list[dict[str, Any]]:
    page = ok(api.get("/v1/invoices", params={"customer_id": customer_id, "limit": 500}))
    return page["data"]  # type: ignore[no-any-return]


def everything(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    se = seller(api, SE_SELLER)
    cust = buyer(api, se, kind="business", legal_name="Kund AB")
    ok(api.put(f"/v1/customers/{cust['id']}/reminder-settings", {"fee_agreed": True}))
    sub = subscribe(api, cust, monthly(api, "SEK"))
    a = invoice_of(api, sub)
    api.today("2025-05-01")
    ok(api.post("/v1/bill-runs", {"as_of": "2025-05-01"}), 201)
    api.today("2025-05-11")
    ok(api.post("/v1/scheduler/run"))
    [reminder] = ok(api.get(f"/v1/customers/{cust['id']}/reminders"))["data"]
    r = ok(api.get(f"/v1/invoices/{reminder['charge_invoice_id']}"))
    assert r["total"] == 51_038
    ok(
        api.post(f"/v1/invoices/{a['id']}/payments", {"amount": 5_000, "paid_on": "2025-05-11"}),
        201,
    )
    imported = ok(upload(api, bgmax("5050-1055", [Pay(r["payment_reference"], 60_000)])), 201)
    assert (imported["paid"], imported["credit"]) == (51_038, 8_962)
    change = {"effective_date": "2025-05-11", "unit_amount": 5_000, "collect": "now"}
    ok(api.post(f"/v1/subscriptions/{sub['id']}/changes", change))
    return sub, cust


def test_the_brief_and_the_customer_agree_with_the_statement(bare_api: Api) -> None:
    api = bare_api
    sub, cust = everything(api)
    s = statement(api, cust["id"])
    assert_balances(s)
    kinds = {m["kind"] for m in s["movements"]}
    # Every kind of movement the brief must agree on is in this account.
    assert {"invoice", "credit_note", "payment", "payment_credit", "credit_applied"} <= kinds
    docs = invoices(api, cust["id"])
    assert len(docs) == 4  # A, C, R, D
    c = next(i for i in docs if i["issue_date"] == "2025-05-01")
    assert 0 < c["amount_credited"] < c["total"]  # the credit note lowered what C asks
    credit = s["customer_credit"]
    assert 0 < credit < 8_962  # D consumed part of the overpayment
    assert s["overdue_total"] == 7_500  # A: 12 500 − 5 000; C, D not yet due; R paid

    brief = quote(api, sub)
    assert brief["unpaid_balance"]["amount"] == max(0, s["closing_balance"])
    assert brief["open_amount"]["amount"] == s["open_total"]
    assert brief["customer_credit"]["amount"] == credit
    assert brief["overdue_invoices"] == 1
    # The credit held covers the oldest debt first: the arrears are what it leaves overdue.
    assert brief["overdue_balance"]["amount"] == 7_500 - credit - s["unallocated_credit"]
    assert brief["unpaid_balance"]["amount"] == s["open_total"] - credit - s["unallocated_credit"]
    assert brief["retention_offers"]["refused_because"] == "overdue_balance"

    shown = ok(api.get(f"/v1/customers/{cust['id']}"))
    assert (shown["balance"], shown["open_amount"], shown["overdue_amount"]) == (
        s["closing_balance"],
        s["open_total"],
        s["overdue_total"],
    )
    assert (shown["customer_credit"], shown["status"]) == (credit, "overdue")
    # The invoices that answer "overdue" are the statement's overdue open items.
    overdue = {i["id"]: i["amount_due"] for i in docs if i["status"] == "overdue"}
    assert overdue == {i["invoice_id"]: i["amount_due"] for i in s["open_items"] if i["overdue"]}


def test_arrears_refuse_an_offer_and_change_nothing(bare_api: Api) -> None:
    api = bare_api
    sub, cust = everything(api)
    engine = api.client.app.state.engine
    counts = row_counts(engine)
    assert_problem(offer(api, sub), 409, "overdue_balance")
    assert row_counts(engine) == counts


def test_an_overdue_amount_the_credit_covers_does_not_refuse_an_offer(bare_api: Api) -> None:
    """A 12 500 due 05-01 unpaid; C 12 500 (May) overpaid by a BgMax payment of 30 000: C is
    paid and 17 500 is kept as credit, more than A's 12 500. On 05-05 A is overdue (the credit
    is spent by the next invoices, not by A, so A answers overdue and the customer too), but
    nothing is in arrears: the brief shows 0 overdue and the offer is made."""
    api = bare_api
    se = seller(api, SE_SELLER)
    cust = buyer(api, se, kind="business", legal_name="Kund AB")
    sub = subscribe(api, cust, monthly(api, "SEK"))
    a = invoice_of(api, sub)
    api.today("2025-05-01")
    ok(api.post("/v1/bill-runs", {"as_of": "2025-05-01"}), 201)
    [c] = [i for i in invoices(api, cust["id"]) if i["id"] != a["id"]]
    imported = ok(upload(api, bgmax("5050-1055", [Pay(c["payment_reference"], 30_000)])), 201)
    assert imported["credit"] == 17_500, imported
    api.today("2025-05-05")
    assert ok(api.get(f"/v1/invoices/{a['id']}"))["status"] == "overdue"
    shown = ok(api.get(f"/v1/customers/{cust['id']}"))
    assert (shown["status"], shown["overdue_amount"], shown["balance"]) == (
        "overdue",
        12_500,
        12_500 - 17_500,
    )
    brief = quote(api, sub)
    assert (brief["unpaid_balance"]["amount"], brief["overdue_balance"]["amount"]) == (0, 0)
    assert brief["retention_offers"]["allowed"] is True
    assert ok(offer(api, sub))["interval_months"] == 3


def test_paid_and_not_yet_due_invoices_do_not_refuse_an_offer(bare_api: Api) -> None:
    api = bare_api
    se = seller(api, SE_SELLER)
    cust = buyer(api, se, kind="business", legal_name="Kund AB")
    sub = subscribe(api, cust, monthly(api, "SEK"))
    a = invoice_of(api, sub)
    ok(
        api.post(f"/v1/invoices/{a['id']}/payments", {"amount": 12_500, "paid_on": "2025-04-20"}),
        201,
    )
    api.today("2025-05-01")
    ok(api.post("/v1/bill-runs", {"as_of": "2025-05-01"}), 201)  # C, due 05-31
    api.today("2025-05-31")
    brief = quote(api, sub)
    assert (brief["unpaid_balance"]["amount"], brief["overdue_balance"]["amount"]) == (12_500, 0)
    assert brief["retention_offers"]["allowed"] is True
    assert ok(api.get(f"/v1/customers/{cust['id']}"))["status"] == "active"
    # The day after C's due date it is overdue and the offer is refused.
    api.today("2025-06-01")
    assert quote(api, sub)["overdue_balance"]["amount"] == 12_500
    assert_problem(offer(api, sub), 409, "overdue_balance")
