"""The SIE export of a Swedish seller's April through the API, on SQLite and PostgreSQL.

The month (seller "Hälsokontroll Sverige AB", VAT registered; amounts in öre):

* 04-01 customer A (Kund AB, domestic business): subscription of 10 000 at 25 % billed by the
  bill run: INV 12 500; an order delivered the same day, 10 000 at 25 % beside 5 000 exempt:
  INV 17 500. Customer R (a German business): 10 000 reverse charge, INV 10 000, cancelled
  at once the same day: a full credit note 10 000. Customer B (domestic): INV 12 500.
* 04-05 A's and B's subscription invoices paid in full (12 500 each).
* 04-11 A cancelled at once with ``unused: refund``: a partial credit note (20 of 30 days) and
  a refund of it; B with ``unused: balance``: the same credit kept as customer credit.
* 04-20 B subscribes again: its invoice consumes the kept credit first.
* 04-25 A pays 7 000 of the order invoice.
* Customer C (Kund C AB, domestic business, reminder fee agreed) was billed on 03-01 (12 500,
  due 03-31) and has not paid: the bill run of 04-01 bills its April (INV 12 500), and the
  scheduler on 04-11 sends its March invoice's first reminder, whose invoice bills the fee
  6 000, the förseningsersättning 45 000 and the interest for 03-31..04-10 (11 days at
  11.00 %: 12 500 × 1 100 × 11 / 3 650 000 = 41.4 → 41), outside the scope of VAT.

The file must read back (code page 437, CR LF), every verification balance, Σ revenue (with
the late interest, a financial income) and Σ output VAT equal the documents' net and VAT, the
reminder's fee and compensation land on 3990 and its interest on 8313 (not on 3305 with the
exports), and 1510 move as the customers' statements.
"""

from __future__ import annotations

from typing import Any

from tests.api.helpers import api_key, assert_problem, bill, ok
from tests.api.test_vat_invoices import SE_SELLER, buyer, seller
from tests.conftest import Api
from tests.exports.sie_reader import SieDocument, read

APRIL = {"from": "2025-04-01", "to": "2025-04-30"}


def pay(api: Api, invoice_id: str, amount: int, day: str) -> None:
    ok(api.post(f"/v1/invoices/{invoice_id}/payments", {"amount": amount, "paid_on": day}), 201)


def cancel_now(api: Api, sub: dict[str, Any], unused: str) -> None:
    path = f"/v1/subscriptions/{sub['id']}/cancel"
    ok(api.post(path, {"mode": "immediately", "unused": unused}))


def invoices(api: Api, customer: dict[str, Any]) -> list[dict[str, Any]]:
    page = ok(api.get("/v1/invoices", params={"customer_id": customer["id"], "limit": 100}))
    return page["data"]  # type: ignore[no-any-return]


def _order(api: Api, customer: dict[str, Any]) -> str:
    lines = [
        {"description": "Digital licens", "unit_amount": 10_000, "quantity": 1},
        {
            "description": "Hälsokontroll",
            "unit_amount": 5_000,
            "quantity": 1,
            "tax_category": "exempt",
            "code": "halsa",
        },
    ]
    order = ok(api.post("/v1/orders", {"customer_id": customer["id"], "lines": lines}), 201)
    delivered = [{"line_id": line["id"], "quantity": 1} for line in order["lines"]]
    body = {"reference": "d-1", "delivered_on": "2025-04-01", "lines": delivered}
    made = ok(api.post(f"/v1/orders/{order['id']}/deliveries", body), 201)
    return str(made["invoice_id"])


