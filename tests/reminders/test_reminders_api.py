"""Reminders through the API and the scheduler, on both databases: a Swedish, a Norwegian and
a Danish overdue invoice get the lawful fee and the interest for the exact days (the seeded
tables of migration 0015, docs/receivables.md); a paid or disputed invoice and a paused
customer get none; Denmark stops after three; the reminder is in the feed and renders; bad
table rows change nothing.

Every invoice here: 10 000 net + 25 % VAT = 12 500 (öre/øre), issued 2025-04-01, due
2025-05-01 (30 days' terms).
"""

from __future__ import annotations

from typing import Any

from tests.api.helpers import assert_problem, ok
from tests.api.test_vat_invoices import (
    DK_SELLER,
    NO_SELLER,
    SE_SELLER,
    buyer,
    invoice_of,
    monthly,
    seller,
    subscribe,
)
from tests.conftest import Api


def overdue_invoice(api: Api, body: dict[str, Any], **customer: Any) -> dict[str, Any]:
    sold_by = seller(api, body)
    cust = buyer(api, sold_by, **customer)
    inv = invoice_of(
        api,
        subscribe(
            api, cust, monthly(api, {"SE": "SEK", "NO": "NOK", "DK": "DKK"}[body["country"]])
        ),
    )
    assert (inv["total"], inv["due_date"]) == (12_500, "2025-05-01")
    return inv


def run_on(api: Api, day: str) -> dict[str, Any]:
    api.today(day)
    return ok(api.post("/v1/scheduler/run"))["reminders"]  # type: ignore[no-any-return]


def reminders(api: Api, customer_id: str) -> list[dict[str, Any]]:
    return ok(api.get(f"/v1/customers/{customer_id}/reminders"))["data"]  # type: ignore[no-any-return]


def charge_invoice(api: Api, reminder: dict[str, Any]) -> dict[str, Any]:
    return ok(api.get(f"/v1/invoices/{reminder['charge_invoice_id']}"))  # type: ignore[no-any-return]


