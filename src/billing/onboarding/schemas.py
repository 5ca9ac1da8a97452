"""Request and response bodies of the onboarding API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from billing.schemas_common import Day, Name, Request, Text

Segment = Literal["A", "B", "C", "D"]


class MeetingBooked(Request):
    """The start meeting is booked for ``date`` (the flow closes)."""

    date: Day


class MeetingMissed(Request):
    """The booked meeting was missed or moved: the flow restarts from today."""

    outcome: Literal["no_show", "rescheduled"] = "no_show"
    reason: Text | None = None


class Park(Request):
    reason: Text | None = None


class SegmentRecorded(Request):
    """After the start meeting: the customer segment and the owning advisor."""

    segment: Segment
    advisor: Name


class HistoryOut(BaseModel):
    seq: int
    type: str
    from_stage: str | None
    to_stage: str
    effective_date: str
    recorded_at: str
    recorded_by: str
    data: dict[str, Any]


class OnboardingTaskOut(BaseModel):
    id: str
    kind: str
    title: str
    due_date: str
    status: str


class NextStepOut(BaseModel):
    kind: str
    due: str
    day: int
    to_stage: str


class OnboardingOut(BaseModel):
    subscription_id: str
    customer_id: str
    stage: str
    cycle: int
    cycle_start: str | None
    welcome_on: str
    next_step: NextStepOut | None
    meeting_on: str | None
    segment: str | None
    advisor: str | None
    history: list[HistoryOut]
    open_tasks: list[OnboardingTaskOut]
