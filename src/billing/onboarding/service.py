"""Onboarding flows: opened with each new subscription, moved by the scheduler, steered by staff.

Every step and staff action is a row in the flow's history (who, when, on which day) and an
event in the feed: ``onboarding.stage_changed`` for each stage change, ``onboarding.welcome``
for the welcome, ``task.opened`` / ``task.cancelled`` for the follow-up call tasks and
``onboarding.segment_recorded`` for the segment.

This module opens flows and takes the staff actions; the scheduler's pass is
:mod:`billing.onboarding.scheduler`, the reading side :mod:`billing.onboarding.views`, and the
recording of history :mod:`billing.onboarding.history`. The names callers use are re-exported
here.

Locks: the flow's row first (it plays the subscription row's part), then the feed, then tasks.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import Clock, utcnow
from billing.domain import onboarding as rules
from billing.domain.onboarding import Stage
from billing.events.service import emit, lock_feed
from billing.onboarding import repository
from billing.onboarding.history import emit_for_flow, progress_of, record, set_progress
from billing.onboarding.scheduler import SCHEDULER, run_onboarding, tick
from billing.onboarding.schemas import MeetingBooked, MeetingMissed, Park, SegmentRecorded
from billing.onboarding.views import flow_out, view
from billing.storage.models import Customer, Onboarding, Subscription

__all__ = [
    "SCHEDULER",
    "book_meeting",
    "flow_out",
    "meeting_missed",
    "open_for",
    "park",
    "progress_of",
    "record_segment",
    "run_onboarding",
    "tick",
    "view",
]


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
    record(
        session,
        flow,
        type_="opened",
        before=None,
        effective_date=today,
        by=actor.name,
        data={"start_date": sub.start_date.isoformat()},
    )
    return flow


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
    set_progress(flow, after)
    flow.meeting_on = body.date
    record(
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
    set_progress(flow, after)
    flow.meeting_on = None
    record(
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
    set_progress(flow, after)
    record(
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
    record(
        session,
        flow,
        type_="segment_recorded",
        before=Stage(flow.stage),
        effective_date=today,
        by=actor.name,
        data=data,
    )
    emit_for_flow(session, flow, "onboarding.segment_recorded", data)
    return flow
