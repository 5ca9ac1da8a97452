"""VAT on the documents the API issues, for a Swedish, a Norwegian and a Danish seller, on both
databases: domestic business and consumer invoices, reverse charge to an EU business, a service
to a business outside the EU, a 25 % line beside an exempt one, partial and full credit notes
(VAT given back cumulatively, so a fully credited invoice returns exactly its VAT), payment
references looked up as a payer types them, and what is refused before anything is made.

Amounts are worked out by hand in the comments (öre; rates per the seller's country).
"""

from __future__ import annotations

from typing import Any

from stdnum import luhn

from billing.domain.references import ReferenceScheme, is_valid_reference
from tests.api.helpers import assert_problem, ok
from tests.conftest import Api
from tests.sellers import CURRENCY, DK_SELLER, NO_SELLER, SE_SELLER


def seller(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    r = api.post("/v1/sellers", body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def buyer(api: Api, sold_by: dict[str, Any], **fields: Any) -> dict[str, Any]:
    fields.setdefault("currency", CURRENCY[sold_by["country"]])
    return api.customer(seller_id=sold_by["id"], **fields)


def invoice_of(api: Api, sub: dict[str, Any]) -> dict[str, Any]:
    page = ok(api.get("/v1/invoices", params={"subscription_id": sub["id"]}))["data"]
    assert len(page) == 1, page
    return page[0]  # type: ignore[no-any-return]


def credit_notes_of(api: Api, invoice: dict[str, Any]) -> list[dict[str, Any]]:
    page = ok(api.get("/v1/credit-notes", params={"customer_id": invoice["customer_id"]}))
    return [c for c in page["data"] if c["invoice_id"] == invoice["id"]]


def breakdown(doc: dict[str, Any]) -> dict[tuple[str, int], tuple[int, int]]:
    """(code, rate in hundredths of a percent) → (taxable, VAT)."""
    return {(r["code"], r["rate_bps"]): (r["taxable"], r["vat"]) for r in doc["vat_breakdown"]}


def monthly(api: Api, currency: str, **fields: Any) -> dict[str, Any]:
    fields.setdefault("unit_amount", 10_000)
    return api.plan(currency=currency, name="Digital licens", **fields)


def subscribe(api: Api, customer: dict[str, Any], plan: dict[str, Any], **fields: Any) -> Any:
    """A subscription from 1 April 2025, billed by the bill run of that day (the bulk writer)."""
    api.today("2025-04-01")
    fields.setdefault("start_date", "2025-04-01")
    sub = api.subscription(customer, plan, **fields)
    ok(api.post("/v1/bill-runs", {"as_of": "2025-04-01"}), 201)
    return sub


class TestSwedishSeller:
    def test_domestic_business_invoice_carries_25_percent_and_an_ocr(self, api: Api) -> None:
        se = seller(api, SE_SELLER)
        cust = buyer(
            api,
            se,
            kind="business",
            legal_name="Kund AB",
            organisation_number="5566778899",
            address={"line1": "Drottninggatan 1", "postal_code": "411 14", "city": "Göteborg"},
        )
        sub = subscribe(api, cust, monthly(api, "SEK"))
        inv = invoice_of(api, sub)
        # 10 000 net; VAT R(25 % × 10 000) = 2 500; gross 12 500.
        assert (inv["net_total"], inv["vat_total"], inv["total"]) == (10_000, 2_500, 12_500)
        assert breakdown(inv) == {("standard", 2500): (10_000, 2_500)}
        assert inv["amount_due"] == 12_500
        assert inv["number"].startswith("SE-INV-")
        assert inv["seller"]["vat_number"] == "SE556036079301"
        assert inv["buyer"]["customer_number"] == cust["customer_number"]
        ref = inv["payment_reference"]
        assert ref and luhn.is_valid(ref) and is_valid_reference(ReferenceScheme.OCR, ref)
        # Looked up as a payer types it (spaces in groups of four).
        spaced = " ".join(ref[i : i + 4] for i in range(0, len(ref), 4))
        found = ok(api.get("/v1/invoices", params={"reference": spaced}))["data"]
        assert [d["id"] for d in found] == [inv["id"]]

    def test_consumer_price_list_includes_vat(self, api: Api) -> None:
        se = seller(api, SE_SELLER)
        cust = buyer(api, se, kind="consumer", name="Anna Andersson")
        plan = monthly(api, "SEK", unit_amount=12_500, prices_include_vat=True)
        inv = invoice_of(api, subscribe(api, cust, plan))
        # Gross 12 500 as the price list says; VAT R(12 500 × 25/125) = 2 500; net 10 000.
        assert (inv["net_total"], inv["vat_total"], inv["total"]) == (10_000, 2_500, 12_500)

    def test_reverse_charge_to_an_eu_business(self, api: Api) -> None:
        se = seller(api, SE_SELLER)
        cust = buyer(
            api, se, kind="business", country="DE", vat_number="DE136695976", currency="SEK"
        )
        inv = invoice_of(api, subscribe(api, cust, monthly(api, "SEK")))
        assert (inv["net_total"], inv["vat_total"], inv["total"]) == (10_000, 0, 10_000)
        assert breakdown(inv) == {("reverse_charge", 0): (10_000, 0)}
        assert inv["treatment"] == "reverse_charge"
        assert inv["buyer"]["vat_number"] == "DE136695976"

    def test_service_to_a_business_outside_the_eu(self, api: Api) -> None:
        se = seller(api, SE_SELLER)
        cust = buyer(api, se, kind="business", country="NO", currency="SEK")
        inv = invoice_of(api, subscribe(api, cust, monthly(api, "SEK")))
        assert inv["vat_total"] == 0 and inv["treatment"] == "outside_scope"
        assert breakdown(inv) == {("outside_scope", 0): (10_000, 0)}

    def test_a_25_percent_line_beside_an_exempt_one(self, api: Api) -> None:
        se = seller(api, SE_SELLER)
        cust = buyer(api, se, kind="consumer")
        order = ok(
            api.post(
                "/v1/orders",
                {
                    "customer_id": cust["id"],
                    "lines": [
                        {"description": "Digital licens", "unit_amount": 10_000, "quantity": 1},
                        {
                            "description": "Hälsokontroll",
                            "unit_amount": 5_000,
                            "quantity": 1,
                            "tax_category": "exempt",
                        },
                    ],
                },
            ),
            201,
        )
        lines = [{"line_id": line["id"], "quantity": 1} for line in order["lines"]]
        delivered = ok(
            api.post(
                f"/v1/orders/{order['id']}/deliveries",
                {"reference": "d-1", "delivered_on": "2025-04-01", "lines": lines},
            ),
            201,
        )
        inv = ok(api.get(f"/v1/invoices/{delivered['invoice_id']}"))
        # 10 000 at 25 % → 2 500; 5 000 exempt → 0; gross 17 500.
        assert breakdown(inv) == {("standard", 2500): (10_000, 2_500), ("exempt", 0): (5_000, 0)}
        assert (inv["net_total"], inv["vat_total"], inv["total"]) == (15_000, 2_500, 17_500)
        assert [line["tax_code"] for line in inv["lines"]] == ["standard", "exempt"]

    def test_partial_then_full_credit_returns_exactly_the_invoice_vat(self, api: Api) -> None:
        se = seller(api, SE_SELLER)
        cust = buyer(api, se, kind="business")
        # 3 licences of 3 333 öre: 9 999 net, VAT R(2 499.75) = 2 500, gross 12 499.
        sub = subscribe(api, cust, monthly(api, "SEK", unit_amount=3_333), quantity=3)
        inv = invoice_of(api, sub)
        assert (inv["net_total"], inv["vat_total"]) == (9_999, 2_500)
        r = api.post(
            f"/v1/subscriptions/{sub['id']}/changes",
            {"quantity": 2, "effective_date": "2025-04-16"},
        )
        assert r.status_code == 200, r.text
        [partial] = credit_notes_of(api, inv)
        # The change gives back the three licences' rest of the period (15 of 30 days:
        # 9 999 − R(9 999 × 15/30) = 4 999 under cumulative rounding) and invoices two anew.
        # VAT given back: V(4 999) − V(0) = R(1 249.75) = 1 250.
        assert (partial["net_total"], partial["vat_total"], partial["total"]) == (
            4_999,
            1_250,
            6_249,
        )
        r = api.post(
            f"/v1/subscriptions/{sub['id']}/cancel",
            {"mode": "immediately", "unused": "credit_note"},
        )
        assert r.status_code == 200, r.text
        notes = credit_notes_of(api, inv)
        assert len(notes) == 2
        assert sum(n["net_total"] for n in notes) == 9_999
        # Cumulative: V(9 999) − V(4 999) = 2 500 − 1 250 = 1 250; together exactly 2 500.
        assert [n["vat_total"] for n in notes] == [1_250, 1_250]
        assert sum(n["vat_total"] for n in notes) == inv["vat_total"] == 2_500
        assert sum(n["total"] for n in notes) == inv["total"]
        assert ok(api.get(f"/v1/invoices/{inv['id']}"))["status"] == "void"


class TestNorwegianSeller:
    def test_domestic_invoice_with_a_kid(self, api: Api) -> None:
        no = seller(api, NO_SELLER)
        cust = buyer(api, no, kind="business", country="NO", organisation_number="988077917")
        inv = invoice_of(api, subscribe(api, cust, monthly(api, "NOK")))
        assert (inv["net_total"], inv["vat_total"], inv["total"]) == (10_000, 2_500, 12_500)
        assert inv["number"].startswith("NO-INV-")
        assert is_valid_reference(ReferenceScheme.KID_MOD10, inv["payment_reference"])

    def test_reduced_rate_is_15_percent(self, api: Api) -> None:
        no = seller(api, NO_SELLER)
        cust = buyer(api, no, kind="consumer")
        inv = invoice_of(api, subscribe(api, cust, monthly(api, "NOK", tax_category="reduced")))
        # Every rate-taxed line is in the one row of its rate (EN 16931 category S).
        assert breakdown(inv) == {("standard", 1500): (10_000, 1_500)}
        assert [line["tax_code"] for line in inv["lines"]] == ["reduced"]


class TestDanishSeller:
    def test_domestic_invoice_with_a_fik_payment_id(self, api: Api) -> None:
        dk = seller(api, DK_SELLER)
        cust = buyer(api, dk, kind="business", country="DK")
        inv = invoice_of(api, subscribe(api, cust, monthly(api, "DKK")))
        assert (inv["net_total"], inv["vat_total"], inv["total"]) == (10_000, 2_500, 12_500)
        ref = inv["payment_reference"]
        assert len(ref) == 15 and is_valid_reference(ReferenceScheme.FIK71, ref)
        # The code line a payer types finds it too.
        line = f"+71<{ref}+85858585<"
        found = ok(api.get("/v1/invoices", params={"reference": line}))["data"]
        assert [d["id"] for d in found] == [inv["id"]]

    def test_no_reduced_rate_in_denmark_is_refused_at_subscription(self, api: Api) -> None:
        dk = seller(api, DK_SELLER)
        cust = buyer(api, dk, kind="consumer")
        plan = monthly(api, "DKK", tax_category="reduced")
        api.today("2025-04-01")
        body = {"customer_id": cust["id"], "plan_id": plan["id"], "start_date": "2025-04-01"}
        assert_problem(api.post("/v1/subscriptions", body), 422, "vat_rate_missing")
        assert ok(api.get("/v1/subscriptions", params={"customer_id": cust["id"]}))["data"] == []


class TestRefused:
    def test_a_consumer_abroad_is_refused_and_nothing_is_made(self, api: Api) -> None:
        se = seller(api, SE_SELLER)
        cust = buyer(api, se, kind="consumer", country="DE")
        plan = monthly(api, "SEK")
        api.today("2025-04-01")
        body = {"customer_id": cust["id"], "plan_id": plan["id"], "start_date": "2025-04-01"}
        assert_problem(api.post("/v1/subscriptions", body), 422, "vat_treatment_unsupported")
        assert ok(api.get("/v1/subscriptions", params={"customer_id": cust["id"]}))["data"] == []
        assert ok(api.get("/v1/invoices", params={"customer_id": cust["id"]}))["data"] == []

    def test_an_eu_business_without_a_vat_number_is_refused(self, api: Api) -> None:
        se = seller(api, SE_SELLER)
        cust = buyer(api, se, kind="business", country="DE")
        plan = monthly(api, "SEK")
        api.today("2025-04-01")
        body = {"customer_id": cust["id"], "plan_id": plan["id"], "start_date": "2025-04-01"}
        assert_problem(api.post("/v1/subscriptions", body), 422, "reverse_charge_needs_vat_number")

    def test_a_reference_that_is_not_digits_is_refused(self, api: Api) -> None:
        assert_problem(
            api.get("/v1/invoices", params={"reference": "12ab"}), 422, "invalid_payment_reference"
        )


def test_a_fresh_install_without_a_seller_issues_nothing(bare_api: Api) -> None:
    api = bare_api
    cust = api.customer()
    assert cust["customer_number"] is None
    api.today("2025-04-01")
    sub = api.subscription(cust, monthly(api, "SEK"), start_date="2025-04-01")
    # The bill run parks it (and says why); nothing is issued.
    run = ok(api.post("/v1/bill-runs", {"as_of": "2025-04-01"}), 201)
    run = ok(api.get(f"/v1/bill-runs/{run['id']}"))
    assert [(p["subscription_id"], p["code"]) for p in run["parked"]] == [
        (sub["id"], "seller_missing")
    ]
    # An order's delivery is refused and changes nothing.
    order = ok(
        api.post(
            "/v1/orders",
            {
                "customer_id": cust["id"],
                "lines": [{"description": "Hälsokontroll", "unit_amount": 5_000, "quantity": 1}],
            },
        ),
        201,
    )
    body = {
        "reference": "d-1",
        "delivered_on": "2025-04-01",
        "lines": [{"line_id": order["lines"][0]["id"], "quantity": 1}],
    }
    assert_problem(api.post(f"/v1/orders/{order['id']}/deliveries", body), 409, "seller_missing")
    assert ok(api.get(f"/v1/orders/{order['id']}"))["lines"][0]["delivered"] == 0
    assert ok(api.get("/v1/invoices"))["data"] == []
    # Once there is a seller, the next run bills it, and the customer has a number.
    seller(api, SE_SELLER)
    assert ok(api.get(f"/v1/customers/{cust['id']}"))["customer_number"] == "1001"
    ok(api.post("/v1/bill-runs", {"as_of": "2025-04-02"}), 201)
    assert invoice_of(api, sub)["vat_total"] == 2_500


def test_a_preview_shows_the_vat_it_would_post_and_changes_nothing(api: Api) -> None:
    se = seller(api, SE_SELLER)
    cust = buyer(api, se, kind="business")
    sub = subscribe(api, cust, monthly(api, "SEK", unit_amount=3_333), quantity=3)
    before = ok(api.get("/v1/credit-notes", params={"customer_id": cust["id"]}))["data"]
    body = {"quantity": 2, "effective_date": "2025-04-16"}
    seen = ok(api.post(f"/v1/subscriptions/{sub['id']}/changes?preview=true", body))
    [note] = [d for d in seen["documents"] if d["type"] == "credit_note"]
    [new] = [d for d in seen["documents"] if d["type"] == "invoice"]
    # As the real change posts it (test above): 4 999 back with 1 250 VAT; two licences for
    # 15 days anew: R(6 666 × 15/30) = 3 333 net, VAT R(833.25) = 833.
    assert (note["net_total"], note["vat_total"]) == (4_999, 1_250)
    assert (new["net_total"], new["vat_total"], new["total"]) == (3_333, 833, 4_166)
    # Numbers (and the payment reference made from one) are taken only when posted.
    assert new["number"] is None and new["payment_reference"] is None
    after = ok(api.get("/v1/credit-notes", params={"customer_id": cust["id"]}))["data"]
    assert after == before == []


def test_add_ons_and_one_offs_carry_their_own_category(api: Api) -> None:
    se = seller(api, SE_SELLER)
    cust = buyer(api, se, kind="consumer")
    plan = monthly(
        api,
        "SEK",
        addons=[
            {
                "code": "assist",
                "name": "Assist sjukvård",
                "unit_amount": 4_000,
                "tax_category": "exempt",
            }
        ],
    )
    sub = subscribe(api, cust, plan)
    api.today("2025-05-01")
    ok(
        api.post(
            f"/v1/subscriptions/{sub['id']}/addons",
            {"code": "assist", "effective_date": "2025-05-01"},
        )
    )
    # A health check delivered on the licence's timeline, exempt like any medical care.
    done = ok(
        api.post(
            f"/v1/subscriptions/{sub['id']}/one-offs",
            {
                "delivered_on": "2025-05-01",
                "description": "Hälsokontroll",
                "unit_amount": 1_500,
                "tax_category": "exempt",
            },
        )
    )
    [health] = [d for d in done["documents"] if d["type"] == "invoice"]
    assert [line["tax_code"] for line in health["lines"]] == ["exempt"]
    assert (health["net_total"], health["vat_total"]) == (1_500, 0)
    ok(api.post("/v1/bill-runs", {"as_of": "2025-05-01"}), 201)
    may = [
        d
        for d in ok(api.get("/v1/invoices", params={"subscription_id": sub["id"]}))["data"]
        if d["issue_date"] == "2025-05-01" and d["id"] != health["id"]
    ]
    rows = {r for d in may for r in breakdown(d)}
    codes = {line["item"]: line["tax_code"] for d in may for line in d["lines"]}
    # The licence at 25 %, the add-on exempt, on May's invoice(s).
    assert codes.get("main") == "standard" and codes.get("addon:assist") == "exempt", codes
    assert ("standard", 2500) in rows and ("exempt", 0) in rows
