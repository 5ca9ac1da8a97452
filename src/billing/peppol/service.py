"""An issued invoice or credit note as a Peppol BIS Billing 3.0 UBL document.

:func:`document_xml` applies the same access rules as the JSON documents (a portal key sees
only its own customer's; anything else is 404), reads the document, its lines, the product
names and (for a credit note) the invoice it credits, and writes the XML
(:mod:`billing.peppol.content`, :mod:`billing.peppol.ubl`). Read only.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.customers import repository as customers
from billing.invoicing import repository
from billing.invoicing.legal import language_of
from billing.invoicing.views import catalogue, document_number
from billing.peppol.content import ubl_document
from billing.peppol.model import CreditedInvoice
from billing.peppol.ubl import to_xml
from billing.storage.models import Document, LedgerEntry


class XmlDocument(NamedTuple):
    """A document's UBL XML and its number (the file name people see)."""

    number: str
    body: bytes


def document_xml(session: Session, actor: Actor, document_id: str, doc_type: str) -> XmlDocument:
    """The UBL XML of document ``document_id`` of ``doc_type`` for ``actor`` (404 unless they
    may see it; 409 when it cannot be an EN 16931 document: see :mod:`billing.peppol.content`)."""
    doc = repository.get_document(
        session, document_id, doc_type, customer_scope=actor.customer_scope
    )
    return xml_of(session, doc)


def xml_of(session: Session, doc: Document) -> XmlDocument:
    customer = customers.get(session, doc.customer_id)
    language = language_of(customer.locale)
    entries = repository.document_entries(session, doc.id)
    names = catalogue(session, entries)
    credited = None
    if doc.type == "credit_note" and doc.invoice_id is not None:
        invoice = repository.get_document(session, doc.invoice_id, "invoice")
        credited = CreditedInvoice(document_number(invoice), invoice.issue_date)

    def product(entry: LedgerEntry) -> str:
        return names.product(entry, language)

    number = document_number(doc)
    content = ubl_document(
        doc,
        entries,
        number=number,
        language=language,
        product=product,
        credited=credited,
    )
    return XmlDocument(number, to_xml(content))
