"""Cancellation through the API: the four modes, contract rules, move, undo, and the money.

The running example is domain.md's: 249.95 kr a month for [04-02, 05-02) (30 days).
Cancelled from 04-05: served 3 days, R(24995 × 3 / 30) = R(2499.5) = 2500; the credit for
the unused 27 days is 24995 − 2500 = 22495.
"""

from __future__ import annotations

from typing import Any

from tests.api.helpers import (
    CONTRACT,
    assert_problem,
    bill,
    cancel,
    counts,
    entries,
    ledger,
    ok,
    setup,
    state,
    sub_path,
    timeline,
)
from tests.conftest import Api


def test_immediately_end_of_period_and_on_date(api: Api) -> None:
    api.today("2025-04-10")
    cust = api.customer()
    plan = api.plan(unit_amount=24995)
    subs = [api.subscription(cust, plan, start_date="2025-04-02") for _ in range(3)]

    now = cancel(api, subs[0], mode="immediately")
    assert (now["end_date"], now["status"]) == ("2025-04-10", "terminated")
    assert now["current_period"] == {"start": "2025-04-02", "end": "2025-04-10"}

    eop = cancel(api, subs[1], mode="end_of_period", reason="moving abroad")
    assert (eop["end_date"], eop["status"]) == ("2025-05-02", "in_termination")

    later = cancel(api, subs[2], mode="on_date", date="2025-06-15", competitor_offer=True)
    assert (later["end_date"], later["status"]) == ("2025-06-15", "in_termination")
    for sub, result in zip(subs, (now, eop, later), strict=True):
        assert result["version"] == 2
        assert ok(api.get(sub_path(sub)))["end_date"] == result["end_date"]
        [_, event] = timeline(api, sub)["events"]
        assert event["type"] == "cancellation_scheduled"
        assert event["effective_date"] == result["end_date"]
        assert event["id"] == result["event_id"]
        assert event["data"]["requested_on"] == "2025-04-10"
        assert event["recorded_by"].startswith("staff:")
    events = [timeline(api, s)["events"][1] for s in subs]
    assert [e["data"]["mode"] for e in events] == ["immediately", "end_of_period", "on_date"]
    assert events[1]["reason"] == "moving abroad"
    assert events[2]["data"]["competitor_offer"] is True


def test_earliest_allowed_without_a_contract_is_today(api: Api) -> None:
    sub = setup(api, today="2025-04-10", start="2025-04-02")
    assert cancel(api, sub, mode="earliest_allowed")["end_date"] == "2025-04-10"


def test_contract_rules_name_the_rule_and_change_nothing(api: Api) -> None:
    # Start 2025-04-02, 36-month term: the term ends 2028-04-02; 6 months' notice: deadline
    # 2027-10-02; minimum term 12 months: nothing ends before 2026-04-02.
    sub = setup(api, today="2025-04-10", start="2025-04-02", contract=CONTRACT)
    before = state(api, sub)

    def refused(code: str, **body: Any) -> None:
        assert_problem(api.post(sub_path(sub, "/cancel"), body), 422, code)

    refused("minimum_term", mode="on_date", date="2026-03-01", approved_by="Maja Manager")
    refused("minimum_term", mode="on_date", date="2026-03-01")
    refused("approval_required", mode="on_date", date="2026-06-01")
    # Today and the end of this period are inside the minimum term too.
    refused("minimum_term", mode="immediately")
    refused("minimum_term", mode="end_of_period", approved_by="Maja")
    late = {"requested_on": "2027-11-01"}
    refused("notice_period", mode="on_date", date="2028-04-02", **late)
    # Neither approval nor notice: the answer names the approval.
    refused("approval_required", mode="on_date", date="2028-03-01", **late)
    refused("end_date_in_past", mode="on_date", date="2027-06-01", approved_by="Maja", **late)
    assert state(api, sub) == before

    def preview_end(**body: Any) -> str:
        r = api.post(sub_path(sub, "/cancel"), body, params={"preview": "true"})
        return str(ok(r)["end_date"])

    assert preview_end(mode="earliest_allowed") == "2028-04-02"
    # Late notice: the end of the following term (12-month renewal).
    assert preview_end(mode="earliest_allowed", **late) == "2029-04-02"
    # A notice on the deadline day is in time.
    assert preview_end(mode="on_date", date="2028-04-02", requested_on="2027-10-02") == (
        "2028-04-02"
    )
    assert state(api, sub) == before

    result = cancel(
        api, sub, mode="on_date", date="2026-06-01", approved_by="Maja Manager", reason="bankrupt"
    )
    assert (result["end_date"], result["status"], result["version"]) == (
        "2026-06-01",
        "in_termination",
        2,
    )
    event = timeline(api, sub)["events"][-1]
    assert event["type"] == "cancellation_scheduled"
    assert event["effective_date"] == "2026-06-01"
    assert event["data"]["approved_by"] == "Maja Manager"
    assert event["reason"] == "bankrupt"


