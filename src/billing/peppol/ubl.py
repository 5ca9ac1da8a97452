"""UBL 2.1 XML of an EN 16931 document, per Peppol BIS Billing 3.0 (written with lxml).

The element order is UBL 2.1's (the official Peppol examples follow it): header (specification,
process, number, dates, type, currency, buyer reference, invoice period, billing reference),
seller, buyer, payment means and terms, VAT total with one subtotal per category and rate, the
monetary totals, the lines. An invoice and a credit note differ only in their root, type code,
line element and quantity element, and in where the due date can be (a credit note has none).
Nothing is written empty (PEPPOL-EN16931-R008): an optional term without a value is left out.
Amounts carry the document currency (PEPPOL-EN16931-R051) with its decimals.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeAlias

from lxml import etree

from billing.peppol import codes
from billing.peppol.amounts import decimal_text, major
from billing.peppol.model import (
    Address,
    Line,
    Party,
    PaymentMeans,
    Subtotal,
    TaxCategory,
    Totals,
    UblDocument,
)

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
MEDIA_TYPE = "application/xml"

#: lxml.etree._Element (lxml's own type hints are not installed: mypy sees lxml as Any).
Element: TypeAlias = Any


def _cbc(parent: Element, name: str, text: str | None, **attrs: str) -> Element | None:
    """A basic component, unless it has no value."""
    if text is None or not text.strip():
        return None
    el = etree.SubElement(parent, f"{{{CBC}}}{name}", attrs)
    el.text = text
    return el


def _cac(parent: Element, name: str) -> Element:
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


class _Writer:
    """Writes one document; knows its currency and decimals."""

    def __init__(self, doc: UblDocument) -> None:
        self.doc = doc

    def amount(self, parent: Element, name: str, minor: int) -> None:
        _cbc(parent, name, major(minor, self.doc.digits), currencyID=self.doc.currency)

    def header(self, root: Element) -> None:
        doc = self.doc
        _cbc(root, "CustomizationID", codes.CUSTOMIZATION_ID)
        _cbc(root, "ProfileID", codes.PROFILE_ID)
        _cbc(root, "ID", doc.number)
        _cbc(root, "IssueDate", doc.issue_date.isoformat())
        if doc.credit_note:
            _cbc(root, "CreditNoteTypeCode", codes.CREDIT_NOTE_TYPE_CODE)
        else:
            if doc.due_date is not None:
                _cbc(root, "DueDate", doc.due_date.isoformat())
            _cbc(root, "InvoiceTypeCode", codes.INVOICE_TYPE_CODE)
        _cbc(root, "DocumentCurrencyCode", doc.currency)
        _cbc(root, "BuyerReference", doc.buyer_reference)
        period = _cac(root, "InvoicePeriod")
        _cbc(period, "StartDate", doc.period[0].isoformat())
        _cbc(period, "EndDate", doc.period[1].isoformat())
        if doc.credited is not None:
            ref = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
            _cbc(ref, "ID", doc.credited.number)
            _cbc(ref, "IssueDate", doc.credited.issue_date.isoformat())

    def payment(self, root: Element, means: Iterable[PaymentMeans], terms: str | None) -> None:
        for m in means:
            el = _cac(root, "PaymentMeans")
            _cbc(el, "PaymentMeansCode", m.code.value)
            _cbc(el, "PaymentID", m.payment_id)
            account = _cac(el, "PayeeFinancialAccount")
            _cbc(account, "ID", m.account)
            if m.institution:
                _cbc(_cac(account, "FinancialInstitutionBranch"), "ID", m.institution)
        if terms:
            _cbc(_cac(root, "PaymentTerms"), "Note", terms)

    def tax_total(self, root: Element, vat: int, subtotals: Iterable[Subtotal]) -> None:
        total = _cac(root, "TaxTotal")
        self.amount(total, "TaxAmount", vat)
        for sub in subtotals:
            el = _cac(total, "TaxSubtotal")
            self.amount(el, "TaxableAmount", sub.taxable)
            self.amount(el, "TaxAmount", sub.vat)
            _category(el, "TaxCategory", sub.tax, with_reason=True)

    def totals(self, root: Element, t: Totals) -> None:
        el = _cac(root, "LegalMonetaryTotal")
        self.amount(el, "LineExtensionAmount", t.line_net)
        self.amount(el, "TaxExclusiveAmount", t.tax_exclusive)
        self.amount(el, "TaxInclusiveAmount", t.tax_inclusive)
        self.amount(el, "PayableAmount", t.payable)

    def line(self, root: Element, line: Line) -> None:
        credit = self.doc.credit_note
        el = _cac(root, "CreditNoteLine" if credit else "InvoiceLine")
        _cbc(el, "ID", line.id)
        quantity = "CreditedQuantity" if credit else "InvoicedQuantity"
        _cbc(el, quantity, str(line.quantity), unitCode=codes.UNIT_CODE)
        self.amount(el, "LineExtensionAmount", line.net)
        period = _cac(el, "InvoicePeriod")
        _cbc(period, "StartDate", line.start.isoformat())
        _cbc(period, "EndDate", line.end.isoformat())
        item = _cac(el, "Item")
        _cbc(item, "Name", line.name)
        _category(item, "ClassifiedTaxCategory", line.tax, with_reason=False)
        price = _cac(el, "Price")
        _cbc(price, "PriceAmount", decimal_text(line.price), currencyID=self.doc.currency)


def _category(parent: Element, name: str, tax: TaxCategory, *, with_reason: bool) -> None:
    el = _cac(parent, name)
    _cbc(el, "ID", tax.category.value)
    if tax.percent is not None:
        _cbc(el, "Percent", decimal_text(tax.percent))
    if with_reason:
        _cbc(el, "TaxExemptionReasonCode", tax.reason_code)
        _cbc(el, "TaxExemptionReason", tax.reason)
    _cbc(_cac(el, "TaxScheme"), "ID", codes.VAT_SCHEME)


def _address(parent: Element, a: Address) -> None:
    el = _cac(parent, "PostalAddress")
    _cbc(el, "StreetName", a.street)
    _cbc(el, "AdditionalStreetName", a.additional)
    _cbc(el, "CityName", a.city)
    _cbc(el, "PostalZone", a.postal_code)
    _cbc(_cac(el, "Country"), "IdentificationCode", a.country)


def _tax_scheme(parent: Element, company_id: str | None, scheme: str) -> None:
    if company_id:
        el = _cac(parent, "PartyTaxScheme")
        _cbc(el, "CompanyID", company_id)
        _cbc(_cac(el, "TaxScheme"), "ID", scheme)


def _party(parent: Element, name: str, p: Party) -> None:
    party = _cac(_cac(parent, name), "Party")
    endpoint = {"schemeID": p.endpoint.scheme} if p.endpoint.scheme else {}
    _cbc(party, "EndpointID", p.endpoint.value, **endpoint)
    if p.trading_name:
        _cbc(_cac(party, "PartyName"), "Name", p.trading_name)
    _address(party, p.address)
    _tax_scheme(party, p.vat_number, codes.VAT_SCHEME)
    _tax_scheme(party, p.tax_registration, codes.TAX_SCHEME)
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", p.legal_name)
    if p.legal_id is not None:
        scheme = {"schemeID": p.legal_id.scheme} if p.legal_id.scheme else {}
        _cbc(legal, "CompanyID", p.legal_id.value, **scheme)
    if p.phone or p.email:
        contact = _cac(party, "Contact")
        _cbc(contact, "Telephone", p.phone)
        _cbc(contact, "ElectronicMail", p.email)


def to_xml(doc: UblDocument) -> bytes:
    """The UBL 2.1 invoice or credit note, UTF-8 with an XML declaration."""
    ns = CREDIT_NOTE_NS if doc.credit_note else INVOICE_NS
    root = etree.Element(
        f"{{{ns}}}{'CreditNote' if doc.credit_note else 'Invoice'}",
        nsmap={None: ns, "cac": CAC, "cbc": CBC},
    )
    w = _Writer(doc)
    w.header(root)
    _party(root, "AccountingSupplierParty", doc.seller)
    _party(root, "AccountingCustomerParty", doc.buyer)
    w.payment(root, doc.payment_means, doc.payment_terms)
    w.tax_total(root, doc.totals.vat, doc.subtotals)
    w.totals(root, doc.totals)
    for line in doc.lines:
        w.line(root, line)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
