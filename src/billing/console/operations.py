"""The daily operations on a subscription's page besides cancelling: verifying another
person's four-eyes cancellation, pausing and resuming, changing licences or the unit price
with the proration choice, and recording a payment on one of its invoices.

Each is previewed first and confirmed from the preview only (see
:func:`~billing.console.changes.preview_or_confirm`): the same service function the HTTP API
calls runs in a transaction that is rolled back, and its money is shown before Confirm is
offered. Dates are asked as people say them: a pause's first and last day paused, a
resumption's first day served again, a change's first day on the new terms.
"""

from __future__ import annotations

import hmac
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from babel.numbers import NumberFormatError, parse_decimal
from fastapi import APIRouter, Form
from fastapi.responses import Response
from sqlalchemy.orm import Session

from billing.console import views
from billing.console.changes import (
    Desk,
    DeskDep,
    preview_or_confirm,
    previewed_token,
    subscription_response,
)
from billing.console.problems import refusal
from billing.console.trail import confirming
from billing.console.web import Action, Csrf, Previewed, Version, check_csrf, go
from billing.domain.errors import DomainError, InvalidInput
from billing.domain.money import currency_digits
from billing.invoicing.service import record_payment
from billing.invoicing.views import document_number
from billing.subscriptions import service
from billing.subscriptions.schemas import ChangeRequest, PauseRequest, ResumeRequest
from billing.terminations.service import verify_cancellation

router = APIRouter(include_in_schema=False)

Day = Annotated[str, Form(max_length=20)]
Text = Annotated[str, Form(max_length=2000)]
Choice = Annotated[str, Form(max_length=40)]


def minor_units(text: str, currency: str, locale: str) -> int:
    """An amount as staff type it ("1 234,50", "1234.50 kr") in minor units of ``currency``;
    more decimals than the currency has, or no number, is refused (``amount_format``)."""
    cleaned = "".join(ch for ch in text if ch.isdigit() or ch in ",.-−")
    cleaned = cleaned.replace("−", "-")
    try:
        value = parse_decimal(cleaned, locale=locale, strict=False)
    except (NumberFormatError, InvalidOperation, ValueError):
        try:
            value = Decimal(cleaned.replace(",", "."))
        except InvalidOperation as exc:
            raise InvalidInput(f"not an amount: {text!r}", code="amount_format") from exc
    scaled = value.scaleb(currency_digits(currency))
    if scaled != scaled.to_integral_value():
        raise InvalidInput(f"too many decimals: {text!r}", code="amount_format")
    return int(scaled)


def day_after(text: str) -> str | None:
    """The day after an ISO date (a last day → the service's exclusive end), or the text as
    given when it is no date (for the form's check to name)."""
    if not text:
        return None
    try:
        return (date.fromisoformat(text) + timedelta(days=1)).isoformat()
    except ValueError:
        return text


def run_change(
    desk: DeskDep,
    subscription_id: str,
    *,
    done: str,
    action: str,
    form: dict[str, Any],
    version: int | None,
    previewed: str,
    command: Any,
    body: Any,
    alternatives: Any = None,
) -> Response:
    def change(session: Session) -> service.ChangeResult:
        return command(  # type: ignore[no-any-return]
            session,
            desk.staff.actor,
            desk.clock,
            subscription_id,
            body(session),
            expected_version=version,
        )

    return preview_or_confirm(
        desk,
        subscription_id,
        action=action,
        form=form,
        change=change,
        done=done,
        version=version,
        previewed=previewed,
        alternatives=alternatives,
    )


@router.post("/subscriptions/{subscription_id}/verify")
def verify(
    desk: DeskDep,
    subscription_id: str,
    csrf: Csrf,
    action: Action,
    version: Version = None,
    previewed: Previewed = "",
) -> Response:
    """Four eyes: verify the cancellation another staff member recorded."""
    check_csrf(desk.staff, csrf)
    return run_change(
        desk,
        subscription_id,
        done="verify",
        action=action,
        form={},
        version=version,
        previewed=previewed,
        command=verify_cancellation,
        body=lambda session: None,
    )


@router.post("/subscriptions/{subscription_id}/pause")
def pause(
    desk: DeskDep,
    subscription_id: str,
    csrf: Csrf,
    action: Action,
    first_day: Day,
    version: Version = None,
    previewed: Previewed = "",
    last_day: Day = "",
    unused: Choice = "",
    reason: Text = "",
) -> Response:
    """Pause from the first day paused to and including the last (none: until resumed)."""
    check_csrf(desk.staff, csrf)
    form = {"first_day": first_day, "last_day": last_day, "unused": unused, "reason": reason}

    def body(session: Session) -> PauseRequest:
        return PauseRequest.model_validate(
            {
                "start_date": first_day,
                "resume_date": day_after(last_day),
                "unused": unused or None,
                "reason": reason or None,
            }
        )

    return run_change(
        desk,
        subscription_id,
        done="pause",
        action=action,
        form=form,
        version=version,
        previewed=previewed,
        command=service.pause,
        body=body,
    )


