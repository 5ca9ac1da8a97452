"""Pause, resume and mid-period changes through the API, with amounts worked by hand.

Period [04-02, 05-02) has 30 days and P = 24995. Cumulative rounding: R(24995 × 8 / 30) = 6665,
R(24995 × 15 / 30) = R(12497.5) = 12498, R(24995 × 18 / 30) = 14997.
"""

from __future__ import annotations

from typing import Any

from tests.api.helpers import (
    assert_problem,
    bill,
    entries,
    ledger,
    ok,
    setup,
    state,
    sub_path,
    timeline,
)
from tests.conftest import Api


def post(api: Api, sub: dict[str, Any], action: str, status: int = 200, **body: Any) -> Any:
    r = api.post(sub_path(sub, f"/{action}"), body)
    assert r.status_code == status, r.text
    return r.json()


def invoice_lines(api: Api, invoice_id: str) -> list[tuple[str, str, int, int, int]]:
    doc = ok(api.get(f"/v1/invoices/{invoice_id}"))
    return [
        (ln["service_start"], ln["service_end"], ln["unit_amount"], ln["quantity"], ln["amount"])
        for ln in doc["lines"]
    ]


def test_paused_days_are_not_billed(api: Api) -> None:
    sub = setup(api, today="2025-04-02", start="2025-04-02")
    paused = post(api, sub, "pause", start_date="2025-04-10", resume_date="2025-04-20")
    assert paused["documents"] == [] and paused["version"] == 2
    [invoice_id] = bill(api, "2025-04-02")["invoices"]
    # [04-02, 04-10): 6665; [04-20, 05-02): 24995 − 14997 = 9998.
    assert invoice_lines(api, invoice_id) == [
        ("2025-04-02", "2025-04-10", 24995, 1, 6665),
        ("2025-04-20", "2025-05-02", 24995, 1, 9998),
    ]
    assert ok(api.get(f"/v1/invoices/{invoice_id}"))["total"] == 16663
    assert timeline(api, sub)["segments"] == [
        {
            "start": "2025-04-02",
            "end": "2025-04-10",
            "state": "active",
            "unit_amount": 24995,
            "quantity": 1,
        },
        {
            "start": "2025-04-10",
            "end": "2025-04-20",
            "state": "paused",
            "unit_amount": 24995,
            "quantity": 1,
        },
        {
            "start": "2025-04-20",
            "end": None,
            "state": "active",
            "unit_amount": 24995,
            "quantity": 1,
        },
    ]
    for day, status in (
        ("2025-04-09", "active"),
        ("2025-04-10", "paused"),
        ("2025-04-19", "paused"),
        ("2025-04-20", "active"),
    ):
        api.today(day)
        assert ok(api.get(sub_path(sub)))["status"] == status, day
    # The pause keeps the anchor: May is a full period.
    [may] = bill(api, "2025-05-02")["invoices"]
    assert invoice_lines(api, may) == [("2025-05-02", "2025-06-02", 24995, 1, 24995)]


def test_pause_in_a_billed_period_credits_the_paused_days_and_resume_rebills(api: Api) -> None:
    sub = setup(api, today="2025-04-05", start="2025-04-02")
    [invoice_id] = bill(api, "2025-04-02")["invoices"]
    # Open-ended pause from 04-10: credit [04-10, 05-02) = 24995 − 6665 = 18330, at once.
    paused = post(api, sub, "pause", start_date="2025-04-10")
    [note] = paused["documents"]
    assert (note["type"], note["invoice_id"], note["total"]) == ("credit_note", invoice_id, 18330)
    assert [(ln["service_start"], ln["service_end"]) for ln in note["lines"]] == [
        ("2025-04-10", "2025-05-02")
    ]
    # Paused periods are not billed at all.
    assert bill(api, "2025-05-02")["invoices"] == []
    assert ledger(api, sub)["balance"] == 6665

    # Resume on 05-15: April's [04-10, 05-02) stays credited; May is billed from 05-15 when
    # a bill run reaches it: [05-15, 06-02) of 31 days = 24995 − R(24995 × 13 / 31) = 14513.
    resumed = post(api, sub, "resume", date="2025-05-15")
    assert resumed["documents"] == []  # May was never billed: nothing to post at once
    [may] = bill(api, "2025-05-15")["invoices"]
    assert invoice_lines(api, may) == [("2025-05-15", "2025-06-02", 24995, 1, 14513)]
    events = timeline(api, sub)["events"]
    assert [e["type"] for e in events] == ["started", "paused", "resumed"]
    assert events[2]["data"]["pause_event_id"] == events[1]["id"]


