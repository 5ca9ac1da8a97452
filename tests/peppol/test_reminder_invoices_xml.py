"""A reminder invoice (fee, B2B compensation and late interest, all outside the scope of VAT)
as UBL, through the same ``.xml`` route and the feed's link as any invoice: a Swedish, a
Norwegian and a Danish business invoice go overdue, the scheduler issues the reminder, and its
invoice passes the official Peppol BIS Billing 3.0 rules (and the UBL 2.1 schema) on both
databases; so does one to a German business whose first invoice was reverse charged.

Every overdue invoice: 10 000 net + 25 % VAT = 12 500, issued 2025-04-01, due 2025-05-01; the
scheduler runs on 2025-05-21, so the interest is for the 20 days 2025-05-01..2025-05-20 at
the seeded rates (migrations 0015 and 0018), and the reminder invoice is of that day. The German
business's invoice is 10 000, reverse charged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.api.helpers import ok
from tests.conftest import Api
from tests.peppol.conftest import OfficialRules
from tests.peppol.world import (
    DE_BUYER,
    DK_BUYER,
    DK_SELLER,
    NO_BUYER,
    NO_SELLER,
    SE_BUYER,
    SE_SELLER,
    buyer,
    checked,
    invoice_of,
    one,
    plan,
    seller,
    subscribe,
    texts,
    xml_of,
)
from tests.reminders.test_reminders_api import charge_invoice, reminders, run_on

SUPPLIER = "cac:AccountingSupplierParty/cac:Party"
CUSTOMER = "cac:AccountingCustomerParty/cac:Party"
CATEGORY = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory"


def reminder_invoice(
    api: Api, sold_by: dict[str, Any], customer: dict[str, Any], currency: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The reminder (fee agreed) of an overdue invoice of ``customer``, and its invoice."""
    s = seller(api, sold_by)
    cust = buyer(api, s, customer, currency=currency)
    ok(api.put(f"/v1/customers/{cust['id']}/reminder-settings", {"fee_agreed": True}))
    overdue = invoice_of(api, subscribe(api, cust, plan(api, currency)))
    assert overdue["due_date"] == "2025-05-01"
    assert len(run_on(api, "2025-05-21")["sent"]) == 1
    [reminder] = reminders(api, cust["id"])
    return reminder, charge_invoice(api, reminder)


# Interest: 12 500 × rate × 20 days / (365 × 10 000), rounded half up.
CASES = {
    # 11.00 %: 75.34 → 75; fee 60 kr (agreed); förseningsersättning 450 kr.
    "SE": (
        SE_SELLER,
        SE_BUYER,
        "SEK",
        [
            ("Påminnelseavgift", "60.00"),
            ("Förseningsersättning", "450.00"),
            ("Dröjsmålsränta", "0.75"),
        ],
        "Utanför mervärdesskattens tillämpningsområde",
    ),
    # 12.50 %: 85.62 → 86; purregebyr 35 kr (the cap since 2020, migration 0018);
    # standardkompensasjon 470 kr (FOR-2024-12-19).
    "NO": (
        NO_SELLER,
        NO_BUYER,
        "NOK",
        [
            ("Purregebyr", "35.00"),
            ("Kompensasjon for forsinket betaling", "470.00"),
            ("Forsinkelsesrente", "0.86"),
        ],
        "Utenfor merverdiavgiftens virkeområde",
    ),
    # 11.75 % (from 2024-01-01, migration 0018): 80.48 → 80; rykkergebyr 100 kr;
    # kompensationsbeløb 310 kr.
    "DK": (
        DK_SELLER,
        DK_BUYER,
        "DKK",
        [("Rykkergebyr", "100.00"), ("Kompensationsbeløb", "310.00"), ("Morarente", "0.80")],
        "Uden for momsens anvendelsesområde",
    ),
}