def test_earliest_allowed_with_contract(api: Api) -> None:
    sub = setup(api, today="2025-04-10", start="2025-04-02", contract=CONTRACT)
    result = cancel(api, sub, mode="earliest_allowed")
    assert (result["end_date"], result["status"]) == ("2028-04-02", "in_termination")
    assert timeline(api, sub)["events"][-1]["data"]["mode"] == "earliest_allowed"


def test_move_and_undo_before_the_end_then_already_ended(api: Api) -> None:
    sub = setup(api, today="2025-04-10", start="2025-04-02")
    first = cancel(api, sub, mode="on_date", date="2025-06-15")
    moved = cancel(api, sub, mode="on_date", date="2025-07-01")
    assert (moved["end_date"], moved["version"]) == ("2025-07-01", 3)
    events = timeline(api, sub)["events"]
    assert [e["type"] for e in events] == [
        "started",
        "cancellation_scheduled",
        "cancellation_moved",
    ]
    assert events[2]["data"]["previous_end_date"] == "2025-06-15"
    assert events[1]["id"] == first["event_id"]

    undone = ok(api.delete(sub_path(sub, "/cancel")))
    assert (undone["end_date"], undone["status"], undone["version"]) == (None, "active", 4)
    tl = timeline(api, sub)
    revoke = tl["events"][3]
    assert revoke["type"] == "cancellation_revoked"
    assert revoke["data"]["revoked_end_date"] == "2025-07-01"
    # Undo revokes the whole chain; nothing is edited, the earlier events stay.
    assert [e["revoked_by"] for e in tl["events"]] == [None, revoke["id"], revoke["id"], None]
    assert tl["segments"] == [
        {"start": "2025-04-02", "end": None, "state": "active", "unit_amount": 24995, "quantity": 1}
    ]
    assert_problem(api.delete(sub_path(sub, "/cancel")), 409, "not_cancelled")

    cancel(api, sub, mode="on_date", date="2025-05-20")
    api.today("2025-05-20")
    assert ok(api.get(sub_path(sub)))["status"] == "terminated"
    before = state(api, sub)
    assert_problem(api.delete(sub_path(sub, "/cancel")), 409, "already_ended")
    assert_problem(
        api.post(sub_path(sub, "/cancel"), {"mode": "on_date", "date": "2025-06-01"}),
        409,
        "already_ended",
    )
    assert_problem(
        api.post(sub_path(sub, "/cancel"), {"mode": "immediately"}), 409, "already_ended"
    )
    assert state(api, sub) == before


def test_cancel_before_the_period_is_billed_shortens_the_invoice(api: Api) -> None:
    sub = setup(api, today="2025-04-02", start="2025-04-02", unit_amount=24995)
    result = cancel(api, sub, mode="on_date", date="2025-04-05")
    assert result["documents"] == []
    assert ledger(api, sub)["data"] == []

    run = bill(api, "2025-04-02")
    [invoice_id] = run["invoices"]
    invoice = ok(api.get(f"/v1/invoices/{invoice_id}"))
    assert invoice["total"] == 2500
    [line] = invoice["lines"]
    assert (line["service_start"], line["service_end"], line["amount"]) == (
        "2025-04-02",
        "2025-04-05",
        2500,
    )
    assert (line["period_start"], line["period_end"]) == ("2025-04-02", "2025-05-02")
    # No renewal after the end date, however far the bill runs go.
    assert bill(api, "2025-12-31")["invoices"] == []
    assert entries(api, sub) == [("charge", "2025-04-02", "2025-04-05", 2500)]
    assert ok(api.get("/v1/credit-notes"))["data"] == []


