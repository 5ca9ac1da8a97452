"""Invoices and credit notes as people read them: HTML pages and PDF files.

Registered before the documents router, so ``/invoices/{id}.pdf`` is not taken for an invoice
id. Same access rules as the JSON documents: a portal key sees only its customer's (404).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from billing.documents.html import render_html
from billing.documents.pdf import render_pdf
from billing.documents.service import document_view
from billing.http.deps import SessionDep
from billing.http.permissions import ReadsDocuments

router = APIRouter(tags=["documents"])

_HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}}}
_PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}
}


def _pdf(view_pdf: bytes, filename: str) -> Response:
    return Response(
        view_pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}.pdf"'},
    )


@router.get("/invoices/{invoice_id}.html", response_class=HTMLResponse, responses=_HTML)
def invoice_html(invoice_id: str, session: SessionDep, actor: ReadsDocuments) -> HTMLResponse:
    """The invoice as an HTML page in the customer's language."""
    return HTMLResponse(render_html(document_view(session, actor, invoice_id, "invoice")))


@router.get("/invoices/{invoice_id}.pdf", response_class=Response, responses=_PDF)
def invoice_pdf(invoice_id: str, session: SessionDep, actor: ReadsDocuments) -> Response:
    """The invoice as a PDF file in the customer's language."""
    view = document_view(session, actor, invoice_id, "invoice")
    return _pdf(render_pdf(view), view.filename)


@router.get("/credit-notes/{credit_note_id}.html", response_class=HTMLResponse, responses=_HTML)
def credit_note_html(
    credit_note_id: str, session: SessionDep, actor: ReadsDocuments
) -> HTMLResponse:
    """The credit note as an HTML page: the invoice it credits and why."""
    return HTMLResponse(render_html(document_view(session, actor, credit_note_id, "credit_note")))


@router.get("/credit-notes/{credit_note_id}.pdf", response_class=Response, responses=_PDF)
def credit_note_pdf(credit_note_id: str, session: SessionDep, actor: ReadsDocuments) -> Response:
    """The credit note as a PDF file: the invoice it credits and why."""
    view = document_view(session, actor, credit_note_id, "credit_note")
    return _pdf(render_pdf(view), view.filename)
