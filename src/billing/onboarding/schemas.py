"""Request and response bodies of the onboarding API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from billing.schemas_common import Day, Name, Request, Text

Segment = Literal["A", "B", "C", "D"]


class MeetingBooked(Request):
    """The start meeting is booked for ``date`` (the flow closes)."""

    date: Day = Field(
        description="The day of the start meeting (ISO date).", examples=["2025-04-10"]
    )


class MeetingMissed(Request):
    """The booked meeting was missed or moved: the flow restarts from today."""

    outcome: Literal["no_show", "rescheduled"] = Field(
        default="no_show",
        description="no_show (missed) or rescheduled (moved).",
        examples=["no_show"],
    )
    reason: Text | None = Field(default=None, description="Why, for the flow's history.")


class Park(Request):
    reason: Text | None = Field(
        default=None,
        description="Why it is parked (e.g. the customer asked to start later), for the history.",
    )


class SegmentRecorded(Request):
    """After the start meeting: the customer segment and the owning advisor."""

    segment: Segment = Field(description="The customer segment, A to D.", examples=["B"])
    advisor: Name = Field(description="The advisor who owns the customer.", examples=["Anna Berg"])


class HistoryOut(BaseModel):
    seq: int = Field(description="Its place in the flow's history (1 first).", examples=[1])
    type: str = Field(
        description=(
            "What happened: opened, welcomed, day_<n>, call_task_opened, meeting_booked, "
            "segment_recorded, …"
        ),
        examples=["welcomed"],
    )
    from_stage: str | None = Field(
        description="The stage before; null: no stage before (opened).", examples=["new"]
    )
    to_stage: str = Field(description="The stage after.", examples=["onboarding"])
    effective_date: str = Field(
        description="The day it took effect (ISO date, customer's time zone).",
        examples=["2025-04-03"],
    )
    recorded_at: str = Field(
        description="When it was recorded (ISO timestamp).", examples=["2025-04-02T09:30:00+00:00"]
    )
    recorded_by: str = Field(
        description="Who recorded it: role:person (or key), or scheduler for the automatic steps.",
        examples=["staff:person_0193a1b2c3d4e5f6a7b8c9d0"],
    )
    data: dict[str, Any] = Field(
        description="What the step recorded (e.g. the meeting's date, the segment)."
    )


class OnboardingTaskOut(BaseModel):
    id: str = Field(description="The task's id.", examples=["task_0193a1b2c3d4e5f6a7b8c9d0"])
    kind: str = Field(
        description="The task's kind (a follow-up call).", examples=["onboarding_call"]
    )
    title: str = Field(description="What to do, in words.")
    due_date: str = Field(description="The day it is due (ISO date).", examples=["2025-04-06"])
    status: str = Field(description="open (open tasks only are listed).", examples=["open"])


class NextStepOut(BaseModel):
    kind: str = Field(
        description="welcome, call_task or move (to another stage).", examples=["call_task"]
    )
    due: str = Field(
        description="The day it is due (ISO date); it happens at 08:00 local time.",
        examples=["2025-04-06"],
    )
    day: int = Field(description="The day of the cycle it falls on (0: the welcome).", examples=[3])
    to_stage: str = Field(description="The stage the flow is in after it.", examples=["onboarding"])


class OnboardingOut(BaseModel):
    subscription_id: str = Field(
        description="The subscription onboarded.", examples=["sub_0193a1b2c3d4e5f6a7b8c9d0"]
    )
    customer_id: str = Field(description="Its customer.", examples=["cus_0193a1b2c3d4e5f6a7b8c9d0"])
    stage: str = Field(
        description="new, onboarding, needs_follow_up, inactive, manual_follow_up or closed.",
        examples=["onboarding"],
    )
    cycle: int = Field(
        description=(
            "How many times the flow (re)started: 1, and one more after each missed meeting."
        ),
        examples=[1],
    )
    cycle_start: str | None = Field(
        description="Day 0 of the current cycle (ISO date); null before the welcome.",
        examples=["2025-04-03"],
    )
    welcome_on: str = Field(
        description="The day of the welcome: the day after the delivery start date (ISO date).",
        examples=["2025-04-03"],
    )
    next_step: NextStepOut | None = Field(
        description=(
            "The next step the scheduler takes; null when none is due (closed, parked, inactive, "
            "or the subscription ends)."
        ),
    )
    meeting_on: str | None = Field(
        description="The booked start meeting's day (ISO date); null: none booked.",
        examples=["2025-04-10"],
    )
    segment: str | None = Field(
        description="The customer segment (A to D); null until recorded.", examples=["B"]
    )
    advisor: str | None = Field(
        description="The owning advisor; null until recorded.", examples=["Anna Berg"]
    )
    history: list[HistoryOut] = Field(
        description="Everything that happened in the flow, oldest first."
    )
    open_tasks: list[OnboardingTaskOut] = Field(description="Its follow-up call tasks still open.")
