"""Price, licence, plan and invoice-interval changes, with their money choices.

``by_day``: new terms from the date, the period under way prorated by day.
``from_next_period``: the change takes effect at the next period start (the timeline keeps
the requested date). ``none`` (or ``"unused": "none"``): new terms from the date, but the
period under way is neither charged nor credited: billing follows from the next period.
The same planning serves ``/changes`` and retention offers, so the same change gives the
same money whichever way it is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import Clock
from billing.domain.bounds import check_schedule
from billing.domain.choices import Collect, Proration, Unused
from billing.domain.errors import InvalidInput
from billing.domain.events import (
    IntervalChanged,
    PlanChanged,
    PriceChanged,
    QuantityChanged,
    TermsChange,
)
from billing.domain.ledger import Scope, difference, target_pieces
from billing.domain.rules import check_in_service, refuse_if_ended
from billing.invoicing import repository as ledger_repo
from billing.plans import repository as plans
from billing.subscriptions.recording import Change, ChangeResult, command, record, with_changes
from billing.subscriptions.schemas import ChangeRequest
from billing.subscriptions.state import Loaded, load, next_period_start


@dataclass(frozen=True, slots=True)
class PlannedChange:
    """The events one change request records, with its money choices resolved."""

    effective: date
    changes: list[Change]
    proration: Proration
    unused: Unused
    collect: Collect


@dataclass(frozen=True, slots=True)
class _Choices:
    proration: Proration
    unused: Unused
    collect: Collect
    requested_date: date | None
    billing_from: date | None


def plan_change(
    session: Session,
    loaded: Loaded,
    body: ChangeRequest,
    *,
    proration: Proration | None = None,
    collect: Collect | None = None,
) -> PlannedChange:
    """Validate a change request and work out its events (nothing is recorded).
    ``proration`` and ``collect`` override the request's and the plan's."""
    schedule = loaded.schedule
    refuse_if_ended(schedule, loaded.today)
    check_in_service(schedule, body.effective_date, "the effective date")
    chosen = Proration(proration or body.proration or loaded.plan.proration)
    unused = Unused(body.unused or loaded.plan.unused)
    collect = Collect(collect or body.collect or loaded.plan.collect)
    effective = body.effective_date
    next_start = next_period_start(schedule, effective)
    billing_from: date | None = None
    if chosen is Proration.FROM_NEXT_PERIOD:
        effective = next_start
    elif (chosen is Proration.NONE or unused is Unused.NONE) and next_start != effective:
        billing_from = next_start
    requested = body.effective_date if effective != body.effective_date else None
    choices = _Choices(chosen, unused, collect, requested, billing_from)
    payloads = _payloads(session, loaded, body, choices)
    if not payloads:
        raise InvalidInput("the change changes nothing", code="no_change")
    changes = [Change(effective, p) for p in payloads]
    # The new terms within the bounds (amount_too_large), for quotes and previews too.
    check_schedule(with_changes(loaded, changes), before=schedule)
    return PlannedChange(effective, changes, chosen, unused, collect)


def _payloads(
    session: Session, loaded: Loaded, body: ChangeRequest, c: _Choices
) -> list[TermsChange]:
    common: dict[str, Any] = {
        "proration": c.proration,
        "unused": c.unused,
        "collect": c.collect,
        "requested_date": c.requested_date,
        "billing_from": c.billing_from,
    }
    out: list[TermsChange] = []
    if body.plan_id is not None and body.plan_id != loaded.schedule.plan_id:
        new_plan = plans.get(session, body.plan_id)
        if new_plan.currency != loaded.subscription.currency:
            raise InvalidInput(
                f"plan is in {new_plan.currency}, the subscription in "
                f"{loaded.subscription.currency}",
                code="currency_mismatch",
            )
        unit = body.unit_amount if body.unit_amount is not None else new_plan.unit_amount
        out.append(
            PlanChanged(
                plan_id=new_plan.id,
                unit_amount=unit,
                price_months=new_plan.interval_months,
                **common,
            )
        )
    elif body.unit_amount is not None:
        out.append(PriceChanged(unit_amount=body.unit_amount, **common))
    if body.quantity is not None:
        out.append(QuantityChanged(quantity=body.quantity, **common))
    if body.interval_months is not None:
        out.append(IntervalChanged(interval_months=body.interval_months, **common))
    return out


@command
def change(session: Session, actor: Actor, loaded: Loaded, body: ChangeRequest) -> ChangeResult:
    planned = plan_change(session, loaded, body)
    return record(
        session,
        loaded,
        actor,
        planned.changes,
        reason=body.reason,
        unused=planned.unused,
        post=planned.collect is Collect.NOW,
    )


def proration_alternatives(
    session: Session, actor: Actor, clock: Clock, subscription_id: str, body: ChangeRequest
) -> list[dict[str, Any]]:
    """What each proration choice would do to the money, side by side (for previews): what
    it posts at once, and what the period containing the requested date ends up billed."""
    loaded = load(session, actor, clock, subscription_id)
    # Core rows, not ORM objects: only read here (the change itself reads its own).
    posted = [
        ledger_repo.to_domain(r)
        for r in ledger_repo.posted_entry_rows(session, loaded.subscription.id)
    ]
    keys = {e.key for e in posted}
    day = body.effective_date
    period = loaded.schedule.regime_on(day).grid.period_containing(day)
    out = []
    for choice in Proration:
        planned = plan_change(session, loaded, body, proration=choice)
        schedule = with_changes(loaded, planned.changes)
        now = difference(schedule, posted, as_of=loaded.today, scope=Scope.BILLED)
        target = target_pieces(schedule, as_of=period.start, scope=Scope.DUE, posted_keys=keys)
        period_total = sum(
            p.amount
            for key, pieces in target.items()
            if key[1:] == (period.start, period.end)
            for p in pieces
        )
        out.append(
            {
                "proration": choice.value,
                "effective_date": planned.effective.isoformat(),
                "posts_now": sum(e.amount for e in now),
                "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
                "period_billed": period_total,
            }
        )
    return out
