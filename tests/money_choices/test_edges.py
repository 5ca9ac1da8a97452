"""Edges of the money choices: a refunded cancellation moved and undone, a change "from the
next period" past the end date, and the refunds feed read by cursor.

Monthly plan anchored on the 1st, 300.00 kr; April (30 days) billed on 04-01; clock at 04-11.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.money_choices.helpers import (
    assert_money_sound,
    assert_problem,
    bill,
    do,
    invoice,
    ok,
    path,
    pay,
    refunds,
    setup,
    snapshot,
    undo,
)

TODAY = "2025-04-11"
D12 = "2025-04-12"  # the earliest end that has not passed (ending today ends it at once)


def paid_april(
    api: Api, paid: int, customer: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any], str]:
    cust, sub = setup(api, customer=customer)
    [inv] = [i for i in bill(api, "2025-04-01")["invoices"]]
    if paid:
        pay(api, inv, paid, "2025-04-05")
    api.today(TODAY)
    return cust, sub, inv


@pytest.mark.parametrize(
    "paid,steps",
    [
        # Paid in full: each move earlier refunds exactly the days it gives back.
        # [04-16, 04-21) = R(30000 × 20/30) − R(30000 × 15/30) = 50.00; [04-12, 04-16) = 40.00.
        (30000, [("2025-04-21", 10000, 10000), ("2025-04-16", 5000, 5000), (D12, 4000, 4000)]),
        # Half paid: nothing is overpaid until the credits pass what is unpaid (150.00).
        (15000, [("2025-04-16", 15000, 0), (D12, 4000, 4000)]),
    ],
)
def test_refunded_cancellation_moved_earlier_then_undone(
    api: Api, paid: int, steps: list[tuple[str, int, int]]
) -> None:
    cust, sub, inv = paid_april(api, paid)
    total_refunded = 0
    for end, credit, refund in steps:
        done = do(api, sub, "/cancel", {"mode": "on_date", "date": end, "unused": "refund"})
        assert [(d["type"], d["total"]) for d in done["documents"]] == [
            ("credit_note", credit),
            *([("refund", refund)] if refund else []),
        ]
        total_refunded += refund
        assert sum(r["total"] for r in refunds(api, cust["id"])) == total_refunded
        assert total_refunded <= paid
        assert_money_sound(api, cust)
    assert invoice(api, inv)["amount_due"] == 0
    # Undo brings [04-12, 05-01) = 30000 − R(30000 × 11/30) = 190.00 back as a new charge;
    # what was refunded stays refunded.
    done = undo(api, sub)
    [new] = done["documents"]
    assert (new["type"], new["total"], new["amount_due"]) == ("invoice", 19000, 19000)
    assert sum(r["total"] for r in refunds(api, cust["id"])) == total_refunded
    m = assert_money_sound(api, cust)
    assert (m.charges - m.credits, m.paid - m.refunded, m.due) == (30000, 11000, 19000)


def test_refunded_cancellation_moved_later_charges_the_days_back(api: Api) -> None:
    cust, sub, inv = paid_april(api, 30000)
    do(api, sub, "/cancel", {"mode": "on_date", "date": D12, "unused": "refund"})
    assert [r["total"] for r in refunds(api, cust["id"])] == [19000]
    # Moved to 04-21: [04-12, 04-21) = R(30000 × 20/30) − R(30000 × 11/30) = 90.00 charged.
    done = do(api, sub, "/cancel", {"mode": "on_date", "date": "2025-04-21", "unused": "refund"})
    [new] = done["documents"]
    assert (new["type"], new["total"], new["amount_due"]) == ("invoice", 9000, 9000)
    assert [r["total"] for r in refunds(api, cust["id"])] == [19000]
    assert_money_sound(api, cust)


def test_from_next_period_past_the_end_date_is_refused(api: Api) -> None:
    cust, sub, inv = paid_april(api, 30000)
    do(api, sub, "/cancel", {"mode": "on_date", "date": "2025-04-25"})
    before = snapshot(api, cust, sub)
    body = {"effective_date": TODAY, "quantity": 2, "proration": "from_next_period"}
    for params in (None, {"preview": "true"}):
        assert_problem(api.post(path(sub, "/changes"), body, params=params), 422, "after_end")
    assert snapshot(api, cust, sub) == before


def test_refunds_feed_by_cursor_never_skips_or_repeats(api: Api) -> None:
    seen_customers = []
    for _ in range(3):
        cust, sub, _inv = paid_april(api, 30000, customer=api.customer())
        api.today(TODAY)
        do(api, sub, "/cancel", {"mode": "immediately", "unused": "refund"})
        seen_customers.append(cust["id"])
    everything = refunds(api)
    assert [r["customer_id"] for r in everything] == seen_customers
    numbers = [r["number"] for r in everything]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    first = ok(api.get("/v1/refunds", params={"limit": 2}))
    assert [r["id"] for r in first["data"]] == [r["id"] for r in everything[:2]]
    rest = ok(api.get("/v1/refunds", params={"limit": 2, "after": first["next_cursor"]}))
    assert [r["id"] for r in rest["data"]] == [everything[2]["id"]]
    assert rest["next_cursor"] is None
    assert [r["id"] for r in refunds(api, seen_customers[1])] == [everything[1]["id"]]
