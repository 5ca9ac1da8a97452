"""The onboarding pipeline of a subscription: stage, history and open call tasks; the start
meeting booked or missed, parking, and the segment recorded after the meeting.

Like every mutating subscription call, each action accepts ``?preview=true``: it answers the flow
as the action would leave it and commits nothing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from billing.http.answers import ActionCall
from billing.http.deps import SessionDep
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
    """The onboarding of a subscription: its steps and their history."""
    return service.view(session, subscription_id)


@router.post(f"{PATH}/meeting", response_model=OnboardingOut)
def post_meeting(body: MeetingBooked, actor: StaffActor, call: ActionCall) -> Any:
    """The start meeting is booked: the flow closes and its open call tasks are cancelled."""
    return call.run(service.book_meeting, actor, body)


@router.post(f"{PATH}/meeting-missed", response_model=OnboardingOut)
def post_meeting_missed(body: MeetingMissed, actor: StaffActor, call: ActionCall) -> Any:
    """A no-show or rescheduled meeting: the flow restarts from today."""
    return call.run(service.meeting_missed, actor, body)


@router.post(f"{PATH}/park", response_model=OnboardingOut)
def post_park(actor: StaffActor, call: ActionCall, body: Park | None = None) -> Any:
    """Manual follow-up: the customer wants to start later; the automation stops."""
    return call.run(service.park, actor, body)


@router.post(f"{PATH}/segment", response_model=OnboardingOut)
def post_segment(body: SegmentRecorded, actor: StaffActor, call: ActionCall) -> Any:
    """After the start meeting: the customer segment (A–D) and the owning advisor."""
    return call.run(service.record_segment, actor, body)