def march_unpaid(api: Api, se: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    """Customer C, billed on 03-01 and never paying; its reminder fee agreed."""
    api.today("2025-03-01")
    c = buyer(api, se, kind="business", legal_name="Kund C AB", organisation_number="5565475489")
    ok(api.put(f"/v1/customers/{c['id']}/reminder-settings", {"fee_agreed": True}))
    api.subscription(c, plan, start_date="2025-03-01")
    bill(api, "2025-03-01")
    return c


def remind(api: Api, day: str) -> dict[str, Any]:
    api.today(day)
    [sent] = ok(api.post("/v1/scheduler/run"))["reminders"]["sent"]
    return ok(api.get(f"/v1/reminders/{sent}"))  # type: ignore[no-any-return]


def april(api: Api) -> dict[str, Any]:
    se = seller(api, SE_SELLER)
    plan = api.plan(name="Digital licens", unit_amount=10_000)
    c = march_unpaid(api, se, plan)
    api.today("2025-04-01")
    a = buyer(api, se, kind="business", legal_name="Kund AB", organisation_number="5566778899")
    b = buyer(api, se, kind="business", legal_name="Kund B AB", organisation_number="5560360793")
    r = buyer(api, se, kind="business", country="DE", vat_number="DE136695976", currency="SEK")
    subs = {
        key: api.subscription(who, plan, start_date="2025-04-01")
        for key, who in (("a", a), ("b", b), ("r", r))
    }
    bill(api, "2025-04-01")
    order_invoice = _order(api, a)
    cancel_now(api, subs["r"], "credit_note")  # nothing paid: a full credit note only
    [a1] = [i for i in invoices(api, a) if i["id"] != order_invoice]
    [b1] = invoices(api, b)
    pay(api, a1["id"], 12_500, "2025-04-05")
    pay(api, b1["id"], 12_500, "2025-04-05")
    reminder = remind(api, "2025-04-11")
    cancel_now(api, subs["a"], "refund")
    cancel_now(api, subs["b"], "balance")
    api.today("2025-04-20")
    api.subscription(b, plan, start_date="2025-04-20")
    bill(api, "2025-04-20")
    pay(api, order_invoice, 7_000, "2025-04-25")
    api.today("2025-05-02")
    return {"seller": se, "customers": [a, b, r, c], "plan": plan, "reminder": reminder}


def export(api: Api, seller_id: str, **params: str) -> Any:
    return api.get("/v1/exports/sie", params={"seller": seller_id, **APRIL, **params})


def documents_of(api: Api, path: str, seller_id: str) -> list[dict[str, Any]]:
    """The seller's documents issued in April."""
    page = ok(api.get(path, params={"limit": 100}))["data"]
    return [
        d
        for d in page
        if d.get("seller", {}).get("id", seller_id) == seller_id
        and d["issue_date"].startswith("2025-04")
    ]


def test_the_april_file_reads_back_balanced_and_matches_the_documents(api: Api) -> None:
    world = april(api)
    sid = world["seller"]["id"]
    r = export(api, sid)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; charset=IBM437")
    assert "attachment" in r.headers["content-disposition"]
    content = r.content
    # Code page 437: ä is 0x84, å 0x86, ö 0x94; lines end CR LF.
    assert "Hälsokontroll Sverige AB".encode("cp437") in content and b"\xc3" not in content
    sie = read(content)
    assert sie.labels[:3] == ["#FLAGGA", "#FORMAT", "#SIETYP"]
    assert sie.first("#FLAGGA") == ["0"] and sie.first("#FORMAT") == ["PC8"]
    assert sie.first("#SIETYP") == ["4"]
    assert sie.first("#FNAMN") == ["Hälsokontroll Sverige AB"]
    assert sie.first("#ORGNR") == ["556036-0793"]
    assert sie.first("#RAR") == ["0", "20250101", "20251231"]
    assert sie.first("#GEN")[0] == "20250502"
    assert sie.first("#PROGRAM")[0] == "billing"
    _check_balanced_and_declared(sie)
    _check_against_documents(api, sie, sid, world["reminder"])
    _check_receivables(api, sie, world["customers"])


def _check_balanced_and_declared(sie: SieDocument) -> None:
    assert sie.vers
    for v in sie.vers:
        assert v.trans and v.balance == 0, v
        assert v.day.startswith("202504")
        for account, _ in v.trans:
            assert account in sie.accounts and account in sie.account_types
    assert sie.accounts["1510"] == "Kundfordringar"
    assert sie.accounts["2611"] == "Utgående moms på försäljning inom Sverige, 25 %"
    assert sie.accounts["3308"] == "Försäljning tjänster till annat EU-land"
    assert sie.account_types["1510"] == "T" and sie.account_types["3001"] == "I"
    assert sie.account_types["2420"] == "S"
    used = {a for v in sie.vers for a, _ in v.trans}
    assert set(sie.accounts) == used


def _check_against_documents(
    api: Api, sie: SieDocument, sid: str, reminder: dict[str, Any]
) -> None:
    invs = documents_of(api, "/v1/invoices", sid)
    notes = documents_of(api, "/v1/credit-notes", sid)
    refunds = ok(api.get("/v1/refunds", params={"limit": 100}))["data"]
    # One verification per document, payment and refund.
    series = [v.series for v in sie.vers]
    assert series.count("F") == len(invs) + len(notes) == 7 + 3
    assert series.count("I") == 3  # three payments, no bank overpayment
    assert series.count("U") == len(refunds) == 1
    net = sum(d["net_total"] for d in invs) - sum(d["net_total"] for d in notes)
    vat = sum(d["vat_total"] for d in invs) - sum(d["vat_total"] for d in notes)
    # The reminder: fee and förseningsersättning on 3990, the interest on 8313 (a financial
    # income, class 8), nothing on 3305 (no export of services this month).
    fee, compensation, interest = (reminder[k] for k in ("fee", "compensation", "interest"))
    assert (fee, compensation, interest) == (6_000, 45_000, 41)
    charge = next(d for d in invs if d["id"] == reminder["charge_invoice_id"])
    assert (charge["net_total"], charge["vat_total"]) == (fee + compensation + interest, 0)
    assert -sie.movement("3990") == fee + compensation
    assert -sie.movement("8313") == interest
    assert sie.accounts["3990"] == "Övriga ersättningar, bidrag och intäkter"
    assert sie.accounts["8313"] == "Ränteintäkter från kortfristiga fordringar"
    assert sie.account_types["3990"] == sie.account_types["8313"] == "I"
    assert "3305" not in sie.accounts
    [booked] = [v for v in sie.vers if v.text.endswith(charge["number"])]
    assert sorted(booked.trans) == sorted(
        [("1510", charge["total"]), ("3990", -(fee + compensation)), ("8313", -interest)]
    )
    # Revenue (class 3) with the late interest (8313), and output VAT (26xx), are credits:
    # negative in the file.
    assert -sie.movement_of_class("3") - sie.movement("8313") == net
    assert -sie.movement_of_class("26") == vat
    assert -sie.movement("2611") == vat  # only 25 % in April
    # The reverse-charge sale and its full credit cancel out on 3308; exempt on 3004.
    assert sie.movement("3308") == 0
    assert -sie.movement("3004") == 5_000
    # Bank: three payments in, one refund out.
    assert sie.movement("1930") == 12_500 + 12_500 + 7_000 - refunds[0]["total"]


def _check_receivables(api: Api, sie: SieDocument, customers: list[dict[str, Any]]) -> None:
    """1510 moves as the statements' balances plus the customer credit do (the credit is
    moved to 2420), which is what became due less what was given back unallocated (C owed
    its March invoice when April began; nobody had credit)."""
    d_balance = d_credit = d_open = 0
    for c in customers:
        s = ok(api.get(f"/v1/customers/{c['id']}/statement", params=APRIL))
        assert s["opening_credit"] == 0
        d_balance += s["closing_balance"] - s["opening_balance"]
        d_credit += s["customer_credit"] - s["opening_credit"]
        d_open += s["open_total"] - s["unallocated_credit"] - s["opening_balance"]
    assert sie.movement("1510") == d_balance + d_credit == d_open
    assert -sie.movement("2420") == d_credit == 0  # kept on 04-11, consumed on 04-20
    assert sie.movement("2420") == 0 and any(a == "2420" for v in sie.vers for a, _ in v.trans)


def test_a_seller_s_chart_moves_revenue_to_its_own_accounts(api: Api) -> None:
    world = april(api)
    sid, plan = world["seller"]["id"], world["plan"]
    body = {
        "accounts": [
            {"key": f"plan:{plan['id']}", "account": "3011", "name": "Licenser, 25 % moms"},
            {"key": "product:halsa", "account": "3014", "name": "Hälsokontroller"},
            {"key": "product:halsa:exempt", "account": "3014", "name": "Hälsokontroller"},
            {"key": "bank", "account": "1940", "name": "Övriga bankkonton"},
            {"key": "late_interest", "account": "8319", "name": "Dröjsmålsräntor"},
        ]
    }
    chart = ok(api.put(f"/v1/sellers/{sid}/accounts", body))
    changed = {e["key"]: e["account"] for e in chart["accounts"] if e["changed"]}
    assert changed == {
        f"plan:{plan['id']}": "3011",
        "product:halsa": "3014",
        "product:halsa:exempt": "3014",
        "bank": "1940",
        "late_interest": "8319",
    }
    integration = api_key(api, "integration")
    assert ok(integration.get(f"/v1/sellers/{sid}/accounts"))["accounts"]
    sie = read(ok_bytes(integration.get("/v1/exports/sie", params={"seller": sid, **APRIL})))
    assert sie.accounts["3011"] == "Licenser, 25 % moms"
    assert sie.accounts["3014"] == "Hälsokontroller" and sie.movement("3004") == 0
    assert -sie.movement("3014") == 5_000
    assert "1930" not in sie.accounts and sie.movement("1940") != 0
    # The reminder's interest on the seller's account; its fee stays on the default.
    assert "8313" not in sie.accounts and -sie.movement("8319") == world["reminder"]["interest"]
    assert sie.accounts["8319"] == "Dröjsmålsräntor" and -sie.movement("3990") == 51_000
    # The reverse-charge licence stays on 3308: a plan's account is for its taxed sales.
    assert "3308" in sie.accounts
    for v in sie.vers:
        assert v.balance == 0


def ok_bytes(r: Any) -> bytes:
    assert r.status_code == 200, r.text
    return r.content  # type: ignore[no-any-return]


def test_bad_input_is_a_problem_and_writes_nothing(api: Api) -> None:
    sid = seller(api, SE_SELLER)["id"]
    r = api.get("/v1/exports/sie", params={"seller": sid, "from": "2025-05-01", "to": "2025-04-30"})
    assert_problem(r, 422, "export_range_reversed")
    r = api.get("/v1/exports/sie", params={"seller": "sel_nope", **APRIL})
    assert_problem(r, 404, "seller_not_found")
    r = api.get("/v1/exports/sie", params={"seller": sid, "from": "2025-01-01", "to": "2026-02-01"})
    assert_problem(r, 422, "export_range_too_long")
    # Thirteen months exactly are one period (a first fiscal year may be longer than twelve).
    r = api.get("/v1/exports/sie", params={"seller": sid, "from": "2025-01-01", "to": "2026-01-31"})
    assert r.status_code == 200, r.text
    assert read(r.content).header["#RAR"] == [
        ["0", "20260101", "20261231"],
        ["-1", "20250101", "20251231"],
    ]
    bad = {"accounts": [{"key": "revenue:standard:2500", "account": "30", "name": "x"}]}
    assert_problem(api.put(f"/v1/sellers/{sid}/accounts", bad), 422, "account_number")
    bad = {"accounts": [{"key": "whatever", "account": "3001", "name": "x"}]}
    assert_problem(api.put(f"/v1/sellers/{sid}/accounts", bad), 422, "account_key")
    assert not [e for e in ok(api.get(f"/v1/sellers/{sid}/accounts"))["accounts"] if e["changed"]]
    portal = api_key(api, "portal", api.customer()["id"])
    assert_problem(portal.get("/v1/exports/sie", params={"seller": sid, **APRIL}), 403, "forbidden")
