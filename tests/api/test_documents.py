"""Invoices and credit notes: gapless numbers, lines, locale formats, the feed, and payments."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import (
    api_key,
    assert_problem,
    bill,
    cancel,
    counts,
    ok,
    state,
)
from tests.conftest import Api


def subscriptions(api: Api, n: int, **plan: Any) -> list[dict[str, Any]]:
    """``n`` subscriptions from 2025-04-02, each for its own customer, on one plan."""
    api.today("2025-04-03")
    p = api.plan(**plan)
    return [
        api.subscription(api.customer(name=f"Customer {i}"), p, start_date="2025-04-02")
        for i in range(n)
    ]


def feed(api: Api, path: str, limit: int, between_pages: Any = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        params: dict[str, Any] = {"limit": limit}
        if after is not None:
            params["after"] = after
        page = ok(api.get(path, params=params))
        out += page["data"]
        after = page["next_cursor"]
        if after is None:
            return out
        if between_pages is not None:
            between_pages()


def test_invoice_numbers_are_gapless_and_lines_complete(api: Api) -> None:
    subs = subscriptions(api, 3, unit_amount=24995)
    api.subscription(api.customer(), api.plan(), start_date="2025-04-02", quantity=2)
    # A refused request and a preview take no number.
    assert_problem(api.post("/v1/bill-runs", {"as_of": "2025-02-30"}), 422, "validation_error")
    r = api.post(
        f"/v1/subscriptions/{subs[0]['id']}/cancel",
        {"mode": "immediately"},
        params={"preview": "true"},
    )
    assert r.status_code == 200
    run = bill(api, "2025-04-02")
    assert len(run["invoices"]) == 4
    invoices = ok(api.get("/v1/invoices"))["data"]
    assert [d["number"] for d in invoices] == [f"INV-{n:06d}" for n in range(1, 5)]
    assert sorted(d["id"] for d in invoices) == sorted(run["invoices"])

    inv = invoices[0]
    assert inv["issue_date"] == "2025-04-02" and inv["due_date"] == "2025-05-02"
    assert (inv["status"], inv["currency"], inv["total"]) == ("open", "SEK", 24995)
    assert inv["total_formatted"] == "249,95\xa0kr"
    assert inv["bill_run_id"] == run["id"]
    [line] = inv["lines"]
    assert {
        k: line[k]
        for k in (
            "service_start",
            "service_end",
            "unit_amount",
            "quantity",
            "amount",
            "amount_formatted",
            "kind",
        )
    } == {
        "service_start": "2025-04-02",
        "service_end": "2025-05-02",
        "unit_amount": 24995,
        "quantity": 1,
        "amount": 24995,
        "amount_formatted": "249,95\xa0kr",
        "kind": "charge",
    }
    two = invoices[3]
    assert (two["lines"][0]["quantity"], two["total"], two["total_formatted"]) == (
        2,
        49990,
        "499,90\xa0kr",
    )
    assert ok(api.get(f"/v1/invoices/{inv['id']}")) == inv
    only = ok(api.get("/v1/invoices", params={"subscription_id": subs[1]["id"]}))["data"]
    assert [d["subscription_id"] for d in only] == [subs[1]["id"]]
    mine = ok(api.get("/v1/invoices", params={"customer_id": subs[2]["customer_id"]}))["data"]
    assert [d["customer_id"] for d in mine] == [subs[2]["customer_id"]]

    # Credit notes run their own series; previews and refusals take no number there either.
    r = api.post(
        f"/v1/subscriptions/{subs[0]['id']}/cancel",
        {"mode": "on_date", "date": "2025-04-05"},
        params={"preview": "true"},
    )
    assert r.json()["documents"][0]["number"] is None
    for sub in subs:
        [note] = cancel(api, sub, mode="on_date", date="2025-04-05")["documents"]
        assert note["total"] == 22495 and note["total_formatted"] == "224,95\xa0kr"
    notes = ok(api.get("/v1/credit-notes"))["data"]
    assert [d["number"] for d in notes] == ["CN-000001", "CN-000002", "CN-000003"]
    by_sub = {d["subscription_id"]: d for d in invoices}
    for sub, note in zip(subs, notes, strict=True):
        assert note["invoice_id"] == by_sub[sub["id"]]["id"]
        assert note["total"] > 0
        [line] = note["lines"]
        assert (line["service_start"], line["service_end"], line["amount"]) == (
            "2025-04-05",
            "2025-05-02",
            22495,
        )
    # Undo after the credit: a new invoice, the next number of its series.
    undo = ok(api.delete(f"/v1/subscriptions/{subs[0]['id']}/cancel"))
    assert [(d["number"], d["total"]) for d in undo["documents"]] == [("INV-000005", 22495)]


def test_locales_format_documents(api: Api) -> None:
    api.today("2025-04-05")
    cases = [
        ("nb_NO", "NOK", "249,95\xa0kr"),
        ("da_DK", "DKK", "249,95\xa0kr."),
        ("sv_SE", "EUR", "249,95\xa0€"),
    ]
    for locale, currency, formatted in cases:
        cust = api.customer(currency=currency, locale=locale)
        sub = api.subscription(cust, api.plan(currency=currency), start_date="2025-04-02")
        [invoice_id] = bill(api, "2025-04-02")["invoices"]
        inv = ok(api.get(f"/v1/invoices/{invoice_id}"))
        assert (inv["currency"], inv["total"], inv["total_formatted"]) == (
            currency,
            24995,
            formatted,
        )
        assert inv["lines"][0]["amount_formatted"] == formatted
        ledger = ok(api.get(f"/v1/subscriptions/{sub['id']}/ledger"))
        assert ledger["balance_formatted"] == formatted
    # JPY has no minor unit: 999 yen, cancelled from 04-05, credits 999 − R(99.9) = 899.
    yen = api.customer(currency="JPY")
    sub = api.subscription(yen, api.plan(currency="JPY", unit_amount=999), start_date="2025-04-02")
    bill(api, "2025-04-02")
    [note] = cancel(api, sub, mode="on_date", date="2025-04-05")["documents"]
    assert (note["total"], note["total_formatted"]) == (899, "899\xa0JPY")
    big = api.customer(currency="SEK")
    api.subscription(big, api.plan(unit_amount=123450), start_date="2025-04-02")
    [invoice_id] = bill(api, "2025-04-02")["invoices"]
    assert ok(api.get(f"/v1/invoices/{invoice_id}"))["total_formatted"] == "1\xa0234,50\xa0kr"


def test_credit_note_feed_never_skips_or_repeats(api: Api) -> None:
    subs = subscriptions(api, 7)
    bill(api, "2025-04-02")
    for sub in subs[:4]:
        cancel(api, sub, mode="on_date", date="2025-04-10")
    integration = api_key(api, "integration")
    pending = iter(subs[4:])

    def post_another() -> None:
        sub = next(pending, None)
        if sub is not None:
            cancel(api, sub, mode="on_date", date="2025-04-10")

    seen = feed(integration, "/v1/credit-notes", 2, between_pages=post_another)
    numbers = [d["number"] for d in seen]
    assert numbers == [f"CN-{n:06d}" for n in range(1, len(numbers) + 1)]
    everything = ok(api.get("/v1/credit-notes"))["data"]
    assert len(everything) == 7
    # Resuming from the last cursor picks up exactly what came after.
    last = seen[-1]["number"]
    rest = [d for d in everything if d["number"] > last]
    page = ok(integration.get("/v1/credit-notes", params={"after": str(len(seen)), "limit": 10}))
    assert page["data"] == rest
    for limit in (1, 3, 7, 100):
        assert feed(integration, "/v1/credit-notes", limit) == everything
    assert_problem(
        integration.get("/v1/credit-notes", params={"after": "not-a-cursor"}), 422, "invalid_cursor"
    )


def test_payments_by_integration_mark_invoices_paid(api: Api) -> None:
    [sub] = subscriptions(api, 1)
    [invoice_id] = bill(api, "2025-04-02")["invoices"]
    integration = api_key(api, "integration")
    path = f"/v1/invoices/{invoice_id}/payments"

    paid = ok(
        integration.post(path, {"amount": 10000, "paid_on": "2025-04-10", "reference": "bg-1"}), 201
    )
    assert (paid["amount"], paid["paid_on"], paid["reference"]) == (10000, "2025-04-10", "bg-1")
    assert paid["invoice"]["status"] == "open"
    assert (paid["invoice"]["amount_paid"], paid["invoice"]["amount_due"]) == (10000, 14995)

    before = state(api, sub)
    for amount in (14996, 10**12):
        r = integration.post(path, {"amount": amount, "paid_on": "2025-04-11"})
        assert_problem(r, 422, "overpayment")
    assert state(api, sub) == before

    rest = ok(integration.post(path, {"amount": 14995, "paid_on": "2025-04-12"}), 201)
    assert rest["invoice"]["status"] == "paid"
    inv = ok(integration.get(f"/v1/invoices/{invoice_id}"))
    assert (inv["status"], inv["amount_paid"], inv["amount_due"]) == ("paid", 24995, 0)
    assert_problem(
        integration.post(path, {"amount": 1, "paid_on": "2025-04-12"}), 422, "overpayment"
    )
    assert counts(api)["payments"] == 2
    assert_problem(
        integration.post("/v1/invoices/inv_nope/payments", {"amount": 1, "paid_on": "2025-04-12"}),
        404,
        "not_found",
    )


def test_payment_after_a_credit_covers_only_what_is_left(api: Api) -> None:
    [sub] = subscriptions(api, 1)
    [invoice_id] = bill(api, "2025-04-02")["invoices"]
    cancel(api, sub, mode="on_date", date="2025-04-05")
    path = f"/v1/invoices/{invoice_id}/payments"
    assert_problem(api.post(path, {"amount": 2501, "paid_on": "2025-04-12"}), 422, "overpayment")
    paid = ok(api.post(path, {"amount": 2500, "paid_on": "2025-04-12"}), 201)["invoice"]
    assert (paid["status"], paid["amount_due"], paid["amount_credited"]) == ("paid", 0, 22495)
    # A bill run with an earlier as_of never undoes what later ones posted.
    bill(api, "2025-06-02")
    run = bill(api, "2025-04-02")
    assert (run["invoices"], run["credit_notes"]) == ([], [])


def test_fully_credited_unpaid_invoice_is_void_and_takes_no_payment(api: Api) -> None:
    [sub] = subscriptions(api, 1)
    [invoice_id] = bill(api, "2025-04-02")["invoices"]
    [note] = cancel(api, sub, mode="on_date", date="2025-04-02")["documents"]
    assert note["total"] == 24995
    inv = ok(api.get(f"/v1/invoices/{invoice_id}"))
    assert (inv["status"], inv["amount_credited"], inv["amount_due"]) == ("void", 24995, 0)
    r = api.post(f"/v1/invoices/{invoice_id}/payments", {"amount": 1, "paid_on": "2025-04-12"})
    assert_problem(r, 422, "invoice_void")
