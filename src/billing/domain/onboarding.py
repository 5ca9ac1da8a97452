"""The onboarding pipeline of a new contract (domain.md, "Onboarding"; the licence business's
routine): pure rules, no I/O.

A flow starts in ``new``. The day after the delivery start date, at 08:00 local time, it moves
to ``onboarding`` and the welcome goes out; that day is day 0 of the flow's *cycle*. While no
start meeting is booked, a follow-up call task comes at day 3 and another at day 7; at day 30
the flow moves to ``needs_follow_up`` and at day 60 to ``inactive`` (each at 08:00 local).
Booking the meeting ``closes`` it (the automation stops); staff may park it in
``manual_follow_up`` (the customer asked to start later; the automation stops too). A meeting
that was missed (no-show) or rescheduled restarts the flow: ``onboarding`` again, a new cycle
from that day. After the meeting staff record the customer segment (A–D) and the advisor.

Steps are applied in order and once each: :func:`due_steps` lists, from the flow's progress,
every step whose moment has been reached, so a scheduler that runs late (or a test clock that
jumps ahead) catches up in order, and running it again finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from billing.domain.errors import DomainError

#: Steps happen at this hour, local time of the customer.
STEP_HOUR = 8


class Stage(StrEnum):
    NEW = "new"
    ONBOARDING = "onboarding"
    NEEDS_FOLLOW_UP = "needs_follow_up"
    INACTIVE = "inactive"
    MANUAL_FOLLOW_UP = "manual_follow_up"
    CLOSED = "closed"


#: Stages in which no meeting is booked yet: a meeting may be booked, the flow parked.
WAITING = frozenset({Stage.ONBOARDING, Stage.NEEDS_FOLLOW_UP, Stage.INACTIVE})
#: Stages the scheduler moves on from.
AUTOMATED = frozenset({Stage.NEW, Stage.ONBOARDING, Stage.NEEDS_FOLLOW_UP})
SEGMENTS = ("A", "B", "C", "D")


class StepKind(StrEnum):
    WELCOME = "welcome"
    CALL_TASK = "call_task"
    MOVE = "move"


@dataclass(frozen=True, slots=True)
class CycleStep:
    day: int
    kind: StepKind
    stage: Stage | None = None  # where a MOVE goes


#: What happens in a cycle, in order, by day counted from the cycle's start.
CYCLE = (
    CycleStep(3, StepKind.CALL_TASK),
    CycleStep(7, StepKind.CALL_TASK),
    CycleStep(30, StepKind.MOVE, Stage.NEEDS_FOLLOW_UP),
    CycleStep(60, StepKind.MOVE, Stage.INACTIVE),
)


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a flow stands: its stage, the day its current cycle started (None while new) and
    how many of :data:`CYCLE`'s steps it has taken in this cycle."""

    stage: Stage
    cycle_start: date | None = None
    steps_done: int = 0
    cycle: int = 0


@dataclass(frozen=True, slots=True)
class Step:
    """One scheduled step: due on ``due`` (at :data:`STEP_HOUR` local), day ``day`` of the cycle;
    ``after`` is the progress once it is taken."""

    kind: StepKind
    due: date
    day: int
    before: Progress
    after: Progress

    @property
    def changes_stage(self) -> bool:
        return self.before.stage is not self.after.stage


class OnboardingRefused(DomainError, code="onboarding_refused", status=409): ...


def welcome_day(*, start_date: date, opened_on: date) -> date:
    """The day of the welcome: the day after the delivery start date, or, for a contract
    recorded after that, the day it was recorded (a late contract is welcomed, not skipped
    straight to ``inactive``)."""
    return max(start_date + timedelta(days=1), opened_on)


def next_step(progress: Progress, *, welcome_on: date) -> Step | None:
    if progress.stage is Stage.NEW:
        after = Progress(Stage.ONBOARDING, welcome_on, 0, progress.cycle)
        return Step(StepKind.WELCOME, welcome_on, 0, progress, after)
    if progress.stage not in AUTOMATED or progress.steps_done >= len(CYCLE):
        return None
    assert progress.cycle_start is not None
    step = CYCLE[progress.steps_done]
    stage = step.stage if step.kind is StepKind.MOVE and step.stage else progress.stage
    after = replace(progress, stage=stage, steps_done=progress.steps_done + 1)
    due = progress.cycle_start + timedelta(days=step.day)
    return Step(step.kind, due, step.day, progress, after)


def due_steps(
    progress: Progress, *, welcome_on: date, reached: Callable[[date], bool]
) -> list[Step]:
    """Every step due by now, in order. ``reached(day)``: has 08:00 local on ``day`` passed
    (with the test clock: is ``day`` on or before its date)?"""
    steps: list[Step] = []
    while (step := next_step(progress, welcome_on=welcome_on)) is not None and reached(step.due):
        steps.append(step)
        progress = step.after
    return steps


# -- staff actions ---------------------------------------------------------------------------


def _refuse_unless_started(progress: Progress, action: str) -> None:
    if progress.stage is Stage.NEW:
        raise OnboardingRefused(
            f"onboarding has not started yet: cannot {action} before the welcome",
            code="onboarding_not_started",
        )
    if progress.stage is Stage.CLOSED:
        raise OnboardingRefused(
            f"onboarding is closed (a start meeting is booked): cannot {action}",
            code="onboarding_closed",
        )


def book_meeting(progress: Progress, *, meeting_on: date, today: date) -> Progress:
    """Booking the start meeting closes the flow (the automation stops)."""
    _refuse_unless_started(progress, "book a meeting")
    if meeting_on < today:
        raise OnboardingRefused(
            f"the meeting date {meeting_on} is before today ({today})",
            code="meeting_in_past",
            status=422,
        )
    return replace(progress, stage=Stage.CLOSED)


def park(progress: Progress) -> Progress:
    """Manual follow-up: the customer wants to start later; the automation stops."""
    _refuse_unless_started(progress, "park it")
    if progress.stage is Stage.MANUAL_FOLLOW_UP:
        raise OnboardingRefused("onboarding is already parked", code="already_parked")
    return replace(progress, stage=Stage.MANUAL_FOLLOW_UP)


def restart(progress: Progress, *, today: date, segment_recorded: bool) -> Progress:
    """A missed (no-show) or rescheduled meeting restarts the flow from ``today``."""
    if progress.stage is not Stage.CLOSED:
        raise OnboardingRefused("no start meeting is booked", code="no_meeting_booked")
    if segment_recorded:
        raise OnboardingRefused(
            "the start meeting was held (its segment is recorded)", code="meeting_held"
        )
    return Progress(Stage.ONBOARDING, today, 0, progress.cycle + 1)


def check_segment(progress: Progress, *, meeting_on: date | None, today: date) -> None:
    """The segment and advisor are recorded after the start meeting."""
    if progress.stage is not Stage.CLOSED or meeting_on is None:
        raise OnboardingRefused("no start meeting is booked", code="no_meeting_booked")
    if meeting_on > today:
        raise OnboardingRefused(
            f"the start meeting ({meeting_on}) has not been held yet", code="meeting_not_held"
        )
