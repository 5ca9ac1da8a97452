"""Every kind of invoice the API issues, as UBL, passes the official Peppol BIS Billing 3.0
rules (CEN EN 16931 + Peppol, release 3.0.19) with no fatal assertion, on both databases:
domestic Swedish, Norwegian and Danish invoices, an exempt line beside a 25 % one, reverse
charge to an EU business, a service to a business outside the EU, a seller not registered for
VAT, and a VAT-inclusive price list whose net lines must add up to the taxable amount exactly.

Besides passing the rules, each test reads back the terms that carry our data (amounts in öre
worked out by hand in the comments).
"""

from __future__ import annotations

from pathlib import Path

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

SUPPLIER = "cac:AccountingSupplierParty/cac:Party"
CUSTOMER = "cac:AccountingCustomerParty/cac:Party"
SUBTOTAL = "cac:TaxTotal/cac:TaxSubtotal"


def test_swedish_domestic_invoice(api: Api, official_rules: OfficialRules, tmp_path: Path) -> None:
    se = seller(api, SE_SELLER)
    cust = buyer(api, se, SE_BUYER)
    inv = invoice_of(api, subscribe(api, cust, plan(api, "SEK")))
    tree = checked(official_rules, xml_of(api, inv), tmp_path / "se.xml")
    assert one(tree, "cbc:CustomizationID").endswith("poacc:billing:3.0")
    assert (one(tree, "cbc:ID"), one(tree, "cbc:InvoiceTypeCode")) == (inv["number"], "380")
    assert one(tree, "cbc:DueDate") == inv["due_date"]
    assert one(tree, "cbc:BuyerReference") == cust["customer_number"]
    assert one(tree, f"{SUPPLIER}/cbc:EndpointID/@schemeID") == "0007"
    assert one(tree, f"{SUPPLIER}/cbc:EndpointID") == "5560360793"
    assert texts(tree, f"{SUPPLIER}/cac:PartyTaxScheme/cbc:CompanyID") == [
        "SE556036079301",
        "Godkänd för F-skatt",
    ]
    assert one(tree, f"{CUSTOMER}/cbc:EndpointID") == "5566778899"
    assert one(tree, f"{CUSTOMER}/cac:PartyLegalEntity/cbc:RegistrationName") == "Kund AB"
    # Bankgiro as Swedish Peppol practice writes it, the OCR as the remittance.
    means = "cac:PaymentMeans"
    assert one(tree, f"{means}/cbc:PaymentMeansCode") == "30"
    assert one(tree, f"{means}/cbc:PaymentID") == inv["payment_reference"]
    assert one(tree, f"{means}/cac:PayeeFinancialAccount/cbc:ID") == "50501055"
    branch = f"{means}/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"
    assert one(tree, branch) == "SE:BANKGIRO"
    # 10 000 öre net, 25 % = 2 500, 12 500 gross.
    assert one(tree, f"{SUBTOTAL}/cac:TaxCategory/cbc:ID") == "S"
    assert one(tree, f"{SUBTOTAL}/cac:TaxCategory/cbc:Percent") == "25"
    assert one(tree, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "125.00"
    assert one(tree, "cac:TaxTotal/cbc:TaxAmount") == "25.00"
    line = "cac:InvoiceLine"
    assert one(tree, f"{line}/cac:Item/cbc:Name") == "Digital licens"
    assert one(tree, f"{line}/cbc:InvoicedQuantity/@unitCode") == "C62"
    # Served 1-30 April: the ledger's end (1 May) is exclusive.
    assert one(tree, f"{line}/cac:InvoicePeriod/cbc:StartDate") == "2025-04-01"
    assert one(tree, f"{line}/cac:InvoicePeriod/cbc:EndDate") == "2025-04-30"


def test_norwegian_domestic_invoice(
    api: Api, official_rules: OfficialRules, tmp_path: Path
) -> None:
    no = seller(api, NO_SELLER)
    cust = buyer(api, no, NO_BUYER)
    inv = invoice_of(api, subscribe(api, cust, plan(api, "NOK", tax_category="reduced")))
    tree = checked(official_rules, xml_of(api, inv), tmp_path / "no.xml")
    assert one(tree, f"{SUPPLIER}/cbc:EndpointID/@schemeID") == "0192"
    assert texts(tree, f"{SUPPLIER}/cac:PartyTaxScheme/cbc:CompanyID") == [
        "NO923609016MVA",
        "Foretaksregisteret",
    ]
    assert one(tree, f"{CUSTOMER}/cbc:EndpointID") == "988077917"
    assert one(tree, "cac:PaymentMeans/cbc:PaymentID") == inv["payment_reference"]
    assert one(tree, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == "86011117947"
    # Reduced rate 15 %: 10 000 → 1 500.
    assert one(tree, f"{SUBTOTAL}/cac:TaxCategory/cbc:Percent") == "15"
    assert one(tree, f"{SUBTOTAL}/cbc:TaxAmount") == "15.00"


def test_danish_domestic_invoice_is_paid_by_fik(
    api: Api, official_rules: OfficialRules, tmp_path: Path
) -> None:
    dk = seller(api, DK_SELLER)
    cust = buyer(api, dk, DK_BUYER)
    inv = invoice_of(api, subscribe(api, cust, plan(api, "DKK")))
    tree = checked(official_rules, xml_of(api, inv), tmp_path / "dk.xml")
    assert one(tree, f"{SUPPLIER}/cac:PartyLegalEntity/cbc:CompanyID/@schemeID") == "0184"
    assert one(tree, f"{CUSTOMER}/cbc:EndpointID") == "25313704"
    # Between Danish parties: FIK (93) with 71# and the 15-digit payment id, the creditor
    # number as the account; only one code per invoice (UBL-SR-47), so not the account too.
    assert texts(tree, "cac:PaymentMeans/cbc:PaymentMeansCode") == ["93"]
    assert one(tree, "cac:PaymentMeans/cbc:PaymentID") == "71#" + inv["payment_reference"]
    assert one(tree, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == "85858585"


def test_exempt_line_beside_a_25_percent_one(
    api: Api, official_rules: OfficialRules, tmp_path: Path
) -> None:
    se = seller(api, SE_SELLER)
    cust = buyer(api, se, SE_BUYER)
    body = {
        "customer_id": cust["id"],
        "lines": [
            {"description": "Digital licens", "unit_amount": 10_000, "quantity": 1},
            {
                "description": "Hälsokontroll",
                "unit_amount": 2_500,
                "quantity": 2,
                "tax_category": "exempt",
            },
        ],
    }
    order = ok(api.post("/v1/orders", body), 201)
    delivery = {
        "reference": "d-1",
        "delivered_on": "2025-04-01",
        "lines": [{"line_id": line["id"], "quantity": line["quantity"]} for line in order["lines"]],
    }
    delivered = ok(api.post(f"/v1/orders/{order['id']}/deliveries", delivery), 201)
    inv = ok(api.get(f"/v1/invoices/{delivered['invoice_id']}"))
    tree = checked(official_rules, xml_of(api, inv), tmp_path / "exempt.xml")
    # 10 000 at 25 % → 2 500; 2 × 2 500 exempt → 0, with the Swedish note as the reason.
    assert texts(tree, f"{SUBTOTAL}/cac:TaxCategory/cbc:ID") == ["S", "E"]
    assert texts(tree, f"{SUBTOTAL}/cbc:TaxableAmount") == ["100.00", "50.00"]
    reason = one(tree, f"{SUBTOTAL}/cac:TaxCategory/cbc:TaxExemptionReason")
    assert reason == "Undantagen från skatteplikt enligt 10 kap. ML"
    assert texts(tree, "cac:InvoiceLine/cac:Item/cbc:Name") == ["Digital licens", "Hälsokontroll"]
    assert texts(tree, "cac:InvoiceLine/cac:Price/cbc:PriceAmount") == ["100", "25"]


def test_reverse_charge_to_an_eu_business(
    api: Api, official_rules: OfficialRules, tmp_path: Path
) -> None:
    se = seller(api, SE_SELLER)
    cust = buyer(api, se, DE_BUYER, currency="SEK")
    inv = invoice_of(api, subscribe(api, cust, plan(api, "SEK")))
    tree = checked(official_rules, xml_of(api, inv), tmp_path / "ae.xml")
    category = f"{SUBTOTAL}/cac:TaxCategory"
    assert (one(tree, f"{category}/cbc:ID"), one(tree, f"{category}/cbc:Percent")) == ("AE", "0")
    assert one(tree, f"{category}/cbc:TaxExemptionReasonCode") == "VATEX-EU-AE"
    # The buyer's language (en_GB): the note in English.
    assert one(tree, f"{category}/cbc:TaxExemptionReason") == "Reverse charge"
    assert one(tree, f"{CUSTOMER}/cbc:EndpointID/@schemeID") == "9930"
    assert one(tree, f"{CUSTOMER}/cac:PartyTaxScheme/cbc:CompanyID") == "DE136695976"
    assert one(tree, "cac:TaxTotal/cbc:TaxAmount") == "0.00"


def test_service_to_a_business_outside_the_eu(
    api: Api, official_rules: OfficialRules, tmp_path: Path
) -> None:
    se = seller(api, SE_SELLER)
    cust = buyer(api, se, NO_BUYER, currency="SEK", locale="sv_SE")
    inv = invoice_of(api, subscribe(api, cust, plan(api, "SEK")))
    tree = checked(official_rules, xml_of(api, inv), tmp_path / "o.xml")
    category = f"{SUBTOTAL}/cac:TaxCategory"
    assert one(tree, f"{category}/cbc:ID") == "O"
    assert texts(tree, f"{category}/cbc:Percent") == []  # BR-O-05
    assert one(tree, f"{category}/cbc:TaxExemptionReasonCode") == "VATEX-EU-O"
    reason = "Utanför mervärdesskattens tillämpningsområde"
    assert one(tree, f"{category}/cbc:TaxExemptionReason") == reason
    # BR-O-02: no VAT identifier of either party; the seller keeps F-skatt and its number.
    schemes = texts(tree, f"{SUPPLIER}/cac:PartyTaxScheme/cac:TaxScheme/cbc:ID")
    assert schemes == ["TAX"]
    assert texts(tree, f"{CUSTOMER}/cac:PartyTaxScheme") == []
    assert one(tree, f"{SUPPLIER}/cac:PartyLegalEntity/cbc:CompanyID") == "5560360793"


def test_seller_not_registered_for_vat(
    api: Api, official_rules: OfficialRules, tmp_path: Path
) -> None:
    # The tests' default seller: Swedish, F-skatt, no VAT number.
    cust = api.customer(**SE_BUYER)
    inv = invoice_of(api, subscribe(api, cust, plan(api, "SEK")))
    tree = checked(official_rules, xml_of(api, inv), tmp_path / "not-registered.xml")
    category = f"{SUBTOTAL}/cac:TaxCategory"
    assert one(tree, f"{category}/cbc:ID") == "O"
    reason = "Säljaren är inte registrerad för mervärdesskatt"
    assert one(tree, f"{category}/cbc:TaxExemptionReason") == reason
    assert one(tree, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "100.00"


def test_vat_inclusive_lines_are_net_and_add_up_to_the_taxable_amount(
    api: Api, official_rules: OfficialRules, tmp_path: Path
) -> None:
    se = seller(api, SE_SELLER)
    cust = buyer(api, se, SE_BUYER)
    # Gross 3 licences × 3 333 = 9 999 and a start-up fee of 1 001 gross: 11 000 in all;
    # VAT R(11 000 × 25/125) = 2 200; taxable 8 800, split by largest remainder over the
    # gross lines: 9 999 × 8 800 / 11 000 = 7 999.2 → 7 999, 1 001 × 0.8 = 800.8 → 801.
    p = plan(api, "SEK", unit_amount=3_333, setup_fee_amount=1_001, prices_include_vat=True)
    inv = invoice_of(api, subscribe(api, cust, p, quantity=3))
    assert (inv["net_total"], inv["vat_total"], inv["total"]) == (8_800, 2_200, 11_000)
    tree = checked(official_rules, xml_of(api, inv), tmp_path / "inclusive.xml")
    nets = texts(tree, "cac:InvoiceLine/cbc:LineExtensionAmount")
    assert sorted(nets) == ["79.99", "8.01"]
    assert one(tree, "cac:LegalMonetaryTotal/cbc:LineExtensionAmount") == "88.00"
    assert one(tree, f"{SUBTOTAL}/cbc:TaxableAmount") == "88.00"
    assert one(tree, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount") == "110.00"
    # The net price of one licence: 79.99 / 3 = 26.663333… to 2 + 1 + 1 decimals.
    prices = texts(tree, "cac:InvoiceLine/cac:Price/cbc:PriceAmount")
    assert "26.6633" in prices