def test_cancel_in_arrears_bills_the_short_period_on_the_end_date(api: Api) -> None:
    sub = setup(api, today="2025-04-02", start="2025-04-02", billing_timing="in_arrears")
    cancel(api, sub, mode="on_date", date="2025-04-20")
    assert bill(api, "2025-04-19")["invoices"] == []
    [invoice_id] = bill(api, "2025-04-20")["invoices"]
    # R(24995 × 18 / 30) = 14997.
    assert ok(api.get(f"/v1/invoices/{invoice_id}"))["total"] == 14997
    assert bill(api, "2025-06-30")["invoices"] == []
    assert ledger(api, sub)["balance"] == 14997


def test_cancel_in_billed_period_credits_at_once_then_move_and_undo_rebill(api: Api) -> None:
    sub = setup(api, today="2025-04-03", start="2025-04-02", unit_amount=24995)
    [invoice_id] = bill(api, "2025-04-02")["invoices"]
    invoice = ok(api.get(f"/v1/invoices/{invoice_id}"))
    [charge_line] = invoice["lines"]

    result = cancel(api, sub, mode="on_date", date="2025-04-05")
    [note] = result["documents"]
    assert note["type"] == "credit_note"
    assert note["number"] == "CN-000001"
    assert note["invoice_id"] == invoice_id
    assert note["total"] == 22495
    assert note["total_formatted"] == "224,95\xa0kr"
    assert note["issue_date"] == "2025-04-03"
    [line] = note["lines"]
    assert (line["kind"], line["service_start"], line["service_end"]) == (
        "credit",
        "2025-04-05",
        "2025-05-02",
    )
    # As billed: the credited entry's unit price and quantity, pointing at the charge.
    assert (line["unit_amount"], line["quantity"], line["amount"]) == (24995, 1, 22495)
    assert line["credits_entry_id"] == charge_line["entry_id"]
    assert ok(api.get(f"/v1/credit-notes/{note['id']}")) == note
    invoice = ok(api.get(f"/v1/invoices/{invoice_id}"))
    assert (invoice["amount_credited"], invoice["amount_due"]) == (22495, 2500)
    assert ledger(api, sub)["balance"] == 2500
    run = bill(api, "2025-04-03")
    assert (run["invoices"], run["credit_notes"]) == ([], [])

    # Move the end date later: the days come back as a new invoice, R(24995×18/30) − 2500.
    moved = cancel(api, sub, mode="on_date", date="2025-04-20")
    [back] = moved["documents"]
    assert (back["type"], back["number"], back["total"]) == ("invoice", "INV-000002", 12497)
    assert [(ln["service_start"], ln["service_end"]) for ln in back["lines"]] == [
        ("2025-04-05", "2025-04-20")
    ]
    assert ledger(api, sub)["balance"] == 14997

    # Undo: the rest comes back (24995 − 14997); the ledger never edits what was posted.
    undone = ok(api.delete(sub_path(sub, "/cancel")))
    [rest] = undone["documents"]
    assert (rest["type"], rest["total"]) == ("invoice", 9998)
    assert entries(api, sub) == [
        ("charge", "2025-04-02", "2025-05-02", 24995),
        ("credit", "2025-04-05", "2025-05-02", -22495),
        ("charge", "2025-04-05", "2025-04-20", 12497),
        ("charge", "2025-04-20", "2025-05-02", 9998),
    ]
    assert ledger(api, sub)["balance"] == 24995
    run = bill(api, "2025-04-03")
    assert (run["invoices"], run["credit_notes"]) == ([], [])
    # Billing goes on as if never cancelled.
    [next_id] = bill(api, "2025-05-02")["invoices"]
    assert ok(api.get(f"/v1/invoices/{next_id}"))["total"] == 24995


def test_cancel_after_several_billed_periods_credits_each_invoice(api: Api) -> None:
    sub = setup(api, today="2025-04-02", start="2025-04-02", unit_amount=24995)
    [april] = bill(api, "2025-04-02")["invoices"]
    [may] = bill(api, "2025-05-02")["invoices"]
    before = counts(api)
    # Back-dated to 04-05 (staff may): both invoices get their own credit note.
    result = cancel(api, sub, mode="on_date", date="2025-04-05")
    notes = {d["invoice_id"]: d["total"] for d in result["documents"]}
    assert notes == {april: 22495, may: 24995}
    assert counts(api)["documents"] == before["documents"] + 2
    assert ledger(api, sub)["balance"] == 2500
    api.today("2025-04-05")
    assert ok(api.get(sub_path(sub)))["status"] == "terminated"
    assert bill(api, "2025-08-01")["invoices"] == []