class TestSweden:
    def test_agreed_fee_compensation_and_interest_for_ten_days(self, api: Api) -> None:
        inv = overdue_invoice(api, SE_SELLER, kind="business", legal_name="Kund AB")
        ok(api.put(f"/v1/customers/{inv['customer_id']}/reminder-settings", {"fee_agreed": True}))
        # Grace 7 days: nothing on 2025-05-07, the first reminder on 2025-05-08 or later.
        assert run_on(api, "2025-05-07")["sent"] == []
        assert len(run_on(api, "2025-05-11")["sent"]) == 1
        [r] = reminders(api, inv["customer_id"])
        # 11.00 % (Riksbank 3.00 % from 2025-01-01 + 8 points) on 12 500 for the 10 days
        # 2025-05-01..2025-05-10: 12500 × 1100 × 10 / 3 650 000 = 37.67… → 38 öre.
        # Fee 60 kr (agreed), förseningsersättning 450 kr (business).
        assert (r["fee"], r["compensation"], r["interest"], r["rate_bps"]) == (
            6000,
            45000,
            38,
            1100,
        )
        assert (r["interest_from"], r["interest_to"]) == ("2025-05-01", "2025-05-11")
        assert r["payment_reference"] == inv["payment_reference"]
        charge = charge_invoice(api, r)
        # Three lines outside the scope of VAT: 6 000 + 45 000 + 38 = 51 038, VAT 0.
        assert (charge["total"], charge["vat_total"]) == (51_038, 0)
        assert charge["number"].startswith("SE-INV-") and charge["payment_reference"]
        assert {(row["code"], row["rate_bps"]) for row in charge["vat_breakdown"]} == {
            ("outside_scope", 0)
        }
        # The customer's account holds both invoices: 12 500 + 51 038 = 63 538.
        statement = ok(api.get(f"/v1/customers/{inv['customer_id']}/statement"))
        assert statement["closing_balance"] == 63_538
        assert len(statement["open_items"]) == 2
        # The same day again: nothing more (spacing 14 days).
        assert run_on(api, "2025-05-11")["sent"] == []

    def test_no_fee_without_agreement_and_no_compensation_to_consumers(self, api: Api) -> None:
        inv = overdue_invoice(api, SE_SELLER, kind="consumer", name="Anna Andersson")
        run_on(api, "2025-05-11")
        [r] = reminders(api, inv["customer_id"])
        assert (r["fee"], r["compensation"], r["interest"]) == (0, 0, 38)

    def test_the_reminder_is_in_the_feed_and_renders(self, api: Api) -> None:
        inv = overdue_invoice(
            api, SE_SELLER, kind="consumer", name="Anna Andersson", locale="sv_SE"
        )
        run_on(api, "2025-05-11")
        [r] = reminders(api, inv["customer_id"])
        events = ok(api.get("/v1/events", params={"type": "reminder.sent", "limit": 1000}))["data"]
        mine = [e for e in events if e["customer_id"] == inv["customer_id"]]
        assert len(mine) == 1 and mine[0]["data"]["reminder_id"] == r["id"]
        html = api.get(f"/v1/reminders/{r['id']}.html")
        assert html.status_code == 200 and "Betalningspåminnelse" in html.text
        assert inv["payment_reference"] in html.text
        pdf = api.get(f"/v1/reminders/{r['id']}.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


class TestNorway:
    def test_purregebyr_and_interest_for_twenty_days(self, api: Api) -> None:
        inv = overdue_invoice(api, NO_SELLER, kind="consumer", name="Ola Nordmann")
        # Grace 14 days (no purregebyr before 14 days after the due date).
        assert run_on(api, "2025-05-14")["sent"] == []
        run_on(api, "2025-05-21")
        [r] = reminders(api, inv["customer_id"])
        # 12.50 % (FOR-2024-12-19-3279) on 12 500 for 20 days:
        # 12500 × 1250 × 20 / 3 650 000 = 85.62 → 86 øre; purregebyr 35 kr (the cap since
        # 2020); consumer: no standardkompensasjon.
        assert (r["fee"], r["compensation"], r["interest"], r["rate_bps"]) == (3500, 0, 86, 1250)
        assert charge_invoice(api, r)["total"] == 3_586


class TestDenmark:
    def test_three_reminders_ten_days_apart_then_none(self, api: Api) -> None:
        inv = overdue_invoice(api, DK_SELLER, kind="business", legal_name="Kunde ApS")
        run_on(api, "2025-05-02")
        run_on(api, "2025-05-11")  # 9 days after the first: too soon
        run_on(api, "2025-05-12")
        run_on(api, "2025-05-22")
        run_on(api, "2025-06-30")  # a fourth: never
        got = reminders(api, inv["customer_id"])
        assert [r["sent_on"] for r in got] == ["2025-05-02", "2025-05-12", "2025-05-22"]
        # 11.75 % (3.75 % from 2024-01-01 + 8; the seeded table's latest row) on 12 500:
        # 1 day → 12500 × 1175 / 3 650 000 = 4.02 → 4; then 10 days each → 40.24 → 40.
        # Fee 100 kr each; kompensation 310 kr once.
        assert [(r["fee"], r["compensation"], r["interest"]) for r in got] == [
            (10000, 31000, 4),
            (10000, 0, 40),
            (10000, 0, 40),
        ]
        assert [(r["interest_from"], r["interest_to"]) for r in got] == [
            ("2025-05-01", "2025-05-02"),
            ("2025-05-02", "2025-05-12"),
            ("2025-05-12", "2025-05-22"),
        ]


class TestWhatStopsReminders:
    def test_paid_invoice_gets_none(self, api: Api) -> None:
        inv = overdue_invoice(api, SE_SELLER, kind="consumer", name="Anna Andersson")
        ok(
            api.post(
                f"/v1/invoices/{inv['id']}/payments", {"amount": 12_500, "paid_on": "2025-05-03"}
            ),
            201,
        )
        run_on(api, "2025-05-11")
        assert reminders(api, inv["customer_id"]) == []

    def test_paused_customer_and_disputed_invoice_get_none(self, api: Api) -> None:
        inv = overdue_invoice(api, DK_SELLER, kind="consumer", name="Kunde")
        path = f"/v1/customers/{inv['customer_id']}/reminder-settings"
        assert ok(api.put(path, {"paused": True}))["paused"] is True
        run_on(api, "2025-05-02")
        assert reminders(api, inv["customer_id"]) == []
        ok(api.put(path, {"paused": False}))
        assert ok(api.post(f"/v1/invoices/{inv['id']}/dispute", {"reason": "wrong"}))["disputed"]
        run_on(api, "2025-05-03")
        assert reminders(api, inv["customer_id"]) == []
        assert ok(api.delete(f"/v1/invoices/{inv['id']}/dispute"))["disputed"] is False
        run_on(api, "2025-05-04")
        assert len(reminders(api, inv["customer_id"])) == 1


class TestTables:
    def test_staff_add_a_half_year_row(self, api: Api) -> None:
        row = {
            "valid_from": "2025-07-01",
            "reference_rate_bps": 1225,
            "points_bps": 0,
            "reminder_fee": 3500,
            "max_fees": 2,
            "grace_days": 14,
            "spacing_days": 14,
            "compensation": 47000,
            "source": "FOR-2025-06-23-1321",
        }
        table = ok(api.put("/v1/late-payment-rules/NO", row))
        assert [r["valid_from"] for r in table["rules"]] == [
            "2024-01-01",
            "2025-01-01",
            "2025-07-01",
        ]
        assert table["rules"][-1]["annual_rate_bps"] == 1225

    def test_bad_rows_change_nothing(self, api: Api) -> None:
        before = ok(api.get("/v1/late-payment-rules/SE"))
        good = {
            "valid_from": "2026-07-01",
            "reference_rate_bps": 175,
            "points_bps": 800,
            "reminder_fee": 6000,
            "fee_needs_agreement": True,
            "grace_days": 7,
            "spacing_days": 14,
            "compensation": 45000,
        }
        se = "/v1/late-payment-rules/SE"
        assert_problem(api.put(se, {**good, "reference_rate_bps": -25}), 422, "negative_rate")
        assert_problem(api.put(se, {**good, "reminder_fee": 6001}), 422, "fee_over_cap")
        assert_problem(api.put("/v1/late-payment-rules/FI", good), 422, "unknown_country")
        assert_problem(api.get("/v1/late-payment-rules/FI"), 422, "unknown_country")
        dk = {**good, "reminder_fee": 10000, "max_fees": 4, "max_reminders": 3, "spacing_days": 10}
        assert_problem(api.put("/v1/late-payment-rules/DK", dk), 422, "too_many_fees")
        assert ok(api.get("/v1/late-payment-rules/SE")) == before
