"""Pausing and resuming: paused days are not served and not billed; periods keep their anchor.

With ``"unused": "none"`` the customer keeps paying for the period under way: the pause comes
off the bill from the next period on (``billing_from``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.domain.choices import Unused
from billing.domain.events import Paused, Resumed
from billing.subscriptions.recording import Change, ChangeResult, command, record
from billing.subscriptions.schemas import PauseRequest, ResumeRequest
from billing.subscriptions.state import Loaded, next_period_start


@command
def pause(session: Session, actor: Actor, loaded: Loaded, body: PauseRequest) -> ChangeResult:
    unused = Unused(body.unused or loaded.plan.unused)
    billing_from = (
        next_period_start(loaded.schedule, body.start_date) if unused is Unused.NONE else None
    )
    payload = Paused(resume_date=body.resume_date, unused=unused, billing_from=billing_from)
    return record(
        session,
        loaded,
        actor,
        [Change(body.start_date, payload)],
        reason=body.reason,
        unused=unused,
    )


@command
def resume(session: Session, actor: Actor, loaded: Loaded, body: ResumeRequest) -> ChangeResult:
    earlier = [p for p in loaded.schedule.pauses if p.start <= body.date]
    payload = Resumed(pause_event_id=earlier[-1].event_id if earlier else None)
    return record(session, loaded, actor, [Change(body.date, payload)], reason=body.reason)
