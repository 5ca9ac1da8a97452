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

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import Clock, utcnow
from billing.domain import onboarding as rules
from billing.domain.onboarding import Progress, Stage
from billing.onboarding import repository
from billing.onboarding.history import emit_for_flow, progress_of, record, set_progress
from billing.onboarding.scheduler import SCHEDULER, run_onboarding, tick
from billing.onboarding.schemas import MeetingBooked, MeetingMissed, Park, SegmentRecorded
from billing.onboarding.views import flow_out, view
from billing.storage.models import Customer, Onboarding, Subscription
from billing.tasks import repository as tasks_repo
from billing.tasks.service import cancel_task

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
    open_calls = tasks_repo.open_tasks(
        session, flow.subscription_id, kind=repository.CALL_TASK_KIND
    )
    for task in open_calls:
        cancel_task(session, task)
    session.flush()


#: A staff action's rule: from the flow, its progress and today, the progress after the action
#: and the data its history row keeps (it refuses what the rules refuse, before any lock).
Action = Callable[[Onboarding, Progress, date], tuple[Progress, dict[str, Any]]]


def _act(
    session: Session, actor: Actor, clock: Clock, subscription_id: str, type_: str, rule: Action
) -> Onboarding:
    """A staff action that moves the flow: the rule, then (feed locked) the new progress and its
    history row (with ``onboarding.stage_changed`` when the stage changes)."""
    flow, _, today = _load_for_action(session, clock, subscription_id)
    before = progress_of(flow)
    after, data = rule(flow, before, today)
    set_progress(flow, after)
    record(
        session,
        flow,
        type_=type_,
        before=before.stage,
        effective_date=today,
        by=actor.name,
        data=data,
    )
    return flow


def book_meeting(
    session: Session, actor: Actor, clock: Clock, subscription_id: str, body: MeetingBooked
) -> Onboarding:
    def booked(flow: Onboarding, before: Progress, today: date) -> tuple[Progress, dict[str, Any]]:
        after = rules.book_meeting(before, meeting_on=body.date, today=today)
        flow.meeting_on = body.date
        return after, {"meeting_on": body.date.isoformat()}

    flow = _act(session, actor, clock, subscription_id, "meeting_booked", booked)
    _cancel_call_tasks(session, flow)
    return flow


def meeting_missed(
    session: Session, actor: Actor, clock: Clock, subscription_id: str, body: MeetingMissed
) -> Onboarding:
    def missed(flow: Onboarding, before: Progress, today: date) -> tuple[Progress, dict[str, Any]]:
        after = rules.restart(before, today=today, segment_recorded=flow.segment is not None)
        missed_on, flow.meeting_on = flow.meeting_on, None
        return after, {
            "meeting_on": missed_on.isoformat() if missed_on else None,
            "outcome": body.outcome,
            "reason": body.reason,
            "restarted_on": today.isoformat(),
        }

    return _act(session, actor, clock, subscription_id, f"meeting_{body.outcome}", missed)


def park(
    session: Session, actor: Actor, clock: Clock, subscription_id: str, body: Park | None
) -> Onboarding:
    def parked(flow: Onboarding, before: Progress, today: date) -> tuple[Progress, dict[str, Any]]:
        return rules.park(before), {"reason": body.reason if body else None}

    return _act(session, actor, clock, subscription_id, "parked", parked)


def record_segment(
    session: Session, actor: Actor, clock: Clock, subscription_id: str, body: SegmentRecorded
) -> Onboarding:
    flow, _, today = _load_for_action(session, clock, subscription_id)
    rules.check_segment(progress_of(flow), meeting_on=flow.meeting_on, today=today)
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