@pytest.mark.parametrize("country", sorted(CASES))
def test_reminder_invoice_with_fee_and_interest(
    api: Api, official_rules: OfficialRules, tmp_path: Path, country: str
) -> None:
    sold_by, customer, currency, lines, reason = CASES[country]
    reminder, charge = reminder_invoice(api, sold_by, customer, currency)
    assert reminder["fee"] > 0 and reminder["interest"] > 0 and reminder["compensation"] > 0
    tree = checked(official_rules, xml_of(api, charge), tmp_path / f"reminder-{country}.xml")
    assert one(tree, "cbc:ID") == charge["number"]
    assert (one(tree, "cbc:IssueDate"), one(tree, "cbc:DueDate")) == (
        "2025-05-21",
        charge["due_date"],
    )
    names = texts(tree, "cac:InvoiceLine/cac:Item/cbc:Name")
    nets = texts(tree, "cac:InvoiceLine/cbc:LineExtensionAmount")
    assert list(zip(names, nets, strict=True)) == lines
    total = sum(int(net.replace(".", "")) for _, net in lines)
    assert (
        charge["total"]
        == total
        == reminder["fee"] + reminder["compensation"] + reminder["interest"]
    )
    # One breakdown, outside the scope of VAT, with its code and the seller's note in the
    # buyer's language; no percent (BR-O-05), no VAT (BR-O-09).
    assert texts(tree, f"{CATEGORY}/cbc:ID") == ["O"]
    assert texts(tree, f"{CATEGORY}/cbc:Percent") == []
    assert one(tree, f"{CATEGORY}/cbc:TaxExemptionReasonCode") == "VATEX-EU-O"
    assert one(tree, f"{CATEGORY}/cbc:TaxExemptionReason") == reason
    assert one(tree, "cac:TaxTotal/cbc:TaxAmount") == "0.00"
    assert set(texts(tree, "cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID")) == {"O"}
    # BR-O-02: neither party's VAT identifier, though both sellers and buyers have one.
    assert "VAT" not in texts(tree, f"{SUPPLIER}/cac:PartyTaxScheme/cac:TaxScheme/cbc:ID")
    assert texts(tree, f"{CUSTOMER}/cac:PartyTaxScheme") == []
    # The fee and compensation on the reminder's day; the interest over the days it is for.
    periods = list(
        zip(
            texts(tree, "cac:InvoiceLine/cac:InvoicePeriod/cbc:StartDate"),
            texts(tree, "cac:InvoiceLine/cac:InvoicePeriod/cbc:EndDate"),
            strict=True,
        )
    )
    day = ("2025-05-21", "2025-05-21")
    assert periods == [day, day, ("2025-05-01", "2025-05-20")]
    # Paid by the reminder invoice's own reference (the Danish one as FIK 71#).
    payment_id = one(tree, "cac:PaymentMeans/cbc:PaymentID")
    assert payment_id.removeprefix("71#") == charge["payment_reference"]


def test_reminder_of_a_reverse_charged_invoice_to_an_eu_business(
    api: Api, official_rules: OfficialRules, tmp_path: Path
) -> None:
    """The overdue invoice was AE (the buyer's VAT number on it); the reminder is all O, so
    the buyer is addressed by its VAT number (BT-49, scheme 9930) but not identified by it."""
    reminder, charge = reminder_invoice(api, SE_SELLER, DE_BUYER, "SEK")
    # 10 000 × 11.00 % × 20 / 365 = 60.27 → 60; 60 kr + 450 kr.
    assert (reminder["overdue"], charge["total"]) == (10_000, 6_000 + 45_000 + 60)
    tree = checked(official_rules, xml_of(api, charge), tmp_path / "reminder-de.xml")
    assert texts(tree, f"{CATEGORY}/cbc:ID") == ["O"]
    assert one(tree, f"{CUSTOMER}/cbc:EndpointID/@schemeID") == "9930"
    assert one(tree, f"{CUSTOMER}/cbc:EndpointID") == "DE136695976"
    assert texts(tree, f"{CUSTOMER}/cac:PartyTaxScheme") == []
    # The buyer's language (en_GB).
    assert texts(tree, "cac:InvoiceLine/cac:Item/cbc:Name")[0] == "Reminder fee"


def test_the_reminder_invoice_is_in_the_feed_with_its_xml_link(api: Api) -> None:
    _, charge = reminder_invoice(api, SE_SELLER, SE_BUYER, "SEK")
    link = f"/v1/invoices/{charge['id']}.xml"
    assert charge["links"]["xml"] == link
    events = ok(api.get("/v1/events", params={"type": "invoice.issued", "limit": 500}))["data"]
    [issued] = [e for e in events if e["data"]["document_id"] == charge["id"]]
    assert issued["data"]["links"]["xml"] == link
    r = api.get(link, headers={"Accept": "application/xml"})
    assert r.status_code == 200 and r.content == xml_of(api, charge)
