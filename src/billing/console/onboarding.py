"""A subscription's onboarding in the console: its stage, next step, meeting, segment, open
call tasks and history, and the staff actions that steer it — the start meeting booked or
missed, the flow parked for manual follow-up, the segment and advisor recorded after the
meeting. Each action is previewed first (the flow as it would be left: its stage and next
step) and confirmed from the preview only
(:func:`~billing.console.previewing.preview_then_confirm`), through the same service functions
as ``POST /v1/subscriptions/{id}/onboarding/…``, at the same paths under the console.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from billing.console.changes import Desk, DeskDep
from billing.console.i18n import N_
from billing.console.previewing import preview_then_confirm
from billing.console.views import Formats, formats_for
from billing.console.web import Action, Csrf, Previewed, check_csrf, page, reading
from billing.onboarding import repository as onboarding_repo
from billing.onboarding import service
from billing.onboarding.schemas import MeetingBooked, MeetingMissed, Park, SegmentRecorded

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=2000)]
PATH = "/subscriptions/{subscription_id}/onboarding"

#: The stages and history rows, as people say them.
STAGES = {
    "new": N_("new (welcome not sent yet)"),
    "onboarding": N_("onboarding"),
    "needs_follow_up": N_("needs follow-up"),
    "inactive": N_("inactive"),
    "manual_follow_up": N_("manual follow-up"),
    "closed": N_("closed (meeting booked)"),
}
STEPS = {"welcome": N_("welcome"), "call_task": N_("call task"), "move": N_("move on")}
#: The staff actions: their form's body, and the service function that takes it.
ACTIONS: dict[str, tuple[type[BaseModel], Callable[..., Any]]] = {
    "meeting": (MeetingBooked, service.book_meeting),
    "meeting-missed": (MeetingMissed, service.meeting_missed),
    "park": (Park, service.park),
    "segment": (SegmentRecorded, service.record_segment),
}


def flow_view(session: Session, subscription_id: str, desk: Desk) -> dict[str, Any]:
    """The flow as the API answers it, with its stages, steps and dates in words."""
    flow = service.view(session, subscription_id)
    _, customer = onboarding_repo.subscription_and_customer(session, subscription_id)
    fmt = formats_for(customer, desk.lang)

    def day(text: str | None) -> str:
        return fmt.day(date.fromisoformat(text)) if text else ""

    step = flow["next_step"]
    return {
        **flow,
        "customer": customer,
        "stage_text": desk.lang.gettext(STAGES.get(flow["stage"], flow["stage"])),
        "next_text": _next(step, fmt, desk) if step else None,
        "meeting_text": day(flow["meeting_on"]),
        "welcome_text": day(flow["welcome_on"]),
        "tasks": [{**t, "due_text": day(t["due_date"])} for t in flow["open_tasks"]],
        "history": [
            {
                **h,
                "day": day(h["effective_date"]),
                "to_text": desk.lang.gettext(STAGES.get(h["to_stage"], h["to_stage"])),
            }
            for h in reversed(flow["history"])
        ],
    }


def _next(step: dict[str, Any], fmt: Formats, desk: Desk) -> str:
    return desk.lang.gettext(
        "%(step)s on %(day)s, then %(stage)s",
        step=desk.lang.gettext(STEPS.get(step["kind"], step["kind"])),
        day=fmt.day(date.fromisoformat(step["due"])),
        stage=desk.lang.gettext(STAGES.get(step["to_stage"], step["to_stage"])),
    )


def _page(desk: Desk, subscription_id: str, *, status: int = 200, **extra: Any) -> Response:
    with reading(desk.read) as session:
        flow = flow_view(session, subscription_id, desk)
    context = {
        "staff": desk.staff,
        "flow": flow,
        "notice": desk.request.query_params.get("done"),
        "form": {},
        "form_of": None,
    }
    return page(desk.request, "onboarding.html", {**context, **extra}, status)


@router.get(PATH)
def onboarding(desk: DeskDep, subscription_id: str) -> Response:
    return _page(desk, subscription_id)


Day = Annotated[str, Form(max_length=20)]
Small = Annotated[str, Form(max_length=20)]
Advisor = Annotated[str, Form(max_length=200)]


@router.post(f"{PATH}/meeting")
def meeting(
    desk: DeskDep, subscription_id: str, csrf: Csrf, action: Action, date: Day,
    previewed: Previewed = "",
) -> Response:  # fmt: skip
    """The start meeting is booked for a day: the flow closes, its call tasks are cancelled."""
    return _act(desk, subscription_id, "meeting", csrf, action, previewed, {"date": date})


@router.post(f"{PATH}/meeting-missed")
def meeting_missed(
    desk: DeskDep, subscription_id: str, csrf: Csrf, action: Action, outcome: Small = "",
    reason: Text = "", previewed: Previewed = "",
) -> Response:  # fmt: skip
    """A no-show or a moved meeting: the flow starts over from today."""
    form = {"outcome": outcome, "reason": reason}
    return _act(desk, subscription_id, "meeting-missed", csrf, action, previewed, form)


@router.post(f"{PATH}/park")
def park(
    desk: DeskDep, subscription_id: str, csrf: Csrf, action: Action, reason: Text = "",
    previewed: Previewed = "",
) -> Response:  # fmt: skip
    """The customer wants to start later: manual follow-up, the automation stops."""
    return _act(desk, subscription_id, "park", csrf, action, previewed, {"reason": reason})


@router.post(f"{PATH}/segment")
def segment(
    desk: DeskDep, subscription_id: str, csrf: Csrf, action: Action, segment: Small = "",
    advisor: Advisor = "", previewed: Previewed = "",
) -> Response:  # fmt: skip
    """After the start meeting: the segment (A–D) and the owning advisor."""
    form = {"segment": segment, "advisor": advisor}
    return _act(desk, subscription_id, "segment", csrf, action, previewed, form)


def _act(
    desk: Desk,
    subscription_id: str,
    step: str,
    csrf: str,
    action: str,
    previewed: str,
    form: dict[str, str],
) -> Response:
    """One staff action on the flow (:data:`ACTIONS`), previewed first."""
    check_csrf(desk.staff, csrf)
    schema, command = ACTIONS[step]

    def work(session: Session) -> dict[str, Any]:
        # An empty field is one not given: the schema's default (no reason, a no-show).
        body = schema.model_validate({k: v.strip() for k, v in form.items() if v.strip()})
        command(session, desk.staff.actor, desk.clock, subscription_id, body)
        return {
            **flow_view(session, subscription_id, desk),
            "go": f"/subscriptions/{subscription_id}/onboarding",
        }

    labels = {
        "date": desk.lang.gettext("Meeting day"),
        "advisor": desk.lang.gettext("Advisor"),
        "segment": desk.lang.gettext("Segment"),
    }
    return preview_then_confirm(
        desk,
        subject=subscription_id,
        done=step,
        action=action,
        form=form,
        previewed=previewed,
        work=work,
        respond=lambda status=200, **extra: _page(desk, subscription_id, status=status, **extra),
        labels=labels,
    )
