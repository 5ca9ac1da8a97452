"""Reminders and late payment: the dated legal tables (staff), customers' reminder settings,
disputed invoices, and the reminders sent (JSON, HTML, PDF).

The ``.html`` and ``.pdf`` routes are declared before the JSON reminder, so
``/reminders/{id}.pdf`` is always the rendering. Reminders are read by whoever reads the
customer (a portal key only its own); everything that changes reminders is staff's.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from billing.http.deps import SessionDep
from billing.http.permissions import ReadsCustomers, StaffActor
from billing.reminders import admin, views
from billing.reminders.render import reminder_html, reminder_pdf
from billing.reminders.schemas import (
    DisputeIn,
    DisputeOut,
    ReminderList,
    ReminderOut,
    RuleIn,
    SettingIn,
    SettingOut,
    TableOut,
)

router = APIRouter(tags=["reminders"])

_HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}}}
_PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}
}


@router.get("/late-payment-rules/{country}", response_model=TableOut)
def get_rules(country: str, session: SessionDep, actor: StaffActor) -> Any:
    """The country's dated late-payment table (SE, NO, DK)."""
    return admin.table(session, country)


@router.put("/late-payment-rules/{country}", response_model=TableOut)
def put_rule(country: str, body: RuleIn, session: SessionDep, actor: StaffActor) -> Any:
    """Add a dated row (or replace the row of the same ``valid_from``), checked against the
    law: a negative rate, a fee over the statute's cap, an unknown country change nothing."""
    return admin.put_rule(session, actor, country, body)


@router.get("/customers/{customer_id}/reminder-settings", response_model=SettingOut)
def get_setting(customer_id: str, session: SessionDep, actor: ReadsCustomers) -> Any:
    """The customer's reminder settings (whether and how reminders, fees and late interest
    apply)."""
    return admin.get_setting(session, actor, customer_id)


@router.put("/customers/{customer_id}/reminder-settings", response_model=SettingOut)
def put_setting(customer_id: str, body: SettingIn, session: SessionDep, actor: StaffActor) -> Any:
    """Pause (or resume) a customer's reminders; record a reminder fee agreed in its contract."""
    return admin.put_setting(session, actor, customer_id, body)


@router.post("/invoices/{invoice_id}/dispute", response_model=DisputeOut)
def dispute(invoice_id: str, body: DisputeIn, session: SessionDep, actor: StaffActor) -> Any:
    """The customer disputes the invoice: no reminders until resolved."""
    return admin.open_dispute(session, actor, invoice_id, body)


@router.delete("/invoices/{invoice_id}/dispute", response_model=DisputeOut)
def resolve(invoice_id: str, session: SessionDep, actor: StaffActor) -> Any:
    """End the dispute of an invoice: reminders and late interest apply to it again."""
    return admin.resolve_dispute(session, invoice_id)


@router.get("/customers/{customer_id}/reminders", response_model=ReminderList)
def list_reminders(customer_id: str, session: SessionDep, actor: ReadsCustomers) -> Any:
    """The reminders sent to a customer."""
    return views.list_reminders(session, actor, customer_id)


@router.get("/reminders/{reminder_id}.html", response_class=HTMLResponse, responses=_HTML)
def reminder_page(reminder_id: str, session: SessionDep, actor: ReadsCustomers) -> HTMLResponse:
    """A reminder as HTML, as it was sent."""
    return HTMLResponse(reminder_html(views.view_of(session, actor, reminder_id)))


@router.get("/reminders/{reminder_id}.pdf", response_class=Response, responses=_PDF)
def reminder_file(reminder_id: str, session: SessionDep, actor: ReadsCustomers) -> Response:
    """A reminder as PDF, as it was sent."""
    pdf = reminder_pdf(views.view_of(session, actor, reminder_id))
    return Response(pdf, media_type="application/pdf")


@router.get("/reminders/{reminder_id}", response_model=ReminderOut)
def get_reminder(reminder_id: str, session: SessionDep, actor: ReadsCustomers) -> Any:
    """One reminder: the invoices it names, its fee and interest."""
    return views.get_reminder(session, actor, reminder_id)
