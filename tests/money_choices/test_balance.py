"""Customer balance: unused paid time kept as credit, consumed first by later invoices (those that
post at once: changes, undo; and bill runs'); never negative, in the customer's one currency.

Monthly plan anchored on the 1st, 300.00 kr a licence; April (30 days) billed on 04-01; the
clock at 04-11.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.money_choices.helpers import (
    assert_money_sound,
    assert_problem,
    balance,
    bill,
    do,
    entries,
    invoice,
    invoices,
    of_type,
    ok,
    pay,
    preview,
    refunds,
    setup,
    snapshot,
    undo,
    without_ids,
)

TODAY = "2025-04-11"


def kinds(bal: dict[str, Any]) -> list[tuple[str, int, str]]:
    return [(e["kind"], e["amount"], e["document_id"]) for e in bal["entries"]]


def two_subscriptions(
    api: Api, *, quantity_a: int = 1
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], str, str]:
    """One customer, subscriptions A (``quantity_a`` licences, paid in full) and B (one
    licence, unpaid), both billed for April; the clock at 04-11."""
    cust, a = setup(api, quantity=quantity_a)
    _, b = setup(api, customer=cust)
    bill(api, "2025-04-01")
    [inv_a] = [i["id"] for i in invoices(api, subscription_id=a["id"])]
    [inv_b] = [i["id"] for i in invoices(api, subscription_id=b["id"])]
    pay(api, inv_a, 30000 * quantity_a, "2025-04-05")
    api.today(TODAY)
    return cust, a, b, inv_a, inv_b


def test_cancellation_kept_as_balance_then_consumed_by_the_undo_invoice(api: Api) -> None:
    cust, sub = setup(api)
    [inv] = bill(api, "2025-04-01")["invoices"]
    pay(api, inv, 30000, "2025-04-05")
    api.today(TODAY)
    body = {"mode": "on_date", "date": "2025-04-15", "unused": "balance"}

    # Ending 04-15 gives back [04-15, 05-01): 30000 − R(30000 × 14/30) = 160.00 kr, all of it
    # paid, so all of it is kept as balance.
    seen = preview(api, sub, "/cancel", body)
    assert [(d["type"], d["total"]) for d in seen["documents"]] == [("credit_note", 16000)]
    assert balance(api, cust)["balance"] == 0
    done = do(api, sub, "/cancel", body)
    assert without_ids(seen["documents"]) == without_ids(done["documents"])
    [note] = done["documents"]
    bal = balance(api, cust)
    assert (bal["balance"], bal["currency"]) == (16000, "SEK")
    assert kinds(bal) == [("credit_kept", 16000, note["id"])]
    assert refunds(api, cust["id"]) == []
    assert invoice(api, inv)["amount_due"] == 0

    # Undo brings the days back as a new charge at once; that invoice consumes the balance.
    before = snapshot(api, cust, sub)
    seen = undo(api, sub, preview=True)
    [shown] = seen["documents"]
    assert (shown["type"], shown["total"], shown["balance_applied"], shown["amount_due"]) == (
        "invoice",
        16000,
        16000,
        0,
    )
    assert shown["status"] == "paid"
    assert snapshot(api, cust, sub) == before
    done = undo(api, sub)
    assert without_ids(seen["documents"]) == without_ids(done["documents"])
    [new] = done["documents"]
    got = invoice(api, new["id"])
    assert (got["total"], got["balance_applied"], got["amount_due"], got["status"]) == (
        16000,
        16000,
        0,
        "paid",
    )
    assert new["id"] in [i["id"] for i in invoices(api, customer_id=cust["id"])]
    bal = balance(api, cust)
    assert bal["balance"] == 0
    assert kinds(bal) == [("credit_kept", 16000, note["id"]), ("applied", -16000, new["id"])]
    assert entries(api, sub) == [
        ("charge", "2025-04-01", "2025-05-01", 1, 30000),
        ("credit", "2025-04-15", "2025-05-01", 1, -16000),
        ("charge", "2025-04-15", "2025-05-01", 1, 16000),
    ]
    m = assert_money_sound(api, cust)
    assert (m.charges, m.credits, m.paid, m.due, m.balance, m.unreturned) == (
        46000,
        16000,
        30000,
        0,
        0,
        0,
    )


def test_balance_consumed_by_another_subscriptions_change_invoice(api: Api) -> None:
    cust, a, b, inv_a, inv_b = two_subscriptions(api)
    done = do(api, a, "/cancel", {"mode": "immediately", "unused": "balance"})
    [note_a] = done["documents"]
    assert note_a["total"] == 20000
    assert balance(api, cust)["balance"] == 20000

    # B from 1 to 3 licences from 04-11: [04-11, 05-01) at 900.00 = 600.00 on a new invoice,
    # 200.00 back on B's unpaid April invoice (which refunds nothing, keeps nothing).
    body = {"effective_date": TODAY, "quantity": 3, "proration": "by_day"}
    seen = preview(api, b, "/changes", body)
    [shown] = of_type(seen["documents"], "invoice")
    assert (shown["total"], shown["balance_applied"], shown["amount_due"]) == (60000, 20000, 40000)
    assert balance(api, cust)["balance"] == 20000
    done = do(api, b, "/changes", body)
    assert without_ids(seen["documents"]) == without_ids(done["documents"])
    [new] = of_type(done["documents"], "invoice")
    [note_b] = of_type(done["documents"], "credit_note")
    assert (note_b["invoice_id"], note_b["total"]) == (inv_b, 20000)
    got = invoice(api, new["id"])
    assert (got["balance_applied"], got["amount_due"], got["status"]) == (20000, 40000, "open")
    assert invoice(api, inv_b)["amount_due"] == 10000
    bal = balance(api, cust)
    assert bal["balance"] == 0
    assert kinds(bal) == [("credit_kept", 20000, note_a["id"]), ("applied", -20000, new["id"])]
    assert_money_sound(api, cust)


def test_balance_larger_than_the_invoice_leaves_the_rest(api: Api) -> None:
    cust, a, b, _, _ = two_subscriptions(api, quantity_a=3)
    do(api, a, "/cancel", {"mode": "immediately", "unused": "balance"})
    assert balance(api, cust)["balance"] == 60000
    done = do(api, b, "/changes", {"effective_date": TODAY, "quantity": 2, "proration": "by_day"})
    [new] = of_type(done["documents"], "invoice")
    # 40000 asked, 60000 available: the invoice is covered, never below zero; 20000 stays.
    got = invoice(api, new["id"])
    assert (got["total"], got["balance_applied"], got["amount_due"], got["status"]) == (
        40000,
        40000,
        0,
        "paid",
    )
    assert balance(api, cust)["balance"] == 20000
    assert_money_sound(api, cust)


def test_bill_run_invoice_consumes_balance(api: Api) -> None:
    cust, a, b, _, _ = two_subscriptions(api)
    do(api, a, "/cancel", {"mode": "immediately", "unused": "balance"})
    assert balance(api, cust)["balance"] == 20000
    run = bill(api, "2025-05-01")
    [may] = [i for i in invoices(api, subscription_id=b["id"]) if i["id"] in run["invoices"]]
    assert (may["total"], may["balance_applied"], may["amount_due"]) == (30000, 20000, 10000)
    bal = balance(api, cust)
    assert bal["balance"] == 0
    assert [(e["kind"], e["amount"]) for e in bal["entries"]] == [
        ("credit_kept", 20000),
        ("applied", -20000),
    ]
    assert bal["entries"][-1]["document_id"] == may["id"]
    assert_money_sound(api, cust)


def test_refund_never_more_than_paid_in_money_the_rest_to_balance(api: Api) -> None:
    cust, a, b, _, inv_b = two_subscriptions(api)
    do(api, a, "/cancel", {"mode": "immediately", "unused": "balance"})
    # B 1 → 2 licences: a new 400.00 invoice, 200.00 of it from balance; 50.00 paid in money.
    done = do(api, b, "/changes", {"effective_date": TODAY, "quantity": 2, "proration": "by_day"})
    [new] = of_type(done["documents"], "invoice")
    assert (new["total"], new["balance_applied"]) == (40000, 20000)
    pay(api, new["id"], 5000, "2025-04-12")

    # B ends 04-16: [04-16, 05-01) at 600.00 = 300.00 back on the new invoice. Owed on it now
    # 100.00, settled 250.00: 150.00 overpaid, but only 50.00 was money: 50.00 refunded,
    # 100.00 back to balance.
    body = {"mode": "on_date", "date": "2025-04-16", "unused": "refund"}
    seen = preview(api, b, "/cancel", body)
    assert [(d["type"], d["total"], d["invoice_id"]) for d in seen["documents"]] == [
        ("credit_note", 30000, new["id"]),
        ("refund", 5000, new["id"]),
    ]
    done = do(api, b, "/cancel", body)
    assert without_ids(seen["documents"]) == without_ids(done["documents"])
    [note] = of_type(done["documents"], "credit_note")
    [refund] = refunds(api, cust["id"])
    assert (refund["invoice_id"], refund["total"]) == (new["id"], 5000)
    bal = balance(api, cust)
    assert bal["balance"] == 10000
    assert kinds(bal)[-1] == ("credit_kept", 10000, note["id"])
    assert invoice(api, new["id"])["amount_due"] == 0
    assert invoice(api, inv_b)["amount_due"] == 10000
    m = assert_money_sound(api, cust)
    assert m.refunded_by_invoice == {new["id"]: 5000}
    assert m.unreturned == 0


def test_balance_of_a_customer_in_euro(api: Api) -> None:
    cust = api.customer(name="Hansen ApS", currency="EUR", locale="da_DK")
    _, sub = setup(api, customer=cust, unit=3000)
    [inv] = bill(api, "2025-04-01")["invoices"]
    fresh = balance(api, cust)
    assert (fresh["balance"], fresh["currency"], fresh["entries"]) == (0, "EUR", [])
    pay(api, inv, 3000, "2025-04-02")
    api.today(TODAY)
    do(api, sub, "/cancel", {"mode": "immediately", "unused": "balance"})
    bal = balance(api, cust)
    assert (bal["balance"], bal["currency"]) == (2000, "EUR")
    assert "20,00" in bal["balance_formatted"] and "€" in bal["balance_formatted"]
    assert_money_sound(api, cust)


def test_balance_of_an_unknown_or_other_customer_is_not_found(api: Api) -> None:
    mine = api.customer()
    other = api.customer(name="Other AB")
    assert_problem(api.get("/v1/customers/cus_nope/balance"), 404, "not_found")
    key = ok(api.post("/v1/api-keys", {"role": "portal", "customer_id": mine["id"]}), 201)
    portal = api.as_token(key["token"])
    assert ok(portal.get(f"/v1/customers/{mine['id']}/balance"))["balance"] == 0
    assert_problem(portal.get(f"/v1/customers/{other['id']}/balance"), 404, "not_found")
