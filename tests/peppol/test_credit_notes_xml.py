"""Credit notes as UBL: a partial and then a full credit of one invoice each pass the official
rules, name the invoice they credit (BG-3) and give back, together, exactly the invoice's net
and VAT; on both databases.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.api.helpers import ok
from tests.conftest import Api
from tests.peppol.conftest import OfficialRules
from tests.peppol.world import (
    DK_BUYER,
    DK_SELLER,
    SE_BUYER,
    SE_SELLER,
    buyer,
    checked,
    credit_notes_of,
    invoice_of,
    one,
    plan,
    seller,
    subscribe,
    texts,
    xml_of,
)


def _amount(tree: object, path: str) -> Decimal:
    return Decimal(one(tree, path))


def test_partial_then_full_credit_note(
    api: Api, official_rules: OfficialRules, tmp_path: Path
) -> None:
    se = seller(api, SE_SELLER)
    cust = buyer(api, se, SE_BUYER)
    # 3 licences of 3 333: 9 999 net, VAT R(2 499.75) = 2 500.
    sub = subscribe(api, cust, plan(api, "SEK", unit_amount=3_333), quantity=3)
    inv = invoice_of(api, sub)
    invoice = checked(official_rules, xml_of(api, inv), tmp_path / "invoice.xml")
    r = api.post(
        f"/v1/subscriptions/{sub['id']}/changes", {"quantity": 2, "effective_date": "2025-04-16"}
    )
    assert r.status_code == 200, r.text
    [partial] = credit_notes_of(api, inv)
    ok(
        api.post(
            f"/v1/subscriptions/{sub['id']}/cancel",
            {"mode": "immediately", "unused": "credit_note"},
        )
    )
    notes = credit_notes_of(api, inv)
    assert len(notes) == 2
    trees = [
        checked(official_rules, xml_of(api, note), tmp_path / f"credit-{i}.xml")
        for i, note in enumerate(notes)
    ]
    for note, tree in zip(notes, trees, strict=True):
        assert tree.tag.endswith("}CreditNote")
        assert one(tree, "cbc:CreditNoteTypeCode") == "381"
        assert one(tree, "cbc:ID") == note["number"]
        ref = "cac:BillingReference/cac:InvoiceDocumentReference"
        assert one(tree, f"{ref}/cbc:ID") == inv["number"]
        assert one(tree, f"{ref}/cbc:IssueDate") == inv["issue_date"]
        assert texts(tree, "cac:PaymentMeans") == []
        assert one(tree, "cac:PaymentTerms/cbc:Note") == f"Krediteras mot faktura {inv['number']}"
        # Positive: what it gives back.
        assert _amount(tree, "cac:LegalMonetaryTotal/cbc:PayableAmount") > 0
    assert partial["id"] == notes[0]["id"]
    # Together the notes give back exactly the invoice's net and VAT.
    for path in ("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", "cac:TaxTotal/cbc:TaxAmount"):
        assert sum(_amount(t, path) for t in trees) == _amount(invoice, path)


def test_danish_credit_note_between_danish_parties(
    api: Api, official_rules: OfficialRules, tmp_path: Path
) -> None:
    dk = seller(api, DK_SELLER)
    cust = buyer(api, dk, DK_BUYER)
    sub = subscribe(api, cust, plan(api, "DKK"))
    inv = invoice_of(api, sub)
    ok(
        api.post(
            f"/v1/subscriptions/{sub['id']}/cancel",
            {"mode": "immediately", "unused": "credit_note"},
        )
    )
    [note] = credit_notes_of(api, inv)
    tree = checked(official_rules, xml_of(api, note), tmp_path / "dk-credit.xml")
    # DK-R-016: never a negative total; the Danish words for the terms.
    assert _amount(tree, "cac:LegalMonetaryTotal/cbc:PayableAmount") > 0
    assert one(tree, "cac:PaymentTerms/cbc:Note") == f"Krediteres faktura {inv['number']}"
