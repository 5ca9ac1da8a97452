"""A subscription's console page and the changes staff make on it, previewed before confirmed.

A change runs the very same service call either in a transaction that is rolled back (preview:
what it shows is what Confirm would post) or in a unit of work of its own (confirm, then back
to the page). A refused change shows the page again with the reason and the form as filled in.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from billing.clock import Clock
from billing.console import views
from billing.console.auth import ConsoleSession
from billing.console.i18n import Words
from billing.console.problems import form_refusal, refusal
from billing.console.trail import confirming
from billing.console.web import (
    Action,
    ConsoleClock,
    Csrf,
    Lang,
    Previewed,
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
    lang: Words


def _desk(
    request: Request,
    staff: Staff,
    read: ReadFactory,
    write: WriteFactory,
    clock: ConsoleClock,
    lang: Lang,
) -> Desk:
    return Desk(request, staff, read, write, clock, lang)


DeskDep = Annotated[Desk, Depends(_desk)]

Change = Callable[[Session], service.ChangeResult]
Alternatives = Callable[[Session], list[dict[str, Any]]]


def subscription_response(
    desk: Desk, subscription_id: str, *, status: int = 200, **extra: Any
) -> Response:
    asked = desk.request.query_params.get("year", "")
    year = int(asked) if asked.isdigit() and len(asked) == 4 else None
    with reading(desk.read) as session:
        context = views.subscription_page(
            session, desk.staff.actor, desk.clock, subscription_id, desk.lang, year=year
        )
    notice = desk.request.query_params.get("done")
    return page(
        desk.request,
        "subscription.html",
        {"staff": desk.staff, "notice": notice, "form": {}, "form_of": None, **context, **extra},
        status,
    )


def field_labels(lang: Words) -> dict[str, str]:
    """The forms' fields as their labels name them, for refusals."""
    return {
        "date": lang.gettext("Last day served"),
        "requested_on": lang.gettext("Notice given on"),
        "approved_by": lang.gettext("Approved by (manager)"),
        "reason": lang.gettext("Reason"),
        "start_date": lang.gettext("First day paused"),
        "resume_date": lang.gettext("Last day paused (empty: until resumed)"),
        "effective_date": lang.gettext("First day on the new terms"),
        "quantity": lang.gettext("Licences"),
        "unit_amount": lang.gettext("Unit price"),
    }


@router.get("/subscriptions/{subscription_id}")
def subscription(desk: DeskDep, subscription_id: str) -> Response:
    return subscription_response(desk, subscription_id)


def previewed_token(
    desk: Desk, subscription_id: str, done: str, form: dict[str, Any], version: int | None
) -> str:
    """What a preview hands its Confirm: a MAC, keyed with the session's CSRF secret, over
    the change, the subscription's version and every field exactly as previewed. Confirm is
    refused without it, so nothing is committed that was not seen as a preview first."""
    fields = json.dumps([subscription_id, done, version, sorted(form.items())])
    return hmac.new(desk.staff.csrf.encode(), fields.encode(), hashlib.sha256).hexdigest()


def preview_or_confirm(
    desk: Desk,
    subscription_id: str,
    *,
    action: str,
    form: dict[str, Any],
    change: Change,
    done: str,
    version: int | None,
    previewed: str = "",
    alternatives: Alternatives | None = None,
) -> Response:
    """Run ``change`` and roll it back (preview) or commit it (confirm, only with the token
    of a preview of exactly these inputs). ``alternatives``, for a preview, works out what
    each other choice would post, on the timeline as it stands before the change."""
    token = previewed_token(desk, subscription_id, done, form, version)
    refused: dict[str, Any] = {"form": form, "form_of": done}
    if action == "confirm" and not (previewed.isascii() and hmac.compare_digest(token, previewed)):
        message = desk.lang.gettext("Preview the change first: Confirm comes with the preview.")
        return subscription_response(desk, subscription_id, status=409, error=message, **refused)
    try:
        if action == "confirm":
            with confirming(desk.request, desk.staff.actor, desk.write) as session:
                change(session)
            return go(desk.request, f"/subscriptions/{subscription_id}?done={done}")
        session = desk.write()
        try:
            others = alternatives(session) if alternatives else None
            result = change(session)
            loaded = result.loaded
            fmt = views.formats_for(loaded.customer, desk.lang, loaded.subscription.currency)
            preview = views.change_preview(session, result, fmt)
            if others is not None:
                preview["alternatives"] = views.alternatives(others, fmt, form.get("proration"))
        finally:
            session.rollback()
            session.close()
    except DomainError as exc:
        error = refusal(desk.lang, exc)
        return subscription_response(
            desk, subscription_id, status=exc.status, error=error, **refused
        )
    except ValidationError as exc:
        message = form_refusal(desk.lang, exc.errors(), field_labels(desk.lang))
        return subscription_response(desk, subscription_id, status=422, error=message, **refused)
    return subscription_response(
        desk, subscription_id, preview=preview, previewed=token, preview_of=done, **refused
    )


def end_after(last_day: str) -> str | None:
    """The service's end date (the first day not served) of the last day served that staff
    give; an unreadable date is passed on as it is, for the form's check to name."""
    if not last_day:
        return None
    try:
        return (Date.fromisoformat(last_day) + timedelta(days=1)).isoformat()
    except ValueError:
        return last_day


@router.post("/subscriptions/{subscription_id}/cancel")
def cancel(
    desk: DeskDep,
    subscription_id: str,
    csrf: Csrf,
    action: Action,
    mode: Annotated[str, Form(max_length=40)],
    version: Version = None,
    previewed: Previewed = "",
    date: Annotated[str, Form(max_length=20)] = "",
    requested_on: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    competitor_offer: Annotated[str, Form(max_length=10)] = "",
    competitor_details: Annotated[str, Form(max_length=2000)] = "",
    approved_by: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Schedule or move a cancellation; ``date`` is the last day served."""
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
                "date": end_after(date),
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
        desk,
        subscription_id,
        action=action,
        form=form,
        change=change,
        done="cancel",
        version=version,
        previewed=previewed,
    )


@router.post("/subscriptions/{subscription_id}/undo")
def undo(
    desk: DeskDep,
    subscription_id: str,
    csrf: Csrf,
    action: Action,
    version: Version = None,
    previewed: Previewed = "",
) -> Response:
    check_csrf(desk.staff, csrf)

    def change(session: Session) -> service.ChangeResult:
        return service.undo_cancel(
            session, desk.staff.actor, desk.clock, subscription_id, expected_version=version
        )

    return preview_or_confirm(
        desk,
        subscription_id,
        action=action,
        form={},
        change=change,
        done="undo",
        version=version,
        previewed=previewed,
    )
