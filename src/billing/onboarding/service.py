"""Onboarding flows: opened with each new subscription, moved by the scheduler, steered by staff.

Every step and staff action is a row in the flow's history (who, when, on which day) and an
event in the feed: ``onboarding.stage_changed`` for each stage change, ``onboarding.welcome``
for the welcome, ``task.opened`` / ``task.cancelled`` for the follow-up call tasks and
``onboarding.segment_recorded`` for the segment.

The automation holds while the subscription has an end date (a customer who has given notice
gets no onboarding nudges); it catches up, in order, if the cancellation is undone.

Locks: the flow's row first (it plays the subscription row's part), then the feed, then tasks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from billing.auth.service import Actor
from billing.clock import Clock, utcnow
from billing.domain import onboarding as rules
from billing.domain.calendar import local_datetime
from billing.domain.onboarding import Progress, Stage, Step, StepKind
from billing.events.service import emit, lock_feed
from billing.ids import new_id
from billing.onboarding import repository
from billing.onboarding.schemas import MeetingBooked, MeetingMissed, Park, SegmentRecorded
from billing.storage.db import unit_of_work
from billing.storage.models import Customer, Onboarding, OnboardingEvent, Subscription, Task

SCHEDULER = "scheduler"

CALL_TITLES = {
    3: "Onboarding: call the customer to book a start meeting (day 3)",
    7: "Onboarding: call the customer again to book a start meeting (day 7)",
}


def progress_of(flow: Onboarding) -> Progress:
    return Progress(Stage(flow.stage), flow.cycle_start, flow.steps_done, flow.cycle)


def _set_progress(flow: Onboarding, progress: Progress) -> None:
    flow.stage = progress.stage.value
    flow.cycle_start = progress.cycle_start
    flow.steps_done = progress.steps_done
    flow.cycle = progress.cycle
    flow.updated_at = utcnow()


def _record(
    session: Session,
    flow: Onboarding,
    *,
    type_: str,
    before: Stage | None,
    effective_date: date,
    by: str,
    data: dict[str, Any],
) -> OnboardingEvent:
    """One history row; and, when the stage changed, ``onboarding.stage_changed``."""
    row = OnboardingEvent(
        id=new_id("obe"),
        subscription_id=flow.subscription_id,
        seq=repository.next_seq(session, flow.subscription_id),
        type=type_,
        from_stage=before.value if before is not None else None,
        to_stage=flow.stage,
        effective_date=effective_date,
        recorded_at=utcnow(),
        recorded_by=by,
        data=data,
    )
    repository.add(session, [row])
    if before is not None and before.value != flow.stage:
        _emit(
            session,
            flow,
            "onboarding.stage_changed",
            {
                "from": before.value,
                "to": flow.stage,
                "on": effective_date.isoformat(),
                "reason": type_,
                "cycle": flow.cycle,
                **data,
            },
        )
    return row


def _emit(session: Session, flow: Onboarding, type_: str, data: dict[str, Any]) -> None:
    emit(
        session,
        type_,
        customer_id=flow.customer_id,
        subscription_id=flow.subscription_id,
        subject_id=flow.subscription_id,
        data=data,
    )


# -- opening ---------------------------------------------------------------------------------


def open_for(session: Session, sub: Subscription, *, actor: Actor, today: date) -> Onboarding:
    """A new subscription's flow, in ``new`` until its welcome. (Starting in ``new`` is not a
    stage change: the subscription's own ``subscription.started`` event announces it.)"""
    now = utcnow()
    flow = Onboarding(
        subscription_id=sub.id,
        customer_id=sub.customer_id,
        stage=Stage.NEW.value,
        opened_on=today,
        cycle=0,
        cycle_start=None,
        steps_done=0,
        created_at=now,
        updated_at=now,
    )
    repository.add(session, [flow])
    _record(
        session,
        flow,
        type_="opened",
        before=None,
        effective_date=today,
        by=actor.name,
        data={"start_date": sub.start_date.isoformat()},
    )
    return flow


# -- the scheduler's pass --------------------------------------------------------------------


def _reached(session: Session, clock: Clock, timezone: str) -> Callable[[date], bool]:
    """Has 08:00 local time on a day passed? With the test clock: is the day on or before
    the clock's date (the test clock has no time of day)."""
    fixed = clock.test_date(session)
    if fixed is not None:
        return lambda day: day <= fixed
    now = utcnow()
    return lambda day: now >= local_datetime(day, rules.STEP_HOUR, timezone)


