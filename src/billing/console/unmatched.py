"""The queue of bank payments that matched no invoice, and putting one to an invoice: staff
type the invoice's number and the amount, see what it pays and what it leaves (or keeps as
the customer's credit) in a preview, and confirm from there. The same service functions as
``GET /v1/payments/unmatched`` and ``POST /v1/payments/unmatched/{id}/allocate``."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response
from sqlalchemy.orm import Session

from billing.console import repository
from billing.console.changes import Desk, DeskDep, previewed_token
from billing.console.operations import minor_units
from billing.console.problems import refusal
from billing.console.trail import confirming
from billing.console.views import formats_for, invoice_due
from billing.console.web import Action, Csrf, Previewed, check_csrf, go, page, reading
from billing.customers import repository as customers
from billing.domain.errors import DomainError
from billing.domain.money import format_money
from billing.errors import NotFound
from billing.invoicing.views import document_number
from billing.payments.service import allocate, unmatched

router = APIRouter(include_in_schema=False)
PAGE = 50


def queue_response(desk: Desk, *, status: int = 200, **extra: Any) -> Response:
    after = desk.request.query_params.get("after") or None
    with reading(desk.read) as session:
        found = unmatched(session, after=after, limit=PAGE)
    rows = [
        {
            **p,
            "amount_text": format_money(p["amount"], p["currency"], desk.lang.babel_locale),
            "left_text": format_money(p["unallocated"], p["currency"], desk.lang.babel_locale),
        }
        for p in found["data"]
    ]
    context = {"staff": desk.staff, "payments": rows, "next": found["next_cursor"]}
    notice = desk.request.query_params.get("done")
    return page(desk.request, "payments.html", {**context, "notice": notice, **extra}, status)


@router.get("/payments")
def payments(desk: DeskDep) -> Response:
    return queue_response(desk)


@router.post("/payments/{payment_id}/allocate")
def allocate_payment(
    desk: DeskDep,
    payment_id: str,
    csrf: Csrf,
    action: Action,
    invoice: Annotated[str, Form(max_length=60)],
    amount: Annotated[str, Form(max_length=40)],
    previewed: Previewed = "",
) -> Response:
    check_csrf(desk.staff, csrf)
    form = {"payment_id": payment_id, "invoice": invoice, "amount": amount}
    token = previewed_token(desk, payment_id, "allocate", form, None)
    if action == "confirm" and not (previewed.isascii() and hmac.compare_digest(token, previewed)):
        message = desk.lang.gettext("Preview the change first: Confirm comes with the preview.")
        return queue_response(desk, status=409, error=message, form=form)
    try:
        if action == "confirm":
            with confirming(desk.request, desk.staff.actor, desk.write) as session:
                _allocate(desk, session, form)
            return go(desk.request, "/payments?done=allocate")
        session = desk.write()
        try:
            preview = _allocate(desk, session, form)
        finally:
            session.rollback()
            session.close()
    except DomainError as exc:
        return queue_response(desk, status=exc.status, error=refusal(desk.lang, exc), form=form)
    return queue_response(desk, preview=preview, form=form, previewed=token)


def _allocate(desk: Desk, session: Session, form: dict[str, str]) -> dict[str, Any]:
    doc = repository.invoice_by_number(session, form["invoice"])
    if doc is None:
        raise NotFound("no such invoice")
    customer = customers.get(session, doc.customer_id)
    fmt = formats_for(customer, desk.lang, doc.currency)
    amount = minor_units(form["amount"], doc.currency, customer.locale)
    before = invoice_due(session, doc)
    out = allocate(session, form["payment_id"], invoice_id=doc.id, amount=amount)
    after = invoice_due(session, doc)
    return {
        "payment_id": form["payment_id"],
        "invoice": document_number(doc),
        "customer": customer.name,
        "due_before": fmt.money(before),
        "due_after": fmt.money(after),
        "credit": fmt.money(amount - (before - after)),
        "left": fmt.money(out["unallocated"]),
    }
