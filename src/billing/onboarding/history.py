"""An onboarding flow's progress and history: how each step or staff action is recorded.

Every step and staff action is a row in the flow's history (who, when, on which day); a stage
change is also ``onboarding.stage_changed`` in the feed. The flow's row stores the progress
the rules of :mod:`billing.domain.onboarding` work on.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from billing.clock import utcnow
from billing.domain import onboarding as rules
from billing.domain.onboarding import Progress, Stage
from billing.events.service import emit
from billing.ids import new_id
from billing.onboarding import repository
from billing.storage.models import Onboarding, OnboardingEvent, Subscription


def progress_of(flow: Onboarding) -> Progress:
    return Progress(Stage(flow.stage), flow.cycle_start, flow.steps_done, flow.cycle)


def set_progress(flow: Onboarding, progress: Progress) -> None:
    flow.stage = progress.stage.value
    flow.cycle_start = progress.cycle_start
    flow.steps_done = progress.steps_done
    flow.cycle = progress.cycle
    flow.updated_at = utcnow()


def record(
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
        emit_for_flow(
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


def emit_for_flow(session: Session, flow: Onboarding, type_: str, data: dict[str, Any]) -> None:
    """An event in the feed about this flow (its subscription is the subject)."""
    emit(
        session,
        type_,
        customer_id=flow.customer_id,
        subscription_id=flow.subscription_id,
        subject_id=flow.subscription_id,
        data=data,
    )


def welcome_on_day(flow: Onboarding, sub: Subscription) -> date:
    """The day of the welcome: the day after the subscription's start date as it is now (a
    postponed start postpones the welcome)."""
    return rules.welcome_day(start_date=sub.start_date, opened_on=flow.opened_on)
