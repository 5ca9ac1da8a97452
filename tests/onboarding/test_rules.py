"""The onboarding rules, pure: steps in order and once each, the 08:00 local moment, refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from billing.clock import Clock
from billing.domain import onboarding as rules
from billing.domain.onboarding import OnboardingRefused, Progress, Stage, StepKind
from billing.onboarding import scheduler

WELCOME = date(2025, 2, 4)


def upto(day: date) -> list[tuple[str, date, str]]:
    steps = rules.due_steps(Progress(Stage.NEW), welcome_on=WELCOME, reached=lambda d: d <= day)
    return [(s.kind.value, s.due, s.after.stage.value) for s in steps]


def test_steps_come_in_order_each_once() -> None:
    assert upto(date(2025, 2, 3)) == []
    assert upto(WELCOME) == [("welcome", WELCOME, "onboarding")]
    everything = upto(date(2030, 1, 1))
    assert everything == [
        ("welcome", WELCOME, "onboarding"),
        ("call_task", WELCOME + timedelta(days=3), "onboarding"),
        ("call_task", WELCOME + timedelta(days=7), "onboarding"),
        ("move", WELCOME + timedelta(days=30), "needs_follow_up"),
        ("move", WELCOME + timedelta(days=60), "inactive"),
    ]
    # Taking them one day at a time gives the same steps.
    progress, taken = Progress(Stage.NEW), []
    day = WELCOME - timedelta(days=2)
    while day < date(2025, 6, 1):
        for step in rules.due_steps(progress, welcome_on=WELCOME, reached=lambda d, t=day: d <= t):
            taken.append((step.kind.value, step.due, step.after.stage.value))
            progress = step.after
        day += timedelta(days=1)
    assert taken == everything
    assert rules.due_steps(progress, welcome_on=WELCOME, reached=lambda d: True) == []


def test_welcome_is_the_day_after_the_start_or_the_day_recorded() -> None:
    assert rules.welcome_day(start_date=date(2025, 2, 3), opened_on=date(2025, 1, 1)) == WELCOME
    assert rules.welcome_day(start_date=date(2024, 2, 3), opened_on=WELCOME) == WELCOME


@pytest.mark.parametrize(
    ("utc", "reached"),
    [
        (datetime(2025, 2, 4, 6, 59, tzinfo=UTC), False),  # 07:59 in Stockholm (CET)
        (datetime(2025, 2, 4, 7, 0, tzinfo=UTC), True),  # 08:00
        (datetime(2025, 7, 4, 5, 59, tzinfo=UTC), False),  # 07:59 CEST
        (datetime(2025, 7, 4, 6, 0, tzinfo=UTC), True),
    ],
)
def test_steps_happen_at_0800_local_time(
    monkeypatch: pytest.MonkeyPatch, utc: datetime, reached: bool
) -> None:
    monkeypatch.setattr(scheduler, "utcnow", lambda: utc)
    real_clock = Clock(test_clock_enabled=False)
    check = scheduler.step_time_reached(None, real_clock, "Europe/Stockholm")  # type: ignore[arg-type]
    assert check(utc.date()) is reached


def test_staff_actions() -> None:
    started = Progress(Stage.ONBOARDING, WELCOME, 1)
    closed = rules.book_meeting(started, meeting_on=WELCOME, today=WELCOME)
    assert closed.stage is Stage.CLOSED
    restarted = rules.restart(closed, today=date(2025, 3, 1), segment_recorded=False)
    assert restarted == Progress(Stage.ONBOARDING, date(2025, 3, 1), 0, 1)
    codes = []
    for attempt in (
        lambda: rules.book_meeting(closed, meeting_on=WELCOME, today=WELCOME),
        lambda: rules.book_meeting(Progress(Stage.NEW), meeting_on=WELCOME, today=WELCOME),
        lambda: rules.book_meeting(started, meeting_on=WELCOME, today=date(2025, 2, 5)),
        lambda: rules.park(rules.park(started)),
        lambda: rules.restart(started, today=WELCOME, segment_recorded=False),
        lambda: rules.restart(closed, today=WELCOME, segment_recorded=True),
        lambda: rules.check_segment(closed, meeting_on=date(2025, 2, 9), today=WELCOME),
    ):
        with pytest.raises(OnboardingRefused) as exc:
            attempt()
        codes.append(exc.value.code)
    assert codes == [
        "onboarding_closed",
        "onboarding_not_started",
        "meeting_in_past",
        "already_parked",
        "no_meeting_booked",
        "meeting_held",
        "meeting_not_held",
    ]
    assert rules.next_step(rules.park(started), welcome_on=WELCOME) is None
    assert StepKind.WELCOME.value == "welcome"
