"""Keeping a customer and selling more, on a subscription's page: a retention offer from the
cancellation brief (within the limits the brief shows; the service refuses any other) and an
add-on attached from a first day. Previewed, then confirmed from the preview, as every change
(:func:`~billing.console.operations.run_change`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response
from sqlalchemy.orm import Session

from billing.console import views
from billing.console.changes import DeskDep
from billing.console.operations import Choice, Day, Text, minor_units, run_change
from billing.console.web import Action, Csrf, Previewed, Version, check_csrf
from billing.retention.schemas import RetentionOffer
from billing.retention.service import apply_retention_offer
from billing.subscriptions import service
from billing.subscriptions.schemas import AddOnAttach

router = APIRouter(include_in_schema=False)
Small = Annotated[str, Form(max_length=40)]


@router.post("/subscriptions/{subscription_id}/offer")
def offer(
    desk: DeskDep,
    subscription_id: str,
    csrf: Csrf,
    action: Action,
    version: Version = None,
    previewed: Previewed = "",
    unit_price: Small = "",
    quantity: Small = "",
    attach_addon: Choice = "",
    waive_setup_fee: Small = "",
    offered_by: Annotated[str, Form(max_length=200)] = "",
    reason: Text = "",
) -> Response:
    """A retention offer: the pending cancellation is withdrawn with it."""
    check_csrf(desk.staff, csrf)
    form = {
        "unit_price": unit_price,
        "quantity": quantity,
        "attach_addon": attach_addon,
        "waive_setup_fee": waive_setup_fee,
        "offered_by": offered_by,
        "reason": reason,
    }

    def body(session: Session) -> RetentionOffer:
        currency, locale = views.money_of(session, subscription_id)
        unit = minor_units(unit_price, currency, locale) if unit_price.strip() else None
        return RetentionOffer.model_validate(
            {
                "unit_amount": unit,
                "quantity": int(quantity) if quantity.strip().isdigit() else quantity or None,
                "attach_addon": attach_addon or None,
                "waive_setup_fee": waive_setup_fee == "yes",
                "offered_by": offered_by or desk.staff.actor.name,
                "reason": reason or None,
            }
        )

    return run_change(
        desk,
        subscription_id,
        done="offer",
        action=action,
        form=form,
        version=version,
        previewed=previewed,
        command=apply_retention_offer,
        body=body,
    )


@router.post("/subscriptions/{subscription_id}/addon")
def addon(
    desk: DeskDep,
    subscription_id: str,
    csrf: Csrf,
    action: Action,
    code: Annotated[str, Form(max_length=200)],
    effective_date: Day,
    version: Version = None,
    previewed: Previewed = "",
    quantity: Small = "1",
    reason: Text = "",
) -> Response:
    """An add-on from the plan's catalogue, billed from its first day."""
    check_csrf(desk.staff, csrf)
    form = {"code": code, "effective_date": effective_date, "quantity": quantity, "reason": reason}

    def body(session: Session) -> AddOnAttach:
        return AddOnAttach.model_validate(
            {
                "code": code,
                "effective_date": effective_date,
                "quantity": int(quantity) if quantity.strip().isdigit() else quantity,
                "reason": reason or None,
            }
        )

    return run_change(
        desk,
        subscription_id,
        done="addon",
        action=action,
        form=form,
        version=version,
        previewed=previewed,
        command=service.attach_addon,
        body=body,
    )
