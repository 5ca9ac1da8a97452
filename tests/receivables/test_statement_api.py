"""The statement and the aging through the API, on SQLite and PostgreSQL.

One customer of the alarm business (SEK, sv_SE), a monthly plan of 300.00 kr anchored on the
1st, the test seller not VAT registered (gross = net):

* subscriptions A and B start 04-01 and are billed on 04-01: INV A1 and B1, 300.00 kr each,
  due 05-01; both paid in full on 04-05;
* on 04-11 A is cancelled at once with ``unused: refund``: its credit note gives back 200.00
  (20 of 30 days), all of it was paid, so RF 200.00; B with ``unused: balance``: 200.00 kept as
  customer credit;
* subscription C starts 05-01, billed on 05-01: INV C1 300.00, of which the 200.00 credit pays
  200.00 (due 100.00 on 05-31); 40.00 paid on 06-10: 60.00 still due, overdue from 06-01.

The account, by hand:

    04-01 A1 +300.00, B1 +300.00                      600.00
    04-05 payments −300.00 −300.00                      0.00
    04-11 CN A1 −200.00, CN B1 −200.00 (kept 200.00), RF A1 +200.00   −200.00
    05-01 C1 +300.00 (credit applied 200.00)          100.00
    06-10 payment −40.00                               60.00
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from pypdf import PdfReader

from billing.invoicing import balance
from tests.api.helpers import api_key, assert_problem, bill
from tests.conftest import Api
from tests.receivables.helpers import (
    assert_balances,
    assert_matches_documents,
    documents,
    ok,
    statement,
)


def pay(api: Api, invoice_id: str, amount: int, paid_on: str) -> None:
    ok(api.post(f"/v1/invoices/{invoice_id}/payments", {"amount": amount, "paid_on": paid_on}), 201)


def cancel_now(api: Api, sub: dict[str, Any], unused: str) -> dict[str, Any]:
    path = f"/v1/subscriptions/{sub['id']}/cancel"
    return ok(api.post(path, {"mode": "immediately", "unused": unused}))  # type: ignore[no-any-return]


def alarm_customer(api: Api) -> dict[str, Any]:
    api.today("2025-04-01")
    cust = api.customer(name="Larm & Lås AB")
    plan = api.plan(unit_amount=30000)
    a, b = (api.subscription(cust, plan, start_date="2025-04-01") for _ in range(2))
    a1, b1 = bill(api, "2025-04-01")["invoices"]
    pay(api, a1, 30000, "2025-04-05")
    pay(api, b1, 30000, "2025-04-05")
    api.today("2025-04-11")
    cancel_now(api, a, "refund")
    cancel_now(api, b, "balance")
    api.subscription(cust, plan, start_date="2025-05-01")
    api.today("2025-05-01")
    [c1] = bill(api, "2025-05-01")["invoices"]
    pay(api, c1, 4000, "2025-06-10")
    return {"customer": cust, "a1": a1, "b1": b1, "c1": c1}


@pytest.fixture
def world(api: Api) -> dict[str, Any]:
    return alarm_customer(api)


def test_the_statement_balances_to_the_ore_against_the_documents(
    api: Api, world: dict[str, Any]
) -> None:
    cid = world["customer"]["id"]
    api.today("2025-07-15")
    s = statement(api, cid)  # from the start through today
    assert_balances(s)
    assert_matches_documents(s, documents(api, cid))
    lines = [(m["date"], m["kind"], m["amount"], m["credit"], m["balance"]) for m in s["movements"]]
    assert lines == [
        ("2025-04-01", "invoice", 30000, 0, 30000),
        ("2025-04-01", "invoice", 30000, 0, 60000),
        ("2025-04-05", "payment", -30000, 0, 30000),
        ("2025-04-05", "payment", -30000, 0, 0),
        ("2025-04-11", "credit_note", -20000, 0, -20000),
        ("2025-04-11", "credit_note", -20000, 0, -40000),
        ("2025-04-11", "credit_kept", 0, 20000, -40000),
        ("2025-04-11", "refund", 20000, 0, -20000),
        ("2025-05-01", "invoice", 30000, 0, 10000),
        ("2025-05-01", "credit_applied", 0, -20000, 10000),
        ("2025-06-10", "payment", -4000, 0, 6000),
    ]
    assert (s["closing_balance"], s["customer_credit"], s["unallocated_credit"]) == (6000, 0, 0)
    [item] = s["open_items"]
    assert item["invoice_id"] == world["c1"]
    assert (item["due_date"], item["amount_due"], item["days_overdue"]) == ("2025-05-31", 6000, 45)
    assert (item["overdue"], item["bucket"]) == (True, "31_60")
    assert s["overdue_total"] == 6000 and s["aging"]["31_60"] == 6000
    refund = next(m for m in s["movements"] if m["kind"] == "refund")
    assert refund["number"].startswith("RF-") and refund["reference"].startswith("INV-")


def test_a_period_opens_where_the_one_before_closed(api: Api, world: dict[str, Any]) -> None:
    cid = world["customer"]["id"]
    april = statement(api, cid, to="2025-04-30")
    may_june = statement(api, cid, **{"from": "2025-05-01", "to": "2025-06-15"})
    for s in (april, may_june):
        assert_balances(s)
    # On 04-30: 200.00 kept as credit, nothing due: the customer is owed 200.00.
    assert (april["closing_balance"], april["customer_credit"], april["open_items"]) == (
        -20000,
        20000,
        [],
    )
    assert may_june["opening_balance"] == april["closing_balance"]
    assert may_june["opening_credit"] == april["customer_credit"]
    assert [m["kind"] for m in may_june["movements"]] == ["invoice", "credit_applied", "payment"]
    [item] = may_june["open_items"]
    assert (item["days_overdue"], item["bucket"], item["amount_due"]) == (15, "1_30", 6000)


@pytest.mark.parametrize(
    ("day", "bucket", "days"),
    [
        ("2025-05-20", "not_due", 0),
        ("2025-05-31", "not_due", 0),  # the due date is the last day to pay
        ("2025-06-01", "1_30", 1),
        ("2025-06-30", "1_30", 30),
        ("2025-07-01", "31_60", 31),
        ("2025-07-30", "31_60", 60),
        ("2025-07-31", "61_90", 61),
        ("2025-08-29", "61_90", 90),
        ("2025-08-30", "over_90", 91),
    ],
)
def test_buckets_on_given_dates(
    api: Api, world: dict[str, Any], day: str, bucket: str, days: int
) -> None:
    cid = world["customer"]["id"]
    s = statement(api, cid, to=day)
    [item] = s["open_items"]
    assert (item["bucket"], item["days_overdue"], item["overdue"]) == (bucket, days, days > 0)
    due = 10000 if day < "2025-06-10" else 6000
    assert item["amount_due"] == due and s["aging"][bucket] == due
    assert s["overdue_total"] == (due if days else 0)
    aging = ok(api.get("/v1/receivables/aging", params={"as_of": day}))
    [row] = [r for r in aging["data"] if r["customer_id"] == cid]
    assert row["buckets"][bucket] == due and row["open_total"] == due
    assert row["overdue_total"] == s["overdue_total"]
    assert row["balance"] == s["closing_balance"]


def test_aging_as_csv_parses_and_agrees_with_json(api: Api, world: dict[str, Any]) -> None:
    other = api.customer(name="Andra AB")
    plan = api.plan(unit_amount=12500)
    api.subscription(other, plan, start_date="2025-05-01")
    bill(api, "2025-05-01")
    params = {"as_of": "2025-08-30"}
    data = ok(api.get("/v1/receivables/aging", params=params))
    r = api.get("/v1/receivables/aging", params={**params, "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["customer_id"] for row in rows] == [d["customer_id"] for d in data["data"]]
    by_id = {row["customer_id"]: row for row in rows}
    mine = by_id[world["customer"]["id"]]
    assert (mine["bucket_over_90"], mine["overdue_total"], mine["balance"]) == (
        "6000",
        "6000",
        "6000",
    )
    theirs = by_id[other["id"]]
    assert (theirs["bucket_over_90"], theirs["open_total"]) == ("12500", "12500")
    assert data["totals"]["SEK"] == {"open_total": 18500, "overdue_total": 18500}


def test_the_pdf_and_html_statement_carry_the_figures(api: Api, world: dict[str, Any]) -> None:
    cid = world["customer"]["id"]
    params = {"from": "2025-05-01", "to": "2025-07-15"}
    r = api.get(f"/v1/customers/{cid}/statement.pdf", params=params)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pdf = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    # Babel writes U+2212 for minus; pypdf may read the glyph back as a hyphen.
    flat = " ".join(pdf.replace("\xa0", " ").replace("\u2212", "-").split())
    for phrase in (
        "Kontoutdrag",
        "Larm & Lås AB",
        "Ingående saldo",
        "-200,00 kr",  # the opening balance: the customer was owed 200.00
        "Tillgodohavande använt",
        "Utgående saldo",
        "60,00 kr",
        "Öppna poster",
        "31–60 dagar",
        "Betalning",
    ):
        assert phrase in flat, (phrase, flat)
    html = api.get(f"/v1/customers/{cid}/statement.html", params=params)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert 'lang="sv"' in html.text and "Kontoutdrag" in html.text
    assert "Larm &amp; Lås AB" in html.text and "60,00" in html.text


def test_statement_in_the_customers_language(api: Api) -> None:
    api.today("2025-04-01")
    for locale, title, opening in (
        ("nb_NO", "Kontoutskrift", "Inngående saldo"),
        ("da_DK", "Kontoudtog", "Primosaldo"),
        ("en_GB", "Statement of account", "Opening balance"),
    ):
        cust = api.customer(name=f"Kunde {locale}", locale=locale)
        html = api.get(f"/v1/customers/{cust['id']}/statement.html").text
        assert title in html and opening in html, locale


def test_a_portal_key_sees_only_its_own_statement(api: Api, world: dict[str, Any]) -> None:
    cid = world["customer"]["id"]
    other = api.customer(name="Andra AB")
    portal = api_key(api, "portal", cid)
    assert ok(portal.get(f"/v1/customers/{cid}/statement"))["customer_id"] == cid
    for suffix in ("", ".html", ".pdf"):
        assert_problem(
            portal.get(f"/v1/customers/{other['id']}/statement{suffix}"), 404, "not_found"
        )
    assert_problem(portal.get("/v1/receivables/aging"), 403, "forbidden")
    integration = api_key(api, "integration")
    assert ok(integration.get("/v1/receivables/aging"))["as_of"] == "2025-05-01"


def test_bad_input_is_a_problem_with_a_code(api: Api, world: dict[str, Any]) -> None:
    cid = world["customer"]["id"]
    url = f"/v1/customers/{cid}/statement"
    params = {"from": "2025-05-02", "to": "2025-05-01"}
    assert_problem(api.get(url, params=params), 422, "invalid_period")
    assert_problem(api.get("/v1/customers/cus_nope/statement"), 404, "not_found")
    assert_problem(api.get("/v1/customers/cus_nope/statement.pdf"), 404, "not_found")
    for bad in ("2025-02-30", "yesterday", "2025-5-1", "2025-05-01T00:00:00"):
        assert_problem(api.get(url, params={"to": bad}), 422, "validation_error")
        assert_problem(api.get(url, params={"from": bad}), 422, "validation_error")
        assert_problem(api.get("/v1/receivables/aging", params={"as_of": bad}), 422)
    assert_problem(api.get(url, params={"currency": "sek"}), 422, "validation_error")
    assert_problem(api.get("/v1/receivables/aging", params={"format": "xls"}), 422)


def test_a_credit_note_that_left_money_nowhere_shows_as_unallocated(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Documents written under the rule before issue 13: ``unused: credit_note`` on a paid
    invoice made the credit note ("Summa att återbetala") and nothing else, no refund and no
    kept credit. Such rows stay in the database whatever the rule is now; the statement shows
    their money as ``credit_unallocated`` and still balances. (Made here by writing the
    cancellation through the old rule: ``route_unused`` doing nothing for ``credit_note``.)"""
    current = balance.route_unused

    def old_rule(session: Any, note: Any, *, unused: str, issue_date: Any) -> Any:
        if unused == "credit_note":
            return []
        return current(session, note, unused=unused, issue_date=issue_date)

    monkeypatch.setattr(balance, "route_unused", old_rule)
    api.today("2025-04-01")
    cust = api.customer(name="Gammal AB")
    sub = api.subscription(cust, api.plan(unit_amount=30000), start_date="2025-04-01")
    [inv] = bill(api, "2025-04-01")["invoices"]
    pay(api, inv, 30000, "2025-04-05")
    api.today("2025-04-11")
    done = cancel_now(api, sub, "credit_note")
    [note] = [d for d in done["documents"] if d["type"] == "credit_note"]
    s = statement(api, cust["id"])
    assert_balances(s)
    assert_matches_documents(s, documents(api, cust["id"]))
    assert s["unallocated"] == [
        {
            "kind": "credit_unallocated",
            "invoice_id": inv,
            "number": s["movements"][0]["number"],
            "credit_notes": [note["number"]],
            "amount": 20000,
        }
    ]
    # Owed 200.00 by the credit note, held nowhere: not customer credit, not a refund.
    assert (s["closing_balance"], s["customer_credit"], s["open_total"]) == (-20000, 0, 0)
    assert s["closing_parts"][-1] == {"kind": "credit_unallocated", "amount": -20000}
    pdf = api.get(f"/v1/customers/{cust['id']}/statement.pdf").content
    flat = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\xa0", " ").split())
    assert "Kredit varken återbetald eller sparad" in flat