@router.post("/subscriptions/{subscription_id}/resume")
def resume(
    desk: DeskDep,
    subscription_id: str,
    csrf: Csrf,
    action: Action,
    first_day: Day,
    version: Version = None,
    previewed: Previewed = "",
    reason: Text = "",
) -> Response:
    """Serve again from a day (the first day served after the pause)."""
    check_csrf(desk.staff, csrf)
    form = {"first_day": first_day, "reason": reason}

    def body(session: Session) -> ResumeRequest:
        return ResumeRequest.model_validate({"date": first_day, "reason": reason or None})

    return run_change(
        desk,
        subscription_id,
        done="resume",
        action=action,
        form=form,
        version=version,
        previewed=previewed,
        command=service.resume,
        body=body,
    )


@router.post("/subscriptions/{subscription_id}/change")
def change(
    desk: DeskDep,
    subscription_id: str,
    csrf: Csrf,
    action: Action,
    effective_date: Day,
    version: Version = None,
    previewed: Previewed = "",
    quantity: Annotated[str, Form(max_length=12)] = "",
    unit_price: Annotated[str, Form(max_length=40)] = "",
    proration: Choice = "",
    collect: Choice = "",
    unused: Choice = "",
    reason: Text = "",
) -> Response:
    """New licences and/or a new unit price from a day, with the proration choice."""
    check_csrf(desk.staff, csrf)
    form = {
        "effective_date": effective_date,
        "quantity": quantity,
        "unit_price": unit_price,
        "proration": proration,
        "collect": collect,
        "unused": unused,
        "reason": reason,
    }

    def body(session: Session) -> ChangeRequest:
        currency, locale = views.money_of(session, subscription_id)
        unit = minor_units(unit_price, currency, locale) if unit_price.strip() else None
        return ChangeRequest.model_validate(
            {
                "effective_date": effective_date,
                "quantity": int(quantity) if quantity.strip().isdigit() else quantity or None,
                "unit_amount": unit,
                "proration": proration or None,
                "collect": collect or None,
                "unused": unused or None,
                "reason": reason or None,
            }
        )

    return run_change(
        desk,
        subscription_id,
        done="change",
        action=action,
        form=form,
        version=version,
        previewed=previewed,
        command=service.change,
        body=body,
        alternatives=lambda session: service.proration_alternatives(
            session, desk.staff.actor, desk.clock, subscription_id, body(session)
        ),
    )


@router.post("/subscriptions/{subscription_id}/payment")
def payment(
    desk: DeskDep,
    subscription_id: str,
    csrf: Csrf,
    action: Action,
    invoice_id: Annotated[str, Form(max_length=60)],
    amount: Annotated[str, Form(max_length=40)],
    paid_on: Day,
    previewed: Previewed = "",
    reference: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A payment received on one of the subscription's invoices."""
    check_csrf(desk.staff, csrf)
    form = {"invoice_id": invoice_id, "amount": amount, "paid_on": paid_on, "reference": reference}
    token = previewed_token(desk, subscription_id, "payment", form, None)
    if action == "confirm" and not (previewed.isascii() and hmac.compare_digest(token, previewed)):
        message = desk.lang.gettext("Preview the change first: Confirm comes with the preview.")
        return subscription_response(
            desk, subscription_id, status=409, error=message, form=form, form_of="payment"
        )
    try:
        if action == "confirm":
            with confirming(desk.request, desk.staff.actor, desk.write, creates=True) as session:
                _record(desk, session, subscription_id, form)
            return go(desk.request, f"/subscriptions/{subscription_id}?done=payment")
        session = desk.write()
        try:
            preview = _record(desk, session, subscription_id, form)
        finally:
            session.rollback()
            session.close()
    except DomainError as exc:
        error = refusal(desk.lang, exc)
        return subscription_response(
            desk, subscription_id, status=exc.status, error=error, form=form, form_of="payment"
        )
    return subscription_response(
        desk,
        subscription_id,
        preview=preview,
        preview_of="payment",
        form=form,
        form_of="payment",
        previewed=token,
    )


def _record(desk: Desk, session: Session, subscription_id: str, form: dict[str, str]) -> Any:
    """Record the payment in ``session``; what it changes, for the preview."""
    invoice, customer = views.invoice_of_subscription(session, subscription_id, form["invoice_id"])
    try:
        paid_on = date.fromisoformat(form["paid_on"])
    except ValueError as exc:
        raise InvalidInput("paid_on is not a date", code="date") from exc
    amount = minor_units(form["amount"], invoice.currency, customer.locale)
    if amount <= 0:
        raise InvalidInput("a payment is more than zero", code="not_a_payment")
    fmt = views.formats_for(customer, desk.lang, invoice.currency)
    before = views.invoice_due(session, invoice)
    record_payment(
        session,
        invoice_id=invoice.id,
        amount=amount,
        paid_on=paid_on,
        reference=form["reference"].strip() or None,
    )
    return {
        "payment": {
            "invoice": document_number(invoice),
            "amount": fmt.money(amount),
            "paid_on": fmt.day(paid_on),
            "due_before": fmt.money(before),
            "due_after": fmt.money(before - amount),
        },
        "documents": [],
    }