def test_resume_inside_a_billed_period_charges_the_days_back(api: Api) -> None:
    sub = setup(api, today="2025-04-05", start="2025-04-02")
    bill(api, "2025-04-02")
    post(api, sub, "pause", start_date="2025-04-10")
    resumed = post(api, sub, "resume", date="2025-04-20")
    [invoice] = resumed["documents"]
    assert (invoice["type"], invoice["total"]) == ("invoice", 9998)
    assert entries(api, sub) == [
        ("charge", "2025-04-02", "2025-05-02", 24995),
        ("credit", "2025-04-10", "2025-05-02", -18330),
        ("charge", "2025-04-20", "2025-05-02", 9998),
    ]
    assert ledger(api, sub)["balance"] == 16663


def test_pause_and_resume_refusals_change_nothing(api: Api) -> None:
    sub = setup(api, today="2025-04-05", start="2025-04-02")
    before = state(api, sub)
    assert_problem(api.post(sub_path(sub, "/resume"), {"date": "2025-04-20"}), 409, "not_paused")
    assert_problem(
        api.post(sub_path(sub, "/pause"), {"start_date": "2025-03-01"}), 422, "before_start"
    )
    assert_problem(
        api.post(
            sub_path(sub, "/pause"), {"start_date": "2025-04-20", "resume_date": "2025-04-20"}
        ),
        422,
        "validation_error",
    )
    assert state(api, sub) == before
    post(api, sub, "pause", start_date="2025-04-10", resume_date="2025-04-20")
    before = state(api, sub)
    assert_problem(
        api.post(sub_path(sub, "/pause"), {"start_date": "2025-04-15"}), 409, "pause_overlap"
    )
    assert state(api, sub) == before


def test_price_change_mid_period_bills_old_then_new_terms(api: Api) -> None:
    sub = setup(api, today="2025-04-05", start="2025-04-02")
    changed = post(api, sub, "changes", effective_date="2025-04-17", unit_amount=30000)
    assert changed["documents"] == [] and changed["version"] == 2
    [invoice_id] = bill(api, "2025-04-02")["invoices"]
    # Old terms [04-02, 04-17): R(24995 × 15/30) = 12498; new [04-17, 05-02): 30000 − 15000.
    assert invoice_lines(api, invoice_id) == [
        ("2025-04-02", "2025-04-17", 24995, 1, 12498),
        ("2025-04-17", "2025-05-02", 30000, 1, 15000),
    ]
    assert [e["type"] for e in timeline(api, sub)["events"]] == ["started", "price_changed"]
    api.today("2025-04-17")
    assert ok(api.get(sub_path(sub)))["unit_amount"] == 30000


