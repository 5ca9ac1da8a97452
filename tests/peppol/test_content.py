"""The EN 16931 content of documents the API makes rarely or never today, built from stored rows
by hand (no database): the combinations the rules restrict (category O alone: BR-O-11), lines
billed before VAT, and a document that disagrees with itself. What can be a document is
checked against the official rules too.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from billing.errors import Conflict
from billing.peppol.content import ubl_document
from billing.peppol.ubl import to_xml
from billing.storage.models import Document, LedgerEntry
from tests.peppol.conftest import OfficialRules
from tests.peppol.world import checked, one, texts

SELLER: dict[str, Any] = {
    "id": "sel_1",
    "legal_name": "Hälsokontroll Sverige AB",
    "address": {
        "line1": "Kungsgatan 12",
        "line2": None,
        "postal_code": "111 35",
        "city": "Stockholm",
    },
    "country": "SE",
    "organisation_number": "5560360793",
    "vat_number": "SE556036079301",
    "f_skatt": True,
    "foretaksregisteret": False,
    "bank": {"bankgiro": "50501055"},
    "email": None,
    "phone": None,
}
NORWEGIAN_BUSINESS: dict[str, Any] = {
    "customer_id": "cus_1",
    "customer_number": "1001",
    "name": "Kunde AS",
    "legal_name": None,
    "address": {"line1": None, "line2": None, "postal_code": None, "city": None},
    "country": "NO",
    "kind": "business",
    "organisation_number": "988077917",
    "vat_number": None,
}


def entry(n: int, amount: int, code: str | None, rate: int = 0, **more: Any) -> LedgerEntry:
    fields: dict[str, Any] = {
        "id": n,
        "subscription_id": None,
        "order_id": "ord_1",
        "description": f"Product {n}",
        "customer_id": "cus_1",
        "item": f"one_off:{n}",
        "kind": "one_off",
        "period_start": date(2025, 4, 1),
        "period_end": date(2025, 4, 2),
        "service_start": date(2025, 4, 1),
        "service_end": date(2025, 4, 2),
        "unit_amount": abs(amount),
        "quantity": 1,
        "period_amount": amount,
        "amount": amount,
        "currency": "SEK",
        "tax_code": code,
        "vat_rate": rate if code else None,
        "vat_inclusive": False if code else None,
    }
    return LedgerEntry(**{**fields, **more})


def row(code: str, lines: int, vat: int = 0, rate: int = 0) -> dict[str, Any]:
    return {
        "code": code,
        "rate": rate,
        "inclusive": False,
        "lines": lines,
        "taxable": lines,
        "vat": vat,
    }


def invoice(rows: list[dict[str, Any]], *, treatment: str, **more: Any) -> Document:
    net = sum(r["taxable"] for r in rows)
    vat = sum(r["vat"] for r in rows)
    fields: dict[str, Any] = {
        "id": "doc_1",
        "type": "invoice",
        "series": "SE-INV",
        "number": 7,
        "customer_id": "cus_1",
        "currency": "SEK",
        "issue_date": date(2025, 4, 1),
        "due_date": date(2025, 5, 1),
        "total": net + vat,
        "net_total": net,
        "vat_total": vat,
        "vat_breakdown": rows,
        "parties": {"treatment": treatment, "seller": SELLER, "buyer": NORWEGIAN_BUSINESS},
        "payment_reference": "70016",
    }
    return Document(**{**fields, **more})


def content(doc: Document, entries: list[LedgerEntry]) -> Any:
    return ubl_document(
        doc, entries, number="SE-INV-000007", language="sv", product=lambda e: str(e.description)
    )


def test_an_exempt_line_outside_the_scope_is_outside_it_too(
    official_rules: OfficialRules, tmp_path: Path
) -> None:
    # A Swedish seller's service and an exempt one to a Norwegian business: rows outside_scope
    # and exempt, written as one O breakdown (BR-O-11) of 15 000, with the O reason.
    doc = invoice([row("outside_scope", 10_000), row("exempt", 5_000)], treatment="outside_scope")
    entries = [entry(1, 10_000, "outside_scope"), entry(2, 5_000, "exempt")]
    tree = checked(official_rules, to_xml(content(doc, entries)), tmp_path / "o-and-e.xml")
    assert texts(tree, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID") == ["O"]
    assert one(tree, "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount") == "150.00"
    assert texts(tree, "cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID") == ["O", "O"]
    # The buyer with no address still has its country (BR-11), and no empty elements.
    assert one(tree, "cac:AccountingCustomerParty//cac:Country/cbc:IdentificationCode") == "NO"
    assert texts(tree, "cac:AccountingCustomerParty//cbc:StreetName") == []


def test_vat_beside_a_supply_not_subject_to_it_is_refused() -> None:
    # A seller registered after a charge it credits now: not_registered beside 25 %.
    doc = invoice(
        [row("not_registered", 10_000), row("standard", 4_000, vat=1_000, rate=2500)],
        treatment="domestic",
    )
    entries = [entry(1, 10_000, "not_registered"), entry(2, 4_000, "standard", 2500)]
    with pytest.raises(Conflict) as e:
        content(doc, entries)
    assert e.value.code == "document_not_peppol_ready"


def test_lines_billed_before_vat_are_refused() -> None:
    doc = invoice([row("untaxed", 10_000)], treatment="domestic")
    with pytest.raises(Conflict) as e:
        content(doc, [entry(1, 10_000, None)])
    assert (e.value.code, "before VAT" in e.value.detail) == ("document_not_peppol_ready", True)


def test_a_document_that_disagrees_with_its_lines_is_an_error() -> None:
    doc = invoice([row("exempt", 10_000)], treatment="domestic")
    with pytest.raises(ValueError, match="add up"):
        content(doc, [entry(1, 9_999, "exempt")])
