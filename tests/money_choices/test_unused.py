"""What unused paid time becomes: ``credit_note``, ``refund``, ``balance`` or ``none``, on a
cancellation, a pause and a downward change, with exact amounts.

Monthly plan anchored on the 1st, 300.00 kr; April (30 days) billed in advance on 04-01, and
the clock at 04-11: [04-11, 05-01) is 20 days unused, 300.00 − R(30000 × 10/30) = 200.00 kr.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.money_choices.helpers import (
    APRIL,
    MAY,
    assert_money_sound,
    balance,
    bill,
    credit_notes,
    do,
    entries,
    invoice,
    invoices,
    of_type,
    pay,
    period_total,
    preview,
    refunds,
    setup,
    snapshot,
    timeline,
    without_ids,
)

TODAY = "2025-04-11"


def billed(api: Api, *, paid: int = 0, **kw: Any) -> tuple[dict[str, Any], dict[str, Any], str]:
    """April billed (300.00 kr) and ``paid`` of it paid; the clock at 04-11."""
    cust, sub = setup(api, **kw)
    [inv] = bill(api, "2025-04-01")["invoices"]
    if paid:
        pay(api, inv, paid, "2025-04-05")
    api.today(TODAY)
    return cust, sub, inv


def preview_then_do(
    api: Api, cust: dict[str, Any], sub: dict[str, Any], suffix: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Preview (changing nothing), then do it; the real documents are the previewed ones."""
    before = snapshot(api, cust, sub)
    seen = preview(api, sub, suffix, body)
    assert snapshot(api, cust, sub) == before
    done = do(api, sub, suffix, body)
    assert without_ids(seen["documents"]) == without_ids(done["documents"])
    return done


# -- a mid-period cancellation refunded on a half-paid invoice -----------------------------------


def test_cancellation_refund_on_half_paid_invoice(api: Api) -> None:
    cust, sub, inv = billed(api, paid=15000)
    body = {"mode": "immediately", "unused": "refund"}
    before = snapshot(api, cust, sub)

    seen = preview(api, sub, "/cancel", body)
    # 200.00 kr comes back; 100.00 kr is still owed for [04-01, 04-11), 150.00 kr was paid:
    # 50.00 kr was overpaid and is refunded, not the 200.00 credited nor the 150.00 paid.
    assert [(d["type"], d["total"], d["invoice_id"]) for d in seen["documents"]] == [
        ("credit_note", 20000, inv),
        ("refund", 5000, inv),
    ]
    assert of_type(seen["documents"], "refund")[0]["status"] == "pending"
    assert snapshot(api, cust, sub) == before
    assert refunds(api) == []

    done = do(api, sub, "/cancel", body)
    assert without_ids(seen["documents"]) == without_ids(done["documents"])
    assert done["end_date"] == TODAY
    # The ledger: the credit, against the invoice.
    assert entries(api, sub) == [
        ("charge", "2025-04-01", "2025-05-01", 1, 30000),
        ("credit", "2025-04-11", "2025-05-01", 1, -20000),
    ]
    # The documents: the credit note in its feed, the refund instruction in the refunds feed.
    [note] = credit_notes(api, cust["id"])
    assert (note["invoice_id"], note["total"]) == (inv, 20000)
    [refund] = refunds(api, cust["id"])
    assert refund == of_type(done["documents"], "refund")[0]
    assert refund["type"] == "refund"
    assert refund["number"].startswith("RF-")
    assert (refund["invoice_id"], refund["total"], refund["status"]) == (inv, 5000, "pending")
    assert refund["currency"] == "SEK" and refund["customer_id"] == cust["id"]
    assert refunds(api) == [refund]
    # The invoice: nothing owed any more; what is given back is a refund, not balance.
    shown = invoice(api, inv)
    assert (shown["amount_paid"], shown["amount_credited"], shown["amount_due"]) == (
        15000,
        20000,
        0,
    )
    assert shown["status"] == "paid"
    assert balance(api, cust)["balance"] == 0 and balance(api, cust)["entries"] == []
    # The event keeps the choice; nothing more is billed after the end.
    [event] = [e for e in timeline(api, sub)["events"] if e["type"] == "cancellation_scheduled"]
    assert event["data"]["unused"] == "refund"
    run = bill(api, "2025-05-01")
    assert run["invoices"] == [] and run["credit_notes"] == []
    m = assert_money_sound(api, cust)
    assert (m.charges, m.credits, m.paid, m.refunded, m.due, m.balance) == (
        30000,
        20000,
        15000,
        5000,
        0,
        0,
    )


