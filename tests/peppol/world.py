"""Sellers, buyers and documents made through the API for the Peppol tests, and the check every
document's XML must pass: the official rules with no fatal assertion, and the UBL 2.1 XML
schema.

Numbers are valid for their registers (organisation numbers with their check digits, VAT
numbers made from them, a bankgiro and a Norwegian account with theirs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from tests.api.helpers import ok
from tests.conftest import Api
from tests.peppol.conftest import OfficialRules, fatal, ubl_schema
from tests.sellers import CURRENCY, DK_SELLER, NO_SELLER
from tests.sellers import SE_SELLER as BASE_SE_SELLER

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}

#: Peppol needs the seller's electronic contact: the Swedish one with an e-mail address.
SE_SELLER: dict[str, Any] = {**BASE_SE_SELLER, "email": "faktura@halsokontroll.example"}
__all__ = ["CURRENCY", "DK_SELLER", "NO_SELLER", "SE_SELLER"]

SE_BUYER: dict[str, Any] = {
    "kind": "business",
    "name": "Kund",
    "legal_name": "Kund AB",
    "organisation_number": "5566778899",
    "address": {"line1": "Drottninggatan 1", "postal_code": "411 14", "city": "Göteborg"},
}
NO_BUYER: dict[str, Any] = {
    "kind": "business",
    "name": "Kunde AS",
    "country": "NO",
    "organisation_number": "988077917",
    "address": {"line1": "Karl Johans gate 1", "postal_code": "0154", "city": "Oslo"},
    "locale": "nb_NO",
}
DK_BUYER: dict[str, Any] = {
    "kind": "business",
    "name": "Kunde ApS",
    "country": "DK",
    "organisation_number": "25313704",
    "address": {"line1": "Strøget 1", "postal_code": "1160", "city": "København K"},
    "locale": "da_DK",
}
DE_BUYER: dict[str, Any] = {
    "kind": "business",
    "name": "Kunde GmbH",
    "country": "DE",
    "vat_number": "DE136695976",
    "address": {"line1": "Friedrichstraße 1", "postal_code": "10117", "city": "Berlin"},
    "locale": "en_GB",
}


def seller(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    return ok(api.post("/v1/sellers", body), 201)  # type: ignore[no-any-return]


def buyer(api: Api, sold_by: dict[str, Any], body: dict[str, Any], **more: Any) -> Any:
    fields = {"currency": CURRENCY[sold_by["country"]], **body, **more}
    return api.customer(seller_id=sold_by["id"], **fields)


def plan(api: Api, currency: str, **fields: Any) -> dict[str, Any]:
    fields.setdefault("unit_amount", 10_000)
    return api.plan(currency=currency, name="Digital licens", **fields)


def subscribe(api: Api, customer: dict[str, Any], p: dict[str, Any], **fields: Any) -> Any:
    """A subscription from 1 April 2025, billed by that day's bill run."""
    api.today("2025-04-01")
    fields.setdefault("start_date", "2025-04-01")
    sub = api.subscription(customer, p, **fields)
    ok(api.post("/v1/bill-runs", {"as_of": "2025-04-01"}), 201)
    return sub


def invoice_of(api: Api, sub: dict[str, Any]) -> dict[str, Any]:
    [invoice] = ok(api.get("/v1/invoices", params={"subscription_id": sub["id"]}))["data"]
    return invoice  # type: ignore[no-any-return]


def credit_notes_of(api: Api, invoice: dict[str, Any]) -> list[dict[str, Any]]:
    page = ok(api.get("/v1/credit-notes", params={"customer_id": invoice["customer_id"]}))
    return [c for c in page["data"] if c["invoice_id"] == invoice["id"]]


def xml_of(api: Api, doc: dict[str, Any]) -> bytes:
    kind = "invoices" if doc["type"] == "invoice" else "credit-notes"
    r = api.get(f"/v1/{kind}/{doc['id']}.xml")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xml")
    return bytes(r.content)


def checked(rules: OfficialRules, xml: bytes, where: Path) -> Any:
    """``xml`` passes the official rules (no fatal assertion; the failed ones are listed) and
    the UBL 2.1 schema of its kind (the errors listed); its parsed tree."""
    where.write_bytes(xml)
    failed = fatal(rules.findings(where))
    assert failed == [], f"{where}: {len(failed)} fatal assertions:\n" + "\n".join(failed)
    tree = etree.fromstring(xml)
    xsd = ubl_schema(etree.QName(tree).localname)
    assert xsd.validate(tree), f"{where}: {xsd.error_log}"
    return tree


def texts(tree: Any, path: str) -> list[str]:
    """The text of each element (or the value of each attribute) ``path`` finds."""
    found = tree.xpath(path, namespaces=NS)
    return [str(x) if isinstance(x, str) else str(x.text or "") for x in found]


def one(tree: Any, path: str) -> str:
    [value] = texts(tree, path)
    return value