def _welcome_on(flow: Onboarding, sub: Subscription) -> date:
    # The subscription's start date as it is now (a postponed start postpones the welcome).
    return rules.welcome_day(start_date=sub.start_date, opened_on=flow.opened_on)


def _take(session: Session, flow: Onboarding, step: Step) -> None:
    _set_progress(flow, step.after)
    data: dict[str, Any] = {"day": step.day}
    if step.kind is StepKind.WELCOME:
        _record(
            session,
            flow,
            type_="welcomed",
            before=step.before.stage,
            effective_date=step.due,
            by=SCHEDULER,
            data=data,
        )
        _emit(session, flow, "onboarding.welcome", {"on": step.due.isoformat()})
    elif step.kind is StepKind.CALL_TASK:
        task = Task(
            id=new_id("task"),
            subscription_id=flow.subscription_id,
            customer_id=flow.customer_id,
            source_event_id=None,
            kind=repository.CALL_TASK_KIND,
            title=CALL_TITLES[step.day],
            due_date=step.due,
            status="open",
            created_at=utcnow(),
        )
        repository.add(session, [task])
        row = _record(
            session,
            flow,
            type_="call_task_opened",
            before=step.before.stage,
            effective_date=step.due,
            by=SCHEDULER,
            data={**data, "task_id": task.id},
        )
        task.source_event_id = row.id
        emit(
            session,
            "task.opened",
            customer_id=task.customer_id,
            subscription_id=task.subscription_id,
            subject_id=task.id,
            data={
                "kind": task.kind,
                "title": task.title,
                "due_date": task.due_date.isoformat(),
                "onboarding_day": step.day,
            },
        )
    else:
        _record(
            session,
            flow,
            type_=f"day_{step.day}",
            before=step.before.stage,
            effective_date=step.due,
            by=SCHEDULER,
            data=data,
        )


def tick(session: Session, clock: Clock, subscription_id: str) -> list[Step]:
    """Take every step of one flow that is due by now, in order; returns them."""
    flow = repository.get(session, subscription_id, lock=True)
    sub, customer = repository.subscription_and_customer(session, subscription_id)
    if sub.end_date is not None:
        return []
    steps = rules.due_steps(
        progress_of(flow),
        welcome_on=_welcome_on(flow, sub),
        reached=_reached(session, clock, customer.timezone),
    )
    if steps:
        lock_feed(session)
        for step in steps:
            _take(session, flow, step)
        session.flush()
    return steps


def run_onboarding(factory: sessionmaker[Session], clock: Clock) -> dict[str, Any]:
    """The scheduler's onboarding pass: one transaction per flow; idempotent."""
    checked = 0
    moved: list[str] = []
    steps = 0
    after: str | None = None
    while True:
        with unit_of_work(factory) as session:
            ids = repository.automated_page(
                session, stages=[s.value for s in rules.AUTOMATED], after=after, limit=500
            )
        if not ids:
            break
        for sid in ids:
            with unit_of_work(factory) as session:
                taken = tick(session, clock, sid)
            checked += 1
            if taken:
                moved.append(sid)
                steps += len(taken)
        after = ids[-1]
    return {"checked": checked, "steps": steps, "subscriptions": moved}


# -- staff actions ---------------------------------------------------------------------------


def _load_for_action(
    session: Session, clock: Clock, subscription_id: str
) -> tuple[Onboarding, Customer, date]:
    flow = repository.get(session, subscription_id, lock=True)
    _, customer = repository.subscription_and_customer(session, subscription_id)
    return flow, customer, clock.today(session, customer.timezone)


def _cancel_call_tasks(session: Session, flow: Onboarding) -> None:
    """A booked meeting makes the open call tasks moot."""
    for task in repository.open_call_tasks(session, flow.subscription_id):
        task.status = "cancelled"
        task.completed_at = utcnow()
        task.completed_by = "system"
        emit(
            session,
            "task.cancelled",
            customer_id=task.customer_id,
            subscription_id=task.subscription_id,
            subject_id=task.id,
            data={"kind": task.kind, "due_date": task.due_date.isoformat()},
        )
    session.flush()


