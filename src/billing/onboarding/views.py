"""What an onboarding flow looks like to its readers: stage, next step, history, open tasks."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from billing.domain import onboarding as rules
from billing.onboarding import repository
from billing.onboarding.history import progress_of, welcome_on_day
from billing.storage.models import Onboarding, Subscription
from billing.tasks import repository as tasks_repo


def view(session: Session, subscription_id: str) -> dict[str, Any]:
    flow = repository.get(session, subscription_id)
    sub, _ = repository.subscription_and_customer(session, subscription_id)
    return flow_out(session, flow, sub)


def flow_out(session: Session, flow: Onboarding, sub: Subscription | None = None) -> dict[str, Any]:
    if sub is None:
        sub, _ = repository.subscription_and_customer(session, flow.subscription_id)
    welcome_on = welcome_on_day(flow, sub)
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
            for t in tasks_repo.open_tasks(
                session, flow.subscription_id, kind=repository.CALL_TASK_KIND
            )
        ],
    }
