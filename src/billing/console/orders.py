"""One-off orders in the console: placing one for a customer, recording a delivery (which
invoices what was delivered) and cancelling what is not delivered yet — each previewed first
and confirmed from the preview only, as every change in the console: the same service
function ``POST /v1/orders``, ``…/deliveries`` and ``…/cancel`` call runs in a transaction that
is rolled back, and what it would order, invoice or release is shown before Confirm.

The order and delivery forms have fields per line (``quantity_2``, ``qty_<line id>``), so
their handlers read the form themselves (asynchronously) and then do the database work in the
thread pool, as FastAPI runs every synchronous handler, never on the event loop.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.orm import Session

from billing.console import repository
from billing.console.changes import Desk, DeskDep
from billing.console.operations import minor_units
from billing.console.previewing import Work, preview_then_confirm
from billing.console.views import Formats, formats_for
from billing.console.web import Action, Csrf, Previewed, check_csrf, page, reading
from billing.customers import repository as customers
from billing.invoicing.views import document_number
from billing.orders import repository as orders_repo
from billing.orders import service
from billing.orders.schemas import DeliveryCreate, OrderCancel, OrderCreate
from billing.orders.views import order_out
from billing.storage.models import Customer

router = APIRouter(include_in_schema=False)
#: Lines on the new-order form (an order of more lines: POST /v1/orders).
LINES = 3
Field = Annotated[str, Form(max_length=200)]


def _labels(desk: Desk) -> dict[str, str]:
    return {
        "description": desk.lang.gettext("Description"),
        "quantity": desk.lang.gettext("Quantity"),
        "unit_amount": desk.lang.gettext("Unit price"),
        "reference": desk.lang.gettext("Delivery reference"),
        "delivered_on": desk.lang.gettext("Delivered on"),
        "lines": desk.lang.gettext("Quantity"),
        "reason": desk.lang.gettext("Reason"),
    }


# -- a new order ---------------------------------------------------------------------------


def _new_order_page(desk: Desk, customer_id: str, *, status: int = 200, **extra: Any) -> Response:
    with reading(desk.read) as session:
        customer = customers.get(session, customer_id)
    context = {"staff": desk.staff, "customer": customer, "lines": range(1, LINES + 1)}
    return page(desk.request, "order_new.html", {"form": {}, **context, **extra}, status)


@router.get("/customers/{customer_id}/orders/new")
def new_order(desk: DeskDep, customer_id: str) -> Response:
    return _new_order_page(desk, customer_id)


def _order_lines(form: dict[str, str], customer: Customer) -> list[dict[str, Any]]:
    """The lines filled in (a line without a description is left out), amounts in minor units."""
    lines = []
    for n in range(1, LINES + 1):
        description = form[f"description_{n}"].strip()
        if not description and not form[f"unit_price_{n}"].strip():
            continue
        quantity = form[f"quantity_{n}"].strip()
        price = form[f"unit_price_{n}"]
        lines.append(
            {
                "description": description,
                "quantity": int(quantity) if quantity.isdigit() else quantity,
                "unit_amount": minor_units(price, customer.currency, customer.locale)
                if price.strip()
                else None,
            }
        )
    return lines


@router.post("/customers/{customer_id}/orders")
async def place_order(
    desk: DeskDep, customer_id: str, request: Request, csrf: Csrf, action: Action
) -> Response:
    """A one-off order of up to :data:`LINES` lines, previewed with its total first."""
    check_csrf(desk.staff, csrf)
    sent = await request.form()
    previewed = str(sent.get("previewed", ""))[:100]
    form = {
        f"{field}_{n}": str(sent.get(f"{field}_{n}", ""))[:200]
        for n in range(1, LINES + 1)
        for field in ("description", "quantity", "unit_price")
    }

    def work(session: Session) -> dict[str, Any]:
        customer = customers.get(session, customer_id)
        body = OrderCreate.model_validate(
            {"customer_id": customer.id, "lines": _order_lines(form, customer)}
        )
        order = service.create_order(session, desk.staff.actor, body)
        fmt = formats_for(customer, desk.lang, order.currency)
        return {**_order_view(session, order.id, fmt), "go": f"/orders/{order.id}"}

    def respond(status: int = 200, **extra: Any) -> Response:
        return _new_order_page(desk, customer_id, status=status, **extra)

    # Off the event loop: the form was read asynchronously, the database work is not.
    return await run_in_threadpool(
        preview_then_confirm,
        desk,
        subject=customer_id,
        done="order",
        creates=True,
        action=action,
        form=form,
        previewed=previewed,
        work=work,
        respond=respond,
        labels=_labels(desk),
    )


# -- an order's page: deliveries and cancelling --------------------------------------------


def _order_view(session: Session, order_id: str, fmt: Formats) -> dict[str, Any]:
    """The order as the API answers it, its amounts and dates formatted for people."""
    out = order_out(session, orders_repo.get(session, order_id))
    invoices = repository.documents(session, [d["invoice_id"] for d in out["deliveries"]])
    numbers = {d.id: document_number(d) for d in invoices}
    for line in out["lines"]:
        line["unit_text"], line["amount_text"] = (
            fmt.money(line["unit_amount"]),
            fmt.money(line["amount"]),
        )
    for d in out["deliveries"]:
        d["total_text"] = fmt.money(d["total"])
        d["day"] = fmt.day(date.fromisoformat(d["delivered_on"]))
        d["invoice_number"] = numbers.get(d["invoice_id"], d["invoice_id"])
    out["total_text"] = fmt.money(out["total"])
    out["delivered_text"] = fmt.money(out["delivered_total"])
    return out


def _order_page(desk: Desk, order_id: str, *, status: int = 200, **extra: Any) -> Response:
    with reading(desk.read) as session:
        order = orders_repo.get(session, order_id)
        customer = customers.get(session, order.customer_id)
        fmt = formats_for(customer, desk.lang, order.currency)
        view = _order_view(session, order_id, fmt)
    context = {
        "staff": desk.staff,
        "customer": customer,
        "order": view,
        "notice": desk.request.query_params.get("done"),
        "form": {},
        "form_of": None,
    }
    return page(desk.request, "order.html", {**context, **extra}, status)


@router.get("/orders/{order_id}")
def order_page(desk: DeskDep, order_id: str) -> Response:
    return _order_page(desk, order_id)


@router.post("/orders/{order_id}/deliver")
async def deliver(
    desk: DeskDep,
    order_id: str,
    request: Request,
    csrf: Csrf,
    action: Action,
    reference: Field,
    delivered_on: Annotated[str, Form(max_length=20)],
    previewed: Previewed = "",
) -> Response:
    """What was delivered (a quantity per line): invoiced at once, previewed first."""
    check_csrf(desk.staff, csrf)
    sent = await request.form()
    quantities = {
        k: str(v)[:12] for k, v in sent.items() if k.startswith("qty_") and str(v).strip()
    }
    form = {"reference": reference, "delivered_on": delivered_on, **quantities}

    def work(session: Session) -> dict[str, Any]:
        body = DeliveryCreate.model_validate(
            {
                "reference": reference.strip(),
                "delivered_on": delivered_on,
                "lines": [
                    {"line_id": k[4:], "quantity": int(v) if v.strip().isdigit() else v}
                    for k, v in quantities.items()
                    if v.strip() != "0"
                ],
            }
        )
        done = service.deliver(session, desk.staff.actor, desk.clock, order_id, body)
        [invoice] = repository.documents(session, [done.delivery.invoice_id])
        customer = customers.get(session, invoice.customer_id)
        fmt = formats_for(customer, desk.lang, invoice.currency)
        return {"invoice_total": fmt.money(invoice.total), "go": f"/orders/{order_id}"}

    return await run_in_threadpool(
        _on_order, desk, order_id, "deliver", action, form, previewed, work
    )


@router.post("/orders/{order_id}/cancel")
def cancel(
    desk: DeskDep,
    order_id: str,
    csrf: Csrf,
    action: Action,
    previewed: Previewed = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Cancel what is not delivered yet: free, no document."""
    check_csrf(desk.staff, csrf)
    form = {"reason": reason}

    def work(session: Session) -> dict[str, Any]:
        before = {ln.id: ln.cancelled for ln in orders_repo.lines(session, order_id)}
        body = OrderCancel.model_validate({"reason": reason.strip() or None})
        service.cancel(session, desk.staff.actor, order_id, body)
        released = [
            {"description": ln.description, "quantity": ln.cancelled - before[ln.id]}
            for ln in orders_repo.lines(session, order_id)
            if ln.cancelled > before[ln.id]
        ]
        return {"released": released, "go": f"/orders/{order_id}"}

    return _on_order(desk, order_id, "cancel", action, form, previewed, work)


def _on_order(
    desk: Desk,
    order_id: str,
    done: str,
    action: str,
    form: dict[str, str],
    previewed: str,
    work: Work,
) -> Response:
    """An operation on one order, previewed then confirmed, answered with the order's page."""
    return preview_then_confirm(
        desk,
        subject=order_id,
        done=done,
        action=action,
        form=form,
        previewed=previewed,
        work=work,
        respond=lambda status=200, **extra: _order_page(desk, order_id, status=status, **extra),
        labels=_labels(desk),
    )