@pytest.mark.parametrize(
    "paid,end,credit,refunded",
    [
        (0, TODAY, 20000, 0),  # unpaid: the credit only reduces what is owed
        (15000, "2025-04-21", 10000, 0),  # 200.00 still owed, 150.00 paid: nothing overpaid
        (15000, "2025-04-16", 15000, 0),  # owed 150.00, paid 150.00: exactly settled
        (25000, "2025-04-16", 15000, 10000),  # owed 150.00, paid 250.00
        (30000, TODAY, 20000, 20000),  # paid in full: all the credit back
    ],
)
def test_refund_is_the_overpayment_never_more_than_paid(
    api: Api, paid: int, end: str, credit: int, refunded: int
) -> None:
    cust, sub, inv = billed(api, paid=paid)
    done = preview_then_do(
        api, cust, sub, "/cancel", {"mode": "on_date", "date": end, "unused": "refund"}
    )
    [note] = of_type(done["documents"], "credit_note")
    assert note["total"] == credit
    assert [r["total"] for r in refunds(api, cust["id"])] == ([refunded] if refunded else [])
    assert [r["total"] for r in of_type(done["documents"], "refund")] == (
        [refunded] if refunded else []
    )
    assert balance(api, cust)["balance"] == 0
    assert invoice(api, inv)["amount_due"] == max(0, 30000 - credit - paid)
    assert_money_sound(api, cust)


# -- every choice on a cancellation, a pause and a downward change -------------------------------

# On a half-paid invoice (150.00 of 300.00 kr paid), giving back [04-11, 05-01) = 200.00 kr
# leaves 100.00 owed against 150.00 paid: 50.00 overpaid.
ACTIONS = {
    "cancel": ("/cancel", {"mode": "immediately"}),
    "pause": ("/pause", {"start_date": TODAY}),
    # 300.00 → 200.00 from 04-11: old terms' 200.00 credited, 20000 − R(20000 × 10/30) = 133.33
    # charged on a new invoice.
    "drop": ("/changes", {"effective_date": TODAY, "unit_amount": 20000, "proration": "by_day"}),
}
# unused → (refund, kept as balance); "none" posts nothing at all.
ROUTED = {"credit_note": (0, 5000), "refund": (5000, 0), "balance": (0, 5000)}


@pytest.mark.parametrize("unused", ["credit_note", "refund", "balance", "none"])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_unused_choice_on_each_action(api: Api, action: str, unused: str) -> None:
    cust, sub, inv = billed(api, paid=15000)
    suffix, body = ACTIONS[action]
    done = preview_then_do(api, cust, sub, suffix, {**body, "unused": unused})
    [event] = [e for e in timeline(api, sub)["events"] if e["id"] == done["event_id"]]
    assert event["data"]["unused"] == unused
    if unused == "none":
        # Nothing posted: the customer keeps paying for April as billed.
        assert done["documents"] == []
        assert entries(api, sub) == [("charge", "2025-04-01", "2025-05-01", 1, 30000)]
        assert credit_notes(api, cust["id"]) == [] and refunds(api, cust["id"]) == []
        assert balance(api, cust)["balance"] == 0
        assert invoice(api, inv)["amount_due"] == 15000
        assert_money_sound(api, cust)
        return
    refund, kept = ROUTED[unused]
    [note] = of_type(done["documents"], "credit_note")
    assert (note["invoice_id"], note["total"]) == (inv, 20000)
    assert [r["total"] for r in of_type(done["documents"], "refund")] == (
        [refund] if refund else []
    )
    assert [r["total"] for r in refunds(api, cust["id"])] == ([refund] if refund else [])
    assert invoice(api, inv)["amount_due"] == 0
    new_invoices = of_type(done["documents"], "invoice")
    bal = balance(api, cust)
    if action == "drop":
        [new] = new_invoices
        assert new["total"] == 13333
        # What was kept is consumed by the change's own invoice at once.
        assert new["balance_applied"] == kept
        assert new["amount_due"] == 13333 - kept
        assert bal["balance"] == 0
        assert [(e["kind"], e["amount"]) for e in bal["entries"]] == (
            [("credit_kept", kept), ("applied", -kept)] if kept else []
        )
    else:
        assert new_invoices == []
        assert bal["balance"] == kept
        assert [(e["kind"], e["amount"], e["document_id"]) for e in bal["entries"]] == (
            [("credit_kept", kept, note["id"])] if kept else []
        )
    m = assert_money_sound(api, cust)
    # No choice leaves the overpayment nowhere (the credit-note choice keeps it as credit).
    assert m.unreturned == 0


