"""Usage lines in Peppol BIS Billing 3.0: an invoice with a licence at 25 % and health checks
above the included ones (exempt), and the credit note of a late event, pass the official rules."""

from __future__ import annotations

from pathlib import Path

from tests.api.helpers import ok
from tests.conftest import Api
from tests.peppol.conftest import OfficialRules
from tests.peppol.world import SE_BUYER, SE_SELLER, buyer, checked, plan, seller, texts, xml_of

SUBTOTAL = "cac:TaxTotal/cac:TaxSubtotal"
HEALTH = {"code": "health_checks", "name": "Hälsokontroller", "reset": "contract_year",
          "included": 25, "unit_amount": 45_000, "tax_category": "exempt"}  # fmt: skip


def report(api: Api, sub: str, first: int, count: int, day: str) -> None:
    events = [{"id": f"hc-{first + i}", "subscription_id": sub, "metric": "health_checks",
               "occurred_at": f"{day}T10:00:00+02:00"} for i in range(count)]  # fmt: skip
    ok(api.post("/v1/usage-events", {"events": events}), 201)


def test_usage_lines_and_their_credit_pass_the_official_rules(
    api: Api, official_rules: OfficialRules, tmp_path: Path
) -> None:
    se = seller(api, SE_SELLER)
    cust = buyer(api, se, SE_BUYER)
    p = plan(api, "SEK", metrics=[HEALTH])
    api.today("2025-04-01")
    sub = api.subscription(cust, p, start_date="2025-04-01")["id"]
    report(api, sub, 0, 27, "2025-04-15")
    api.today("2025-05-01")
    run = ok(api.post("/v1/bill-runs", {"as_of": "2025-05-01"}), 201)
    may = ok(api.get(f"/v1/invoices/{run['invoices'][0]}"))
    tree = checked(official_rules, xml_of(api, may), tmp_path / "usage.xml")
    names = texts(tree, "cac:InvoiceLine/cac:Item/cbc:Name")
    assert "Hälsokontroller" in names
    i = names.index("Hälsokontroller") + 1
    assert texts(tree, f"cac:InvoiceLine[{i}]/cbc:InvoicedQuantity") == ["2"]
    assert texts(tree, f"cac:InvoiceLine[{i}]/cac:Price/cbc:PriceAmount") == ["450"]
    assert texts(tree, f"cac:InvoiceLine[{i}]/cac:Item/cac:ClassifiedTaxCategory/cbc:ID") == ["E"]
    assert sorted(texts(tree, f"{SUBTOTAL}/cac:TaxCategory/cbc:ID")) == ["E", "S"]

    report(api, sub, 27, 1, "2025-04-20")  # late: April is billed already
    api.today("2025-06-01")
    run = ok(api.post("/v1/bill-runs", {"as_of": "2025-06-01"}), 201)
    (note_id,) = run["credit_notes"]
    note = ok(api.get(f"/v1/credit-notes/{note_id}"))
    assert (note["invoice_id"], note["total"]) == (may["id"], 90_000)  # exempt: no VAT back
    checked(official_rules, xml_of(api, note), tmp_path / "usage-credit.xml")
