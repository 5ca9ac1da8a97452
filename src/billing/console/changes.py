"""A subscription's console page and the changes staff make on it, previewed before confirmed.

A change runs the very same service call either in a transaction that is rolled back (preview:
what it shows is what Confirm would post) or in a unit of work of its own (confirm, then back
to the page). A refused change shows the page again with the reason and the form as filled in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from billing.clock import Clock
from billing.console import views
from billing.console.auth import ConsoleSession
from billing.console.web import (
    Action,
    ConsoleClock,
    Csrf,
    ReadFactory,
    Staff,
    Version,
    WriteFactory,
    check_csrf,
    go,
    page,
    reading,
)
from billing.domain.errors import DomainError
from billing.storage.attribution import attribute
from billing.storage.db import unit_of_work
from billing.subscriptions import service
from billing.subscriptions.schemas import CancelRequest

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Desk:
    """What a subscription page and its changes work with: the request, the staff member, the
    database for reading and writing, and the clock."""

    request: Request
    staff: ConsoleSession
    read: sessionmaker[Session]
    write: sessionmaker[Session]
    clock: Clock


def _desk(
    request: Request, staff: Staff, read: ReadFactory, write: WriteFactory, clock: ConsoleClock
) -> Desk:
    return Desk(request, staff, read, write, clock)


DeskDep = Annotated[Desk, Depends(_desk)]

Change = Callable[[Session], service.ChangeResult]


def subscription_response(
    desk: Desk, subscription_id: str, *, status: int = 200, **extra: Any
) -> Response:
    with reading(desk.read) as session:
        context = views.subscription_page(session, desk.staff.actor, desk.clock, subscription_id)
    notice = desk.request.query_params.get("done")
    return page(
        desk.request,
        "subscription.html",
        {"staff": desk.staff, "notice": notice, "form": {}, **context, **extra},
        status,
    )


@router.get("/subscriptions/{subscription_id}")
def subscription(desk: DeskDep, subscription_id: str) -> Response:
    return subscription_response(desk, subscription_id)


def preview_or_confirm(
    desk: Desk,
    subscription_id: str,
    *,
    action: str,
    form: dict[str, Any],
    change: Change,
    done: str,
) -> Response:
    """Run ``change`` and roll it back (preview) or commit it (confirm)."""
    try:
        if action == "confirm":
            with unit_of_work(desk.write) as session:
                actor = desk.staff.actor
                attribute(session, who=actor.who, person_id=actor.person_id)
                change(session)
            return go(desk.request, f"/subscriptions/{subscription_id}?done={done}")
        session = desk.write()
        try:
            result = change(session)
            fmt = views.formats_for(result.loaded.customer, result.loaded.subscription.currency)
            preview = views.change_preview(session, result, fmt)
        finally:
            session.rollback()
            session.close()
    except DomainError as exc:
        return subscription_response(
            desk, subscription_id, status=exc.status, error=exc.detail, form=form
        )
    except ValidationError as exc:
        message = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in exc.errors()
        )
        return subscription_response(desk, subscription_id, status=422, error=message, form=form)
    return subscription_response(desk, subscription_id, preview=preview, preview_of=done, form=form)


@router.post("/subscriptions/{subscription_id}/cancel")
def cancel(
    desk: DeskDep,
    subscription_id: str,
    csrf: Csrf,
    action: Action,
    mode: Annotated[str, Form(max_length=40)],
    version: Version = None,
    date: Annotated[str, Form(max_length=20)] = "",
    requested_on: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    competitor_offer: Annotated[str, Form(max_length=10)] = "",
    competitor_details: Annotated[str, Form(max_length=2000)] = "",
    approved_by: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_csrf(desk.staff, csrf)
    form = {
        "mode": mode,
        "date": date,
        "requested_on": requested_on,
        "reason": reason,
        "competitor_offer": competitor_offer,
        "competitor_details": competitor_details,
        "approved_by": approved_by,
    }

    def change(session: Session) -> service.ChangeResult:
        body = CancelRequest.model_validate(
            {
                "mode": mode,
                "date": date or None,
                "requested_on": requested_on or None,
                "reason": reason or None,
                "competitor_offer": (competitor_offer == "yes") if competitor_offer else None,
                "competitor_details": competitor_details or None,
                "approved_by": approved_by or None,
            }
        )
        return service.cancel(
            session, desk.staff.actor, desk.clock, subscription_id, body, expected_version=version
        )

    return preview_or_confirm(
        desk, subscription_id, action=action, form=form, change=change, done="cancel"
    )


@router.post("/subscriptions/{subscription_id}/undo")
def undo(
    desk: DeskDep,
    subscription_id: str,
    csrf: Csrf,
    action: Action,
    version: Version = None,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(desk.staff, csrf)

    def change(session: Session) -> service.ChangeResult:
        return service.undo_cancel(
            session,
            desk.staff.actor,
            desk.clock,
            subscription_id,
            expected_version=version,
            reason=reason or None,
        )

    return preview_or_confirm(
        desk, subscription_id, action=action, form={}, change=change, done="undo"
    )