# -- "none": the customer keeps paying for the period under way ----------------------------------


def test_cancellation_none_bills_the_whole_period_the_end_falls_in(api: Api) -> None:
    cust, sub, inv = billed(api, paid=30000)
    # Ending in April (already billed): nothing comes back.
    done = preview_then_do(api, cust, sub, "/cancel", {"mode": "immediately", "unused": "none"})
    assert done["documents"] == [] and done["end_date"] == TODAY
    assert entries(api, sub) == [("charge", "2025-04-01", "2025-05-01", 1, 30000)]
    assert bill(api, "2025-05-01")["invoices"] == []
    assert period_total(api, sub, MAY) == 0
    assert_money_sound(api, cust)


@pytest.mark.parametrize("unused,may", [("none", 30000), ("credit_note", 9677)])
def test_cancellation_in_a_period_not_billed_yet(api: Api, unused: str, may: int) -> None:
    """Ending 05-11 (May not billed yet): with "none" May is billed in full; by default only
    [05-01, 05-11) = R(30000 × 10/31) = 96.77 kr. Service ends on 05-11 either way."""
    cust, sub, _ = billed(api)
    done = preview_then_do(
        api, cust, sub, "/cancel", {"mode": "on_date", "date": "2025-05-11", "unused": unused}
    )
    assert done["documents"] == [] and done["end_date"] == "2025-05-11"
    run = bill(api, "2025-05-01")
    [inv] = run["invoices"]
    lines = [
        (ln["service_start"], ln["service_end"], ln["amount"]) for ln in invoice(api, inv)["lines"]
    ]
    end = "2025-06-01" if unused == "none" else "2025-05-11"
    assert lines == [("2025-05-01", end, may)]
    assert period_total(api, sub, MAY) == may
    api.today("2025-06-01")
    assert bill(api, "2025-06-01")["invoices"] == []
    assert ok_status(api, sub) == "terminated"
    assert_money_sound(api, cust)


def ok_status(api: Api, sub: dict[str, Any]) -> str:
    return api.get(f"/v1/subscriptions/{sub['id']}").json()["status"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "resume,may",
    [
        # Resumed 05-16: May bills [05-16, 06-01) = 30000 − R(30000 × 15/31) = 154.84 kr.
        ("2025-05-16", 15484),
        # Resumed 04-21, inside the period the customer keeps paying: May in full.
        ("2025-04-21", 30000),
    ],
)
def test_pause_none_comes_off_the_bill_from_the_next_period(
    api: Api, resume: str, may: int
) -> None:
    cust, sub, inv = billed(api, paid=30000)
    body = {"start_date": TODAY, "resume_date": resume, "unused": "none"}
    done = preview_then_do(api, cust, sub, "/pause", body)
    assert done["documents"] == []
    [event] = [e for e in timeline(api, sub)["events"] if e["type"] == "paused"]
    assert event["effective_date"] == TODAY
    assert event["data"]["billing_from"] == "2025-05-01"
    assert entries(api, sub) == [("charge", "2025-04-01", "2025-05-01", 1, 30000)]
    bill(api, "2025-05-01")
    assert period_total(api, sub, APRIL) == 30000
    assert period_total(api, sub, MAY) == may
    assert_money_sound(api, cust)


def test_pause_credit_note_for_comparison(api: Api) -> None:
    cust, sub, inv = billed(api, paid=30000)
    body = {"start_date": TODAY, "resume_date": "2025-05-16"}
    done = preview_then_do(api, cust, sub, "/pause", body)
    [note] = done["documents"]
    assert (note["type"], note["total"], note["invoice_id"]) == ("credit_note", 20000, inv)
    bill(api, "2025-05-01")
    assert period_total(api, sub, APRIL) == 10000
    assert period_total(api, sub, MAY) == 15484
    m = assert_money_sound(api, cust)
    # The 200.00 kr given back on a paid invoice is kept as credit; May's invoice (154.84 kr)
    # consumes it first: 45.16 kr credit is left.
    assert (m.unreturned, m.refunded, m.kept, m.balance) == (0, 0, 20000, 20000 - 15484)
    assert invoices(api, customer_id=cust["id"])[0]["amount_due"] == 0
