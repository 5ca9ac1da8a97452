"""Invoices and credit notes as Peppol BIS Billing 3.0 UBL 2.1 XML (EN 16931 e-invoices).

``GET /v1/invoices/{id}.xml`` and ``GET /v1/credit-notes/{id}.xml``; and the same documents'
own URLs (``GET /v1/invoices/{id}``, ``/v1/credit-notes/{id}``) with ``Accept:
application/xml`` (or ``text/xml``) preferred to JSON. Same access rules as the JSON documents:
a portal key sees only its customer's (404). A document that cannot be an EN 16931 document is
409: ``document_not_peppol_ready`` (issued before VAT, without the legal parties) or
``buyer_endpoint_missing`` (the buyer had no organisation or VAT number to address it by).

Registered before the documents router: ``/invoices/{id}.xml`` is not an invoice id, and the
negotiated routes (:class:`XmlPreferred`) must be asked before the JSON ones, which answer
everything else; they match only a request that prefers XML, so the JSON routes and their
OpenAPI operations are untouched (the negotiated ones are not in the schema).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope

from billing.http.deps import SessionDep
from billing.http.permissions import ReadsDocuments
from billing.http.problems import PROBLEM, Problem
from billing.peppol.service import XmlDocument, document_xml
from billing.peppol.ubl import MEDIA_TYPE

_XML_TYPES = frozenset({"application/xml", "text/xml"})
_JSON_TYPES = frozenset({"application/json"})

_XML: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The UBL 2.1 document (Peppol BIS Billing 3.0, EN 16931); "
        "Content-Disposition names it <number>.xml",
        "content": {MEDIA_TYPE: {"schema": {"type": "string"}}},
    },
    409: {
        "model": Problem,
        "content": {PROBLEM: {}},
        "description": "It cannot be an EN 16931 document: document_not_peppol_ready (issued "
        "before VAT, without the legal parties) or buyer_endpoint_missing (the buyer had no "
        "organisation or VAT number to address it by). The feed's links.xml is absent then.",
    },
}


def prefers_xml(accept: str) -> bool:
    """Whether an ``Accept`` header asks for XML before JSON: the XML or JSON range with the
    highest quality wins, the first listed on a tie; wildcards choose nothing (the JSON
    routes answer them, as before)."""
    best: tuple[float, int, bool] | None = None
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        media = media.lower()
        if media not in _XML_TYPES and media not in _JSON_TYPES:
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        candidate = (-quality, position, media in _XML_TYPES)
        if best is None or candidate < best:
            best = candidate
    return best is not None and best[2]


class XmlPreferred(APIRoute):
    """A route that matches only when the request prefers XML (:func:`prefers_xml`)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is Match.NONE:
            return match, child
        accept = b", ".join(v for k, v in scope.get("headers", ()) if k.lower() == b"accept")
        if not prefers_xml(accept.decode("latin-1")):
            return Match.NONE, {}
        return match, child


def _xml(doc: XmlDocument) -> Response:
    return Response(
        doc.body,
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'inline; filename="{doc.number}.xml"', "Vary": "Accept"},
    )


router = APIRouter(tags=["documents"])
negotiated = APIRouter(tags=["documents"], route_class=XmlPreferred)


@router.get(
    "/invoices/{invoice_id}.xml",
    response_class=Response,
    responses=_XML,
    summary="An invoice as Peppol BIS Billing 3.0 UBL",
)
def invoice_xml(invoice_id: str, session: SessionDep, actor: ReadsDocuments) -> Response:
    """The invoice as a Peppol BIS Billing 3.0 UBL 2.1 Invoice (also its own URL with
    ``Accept: application/xml``): the parties, VAT breakdown and lines as issued, payment
    means with the OCR/KID/FIK and the seller's account, due date, totals. An invoice's
    ``links.xml`` in the documents feed is this path (api/formats.md)."""
    return _xml(document_xml(session, actor, invoice_id, "invoice"))


@router.get(
    "/credit-notes/{credit_note_id}.xml",
    response_class=Response,
    responses=_XML,
    summary="A credit note as Peppol BIS Billing 3.0 UBL",
)
def credit_note_xml(credit_note_id: str, session: SessionDep, actor: ReadsDocuments) -> Response:
    """The credit note as a Peppol BIS Billing 3.0 UBL 2.1 CreditNote, referring to the
    invoice it credits (its BillingReference); also its own URL with ``Accept:
    application/xml``. A credit note's ``links.xml`` in the feed is this path."""
    return _xml(document_xml(session, actor, credit_note_id, "credit_note"))


@negotiated.get("/invoices/{invoice_id}", include_in_schema=False)
def invoice_negotiated(invoice_id: str, session: SessionDep, actor: ReadsDocuments) -> Response:
    return invoice_xml(invoice_id, session, actor)


@negotiated.get("/credit-notes/{credit_note_id}", include_in_schema=False)
def credit_note_negotiated(
    credit_note_id: str, session: SessionDep, actor: ReadsDocuments
) -> Response:
    return credit_note_xml(credit_note_id, session, actor)


router.include_router(negotiated)
