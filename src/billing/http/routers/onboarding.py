"""The onboarding pipeline of a subscription: stage, history and open call tasks; the start
meeting booked or missed, parking, and the segment recorded after the meeting.

Like every mutating subscription call, each action accepts ``?preview=true``: it answers the flow
as the action would leave it and commits nothing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from billing.http.deps import ClockDep, Preview, SessionDep
from billing.http.permissions import StaffActor
from billing.onboarding import service
from billing.onboarding.schemas import (
    MeetingBooked,
    MeetingMissed,
    OnboardingOut,
    Park,
    SegmentRecorded,
)

router = APIRouter(tags=["onboarding"])

PATH = "/subscriptions/{subscription_id}/onboarding"


@router.get(PATH, response_model=OnboardingOut)
def get_onboarding(subscription_id: str, session: SessionDep, actor: StaffActor) -> Any:
    return service.view(session, subscription_id)


@router.post(f"{PATH}/meeting", response_model=OnboardingOut)
def post_meeting(
    subscription_id: str,
    body: MeetingBooked,
    session: SessionDep,
    actor: StaffActor,
    clock: ClockDep,
    preview: Preview,
) -> Any:
    """The start meeting is booked: the flow closes and its open call tasks are cancelled."""
    flow = service.book_meeting(session, actor, clock, subscription_id, body)
    return service.flow_out(session, flow)


@router.post(f"{PATH}/meeting-missed", response_model=OnboardingOut)
def post_meeting_missed(
    subscription_id: str,
    body: MeetingMissed,
    session: SessionDep,
    actor: StaffActor,
    clock: ClockDep,
    preview: Preview,
) -> Any:
    """A no-show or rescheduled meeting: the flow restarts from today."""
    flow = service.meeting_missed(session, actor, clock, subscription_id, body)
    return service.flow_out(session, flow)


@router.post(f"{PATH}/park", response_model=OnboardingOut)
def post_park(
    subscription_id: str,
    session: SessionDep,
    actor: StaffActor,
    clock: ClockDep,
    preview: Preview,
    body: Park | None = None,
) -> Any:
    """Manual follow-up: the customer wants to start later; the automation stops."""
    flow = service.park(session, actor, clock, subscription_id, body)
    return service.flow_out(session, flow)


@router.post(f"{PATH}/segment", response_model=OnboardingOut)
def post_segment(
    subscription_id: str,
    body: SegmentRecorded,
    session: SessionDep,
    actor: StaffActor,
    clock: ClockDep,
    preview: Preview,
) -> Any:
    """After the start meeting: the customer segment (A–D) and the owning advisor."""
    flow = service.record_segment(session, actor, clock, subscription_id, body)
    return service.flow_out(session, flow)