def test_quantity_change_in_a_billed_period_credits_old_and_charges_new(api: Api) -> None:
    sub = setup(api, today="2025-04-05", start="2025-04-02")
    [invoice_id] = bill(api, "2025-04-02")["invoices"]
    changed = post(api, sub, "changes", effective_date="2025-04-17", quantity=3)
    docs = {d["type"]: d for d in changed["documents"]}
    # Credit the old terms' [04-17, 05-02): 24995 − 12498 = 12497 (as billed, 1 licence);
    # charge the new terms' (P = 74985): 74985 − R(37492.5) = 37492.
    assert set(docs) == {"credit_note", "invoice"}
    assert (docs["credit_note"]["total"], docs["credit_note"]["invoice_id"]) == (12497, invoice_id)
    [credit_line] = docs["credit_note"]["lines"]
    assert (credit_line["unit_amount"], credit_line["quantity"]) == (24995, 1)
    assert docs["invoice"]["total"] == 37492
    [charge_line] = docs["invoice"]["lines"]
    assert (charge_line["service_start"], charge_line["service_end"]) == (
        "2025-04-17",
        "2025-05-02",
    )
    assert (charge_line["unit_amount"], charge_line["quantity"]) == (24995, 3)
    assert ledger(api, sub)["balance"] == 12498 + 37492
    assert ok(api.get(sub_path(sub)))["quantity"] == 1  # today is 04-05: still 1 licence
    segments = timeline(api, sub)["segments"]
    assert [(s["start"], s["end"], s["quantity"]) for s in segments] == [
        ("2025-04-02", "2025-04-17", 1),
        ("2025-04-17", None, 3),
    ]
    run = bill(api, "2025-04-05")
    assert (run["invoices"], run["credit_notes"]) == ([], [])


def test_plan_change_and_currency_mismatch(api: Api) -> None:
    sub = setup(api, today="2025-04-05", start="2025-04-02")
    bigger = api.plan(unit_amount=50000)
    changed = post(api, sub, "changes", effective_date="2025-05-02", plan_id=bigger["id"])
    assert changed["plan_id"] == bigger["id"]
    assert [e["type"] for e in timeline(api, sub)["events"]] == ["started", "plan_changed"]
    [invoice_id] = bill(api, "2025-05-02")["invoices"]
    assert invoice_lines(api, invoice_id) == [
        ("2025-04-02", "2025-05-02", 24995, 1, 24995),
        ("2025-05-02", "2025-06-02", 50000, 1, 50000),
    ]
    api.today("2025-05-02")
    assert ok(api.get(sub_path(sub)))["unit_amount"] == 50000

    euro = api.plan(currency="EUR", unit_amount=2000)
    before = state(api, sub)
    r = api.post(sub_path(sub, "/changes"), {"effective_date": "2025-06-02", "plan_id": euro["id"]})
    assert_problem(r, 422, "currency_mismatch")
    customer = ok(api.get(f"/v1/customers/{sub['customer_id']}"))
    r = api.post(
        "/v1/subscriptions",
        {"customer_id": customer["id"], "plan_id": euro["id"], "start_date": "2025-05-02"},
    )
    assert_problem(r, 422, "currency_mismatch")
    assert state(api, sub) == before


def test_price_and_quantity_together_post_only_old_and_new_terms(api: Api) -> None:
    sub = setup(api, today="2025-04-05", start="2025-04-02")
    [invoice_id] = bill(api, "2025-04-02")["invoices"]
    body = {"effective_date": "2025-04-17", "unit_amount": 30000, "quantity": 3}
    changed = post(api, sub, "changes", **body)
    # One credit for the old terms (24995 × 1) and one charge for the new (30000 × 3,
    # 90000 − R(90000 × 15 / 30) = 45000); nothing for the mix 30000 × 1 that never applied.
    assert sorted(
        (d["type"], d["total"], [(ln["unit_amount"], ln["quantity"]) for ln in d["lines"]])
        for d in changed["documents"]
    ) == [("credit_note", 12497, [(24995, 1)]), ("invoice", 45000, [(30000, 3)])]
    assert changed["version"] == 2
    assert ok(api.get("/v1/credit-notes"))["data"][0]["invoice_id"] == invoice_id
    assert len(ok(api.get("/v1/invoices"))["data"]) == 2
    assert ledger(api, sub)["balance"] == 12498 + 45000
    assert [e["type"] for e in timeline(api, sub)["events"]] == [
        "started",
        "price_changed",
        "quantity_changed",
    ]
