"""The console's read-only pages: finding customers, a customer, its and the whole system's
activity log, and documents as HTML or PDF."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from billing.console import customer_views
from billing.console.activity import LATEST, Cursor, activity
from billing.console.web import ConsoleClock, Lang, ReadFactory, Staff, page, prefix_of, reading
from billing.customers import repository as customers_repo
from billing.documents.html import render_html
from billing.documents.pdf import render_pdf
from billing.documents.service import document_view

router = APIRouter(include_in_schema=False)
CursorText = Annotated[str, Query(max_length=20)]


@router.get("/customers")
def customers(
    request: Request,
    staff: Staff,
    factory: ReadFactory,
    clock: ConsoleClock,
    lang: Lang,
    q: str = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    with reading(factory) as session:
        found = customer_views.find_customers(session, clock, q[:200], lang, page_number)
    return page(request, "customers.html", {"staff": staff, "q": q, **found})


@router.get("/customers/{customer_id}")
def customer(
    request: Request,
    staff: Staff,
    factory: ReadFactory,
    clock: ConsoleClock,
    lang: Lang,
    customer_id: str,
) -> Response:
    with reading(factory) as session:
        context = customer_views.customer_page(session, staff.actor, clock, customer_id, lang)
        latest = activity(
            session,
            lang,
            prefix_of(request),
            cursor=Cursor(),
            customer_id=customer_id,
            limit=LATEST,
        )
    return page(request, "customer.html", {"staff": staff, "activity": latest, **context})


@router.get("/activity")
def activity_log(
    request: Request,
    staff: Staff,
    factory: ReadFactory,
    lang: Lang,
    after: CursorText = "",
    before: CursorText = "",
) -> Response:
    """Who did what in the whole system, the latest first (``after``/``before``: other pages)."""
    with reading(factory) as session:
        found = activity(session, lang, prefix_of(request), cursor=Cursor.of(after, before))
    return page(request, "activity.html", {"staff": staff, "customer": None, **found})


@router.get("/customers/{customer_id}/activity")
def customer_activity(
    request: Request,
    staff: Staff,
    factory: ReadFactory,
    lang: Lang,
    customer_id: str,
    after: CursorText = "",
    before: CursorText = "",
) -> Response:
    """Who did what for one customer, the latest first."""
    with reading(factory) as session:
        customer = customers_repo.get(session, customer_id)
        found = activity(
            session,
            lang,
            prefix_of(request),
            cursor=Cursor.of(after, before),
            customer_id=customer.id,
        )
    return page(request, "activity.html", {"staff": staff, "customer": customer, **found})


#: The console's document paths name the kind as people say it.
DOCUMENT_KINDS = {"invoice": "invoice", "credit-note": "credit_note"}


@router.get("/documents/{kind}/{document_id}.{fmt}")
def document(staff: Staff, factory: ReadFactory, kind: str, document_id: str, fmt: str) -> Response:
    doc_type = DOCUMENT_KINDS.get(kind)
    if doc_type is None or fmt not in ("html", "pdf"):
        return Response(status_code=404)
    with reading(factory) as session:
        view = document_view(session, staff.actor, document_id, doc_type)
    if fmt == "html":
        return HTMLResponse(render_html(view))
    return Response(
        render_pdf(view),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{view.filename}.pdf"'},
    )