def book_meeting(
    session: Session, actor: Actor, clock: Clock, subscription_id: str, body: MeetingBooked
) -> Onboarding:
    flow, _, today = _load_for_action(session, clock, subscription_id)
    before = progress_of(flow)
    after = rules.book_meeting(before, meeting_on=body.date, today=today)
    lock_feed(session)
    _set_progress(flow, after)
    flow.meeting_on = body.date
    _record(
        session,
        flow,
        type_="meeting_booked",
        before=before.stage,
        effective_date=today,
        by=actor.name,
        data={"meeting_on": body.date.isoformat()},
    )
    _cancel_call_tasks(session, flow)
    return flow


def meeting_missed(
    session: Session, actor: Actor, clock: Clock, subscription_id: str, body: MeetingMissed
) -> Onboarding:
    flow, _, today = _load_for_action(session, clock, subscription_id)
    before = progress_of(flow)
    after = rules.restart(before, today=today, segment_recorded=flow.segment is not None)
    lock_feed(session)
    missed = flow.meeting_on
    _set_progress(flow, after)
    flow.meeting_on = None
    _record(
        session,
        flow,
        type_=f"meeting_{body.outcome}",
        before=before.stage,
        effective_date=today,
        by=actor.name,
        data={
            "meeting_on": missed.isoformat() if missed else None,
            "outcome": body.outcome,
            "reason": body.reason,
            "restarted_on": today.isoformat(),
        },
    )
    return flow


def park(
    session: Session, actor: Actor, clock: Clock, subscription_id: str, body: Park | None
) -> Onboarding:
    flow, _, today = _load_for_action(session, clock, subscription_id)
    before = progress_of(flow)
    after = rules.park(before)
    lock_feed(session)
    _set_progress(flow, after)
    _record(
        session,
        flow,
        type_="parked",
        before=before.stage,
        effective_date=today,
        by=actor.name,
        data={"reason": body.reason if body else None},
    )
    return flow


def record_segment(
    session: Session, actor: Actor, clock: Clock, subscription_id: str, body: SegmentRecorded
) -> Onboarding:
    flow, _, today = _load_for_action(session, clock, subscription_id)
    rules.check_segment(progress_of(flow), meeting_on=flow.meeting_on, today=today)
    lock_feed(session)
    flow.segment = body.segment
    flow.advisor = body.advisor
    flow.updated_at = utcnow()
    data = {"segment": body.segment, "advisor": body.advisor}
    _record(
        session,
        flow,
        type_="segment_recorded",
        before=Stage(flow.stage),
        effective_date=today,
        by=actor.name,
        data=data,
    )
    _emit(session, flow, "onboarding.segment_recorded", data)
    return flow


# -- reading ---------------------------------------------------------------------------------


def view(session: Session, subscription_id: str) -> dict[str, Any]:
    flow = repository.get(session, subscription_id)
    sub, _ = repository.subscription_and_customer(session, subscription_id)
    return flow_out(session, flow, sub)


def flow_out(session: Session, flow: Onboarding, sub: Subscription | None = None) -> dict[str, Any]:
    if sub is None:
        sub, _ = repository.subscription_and_customer(session, flow.subscription_id)
    welcome_on = _welcome_on(flow, sub)
    step = rules.next_step(progress_of(flow), welcome_on=welcome_on)
    return {
        "subscription_id": flow.subscription_id,
        "customer_id": flow.customer_id,
        "stage": flow.stage,
        "cycle": flow.cycle,
        "cycle_start": flow.cycle_start.isoformat() if flow.cycle_start else None,
        "welcome_on": welcome_on.isoformat(),
        "next_step": (
            {
                "kind": step.kind.value,
                "due": step.due.isoformat(),
                "day": step.day,
                "to_stage": step.after.stage.value,
            }
            if step is not None and sub.end_date is None
            else None
        ),
        "meeting_on": flow.meeting_on.isoformat() if flow.meeting_on else None,
        "segment": flow.segment,
        "advisor": flow.advisor,
        "history": [
            {
                "seq": h.seq,
                "type": h.type,
                "from_stage": h.from_stage,
                "to_stage": h.to_stage,
                "effective_date": h.effective_date.isoformat(),
                "recorded_at": h.recorded_at.isoformat(),
                "recorded_by": h.recorded_by,
                "data": h.data,
            }
            for h in repository.history(session, flow.subscription_id)
        ],
        "open_tasks": [
            {
                "id": t.id,
                "kind": t.kind,
                "title": t.title,
                "due_date": t.due_date.isoformat(),
                "status": t.status,
            }
            for t in repository.open_call_tasks(session, flow.subscription_id)
        ],
    }
