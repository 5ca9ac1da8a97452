"""Cancelling a subscription, moving the end date, and undoing it.

The end date is the first day not served. ``immediately`` ends it today, ``end_of_period`` at
the end of the period under way, ``on_date`` on the given date and ``earliest_allowed`` at the
earliest end the contract's rules allow for a notice given on ``requested_on``; with a
manager's approval that is the earliest end *with* approval (domain.md: an approved early end
waives the notice period, never the minimum term). Every end date passes the contract rules.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from billing.auth.service import Actor, Role
from billing.clock import Clock
from billing.domain import contracts
from billing.domain.choices import CancelMode, Unused
from billing.domain.errors import InvalidInput
from billing.domain.events import (
    CancellationMoved,
    CancellationRevoked,
    CancellationScheduled,
)
from billing.domain.rules import refuse_if_ended
from billing.subscriptions.recording import Change, ChangeResult, command, record
from billing.subscriptions.schemas import CancelRequest
from billing.subscriptions.state import Loaded, contract_terms, current_period, load_for_change


def resolve_end_date(loaded: Loaded, body: CancelRequest, requested_on: date) -> date:
    schedule, today = loaded.schedule, loaded.today
    if body.mode is CancelMode.IMMEDIATELY:
        return max(today, schedule.start)
    if body.mode is CancelMode.END_OF_PERIOD:
        period = current_period(schedule, today)
        return schedule.start if period is None else period.end
    if body.mode is CancelMode.ON_DATE:
        assert body.date is not None
        return body.date
    terms = contract_terms(loaded.plan, loaded.schedule)
    if terms is None:
        return max(requested_on, schedule.start)
    position = contracts.contract_position(
        terms, contract_start=schedule.start, requested_on=requested_on
    )
    if body.approved_by and body.approved_by.strip():  # a blank name is no approval
        return position.earliest_with_approval
    return position.earliest_allowed_end


def _check_portal(actor: Actor, body: CancelRequest) -> None:
    """What a customer may ask for itself (api-contract.md, "Roles")."""
    if actor.role is not Role.PORTAL:
        return
    if body.requested_on is not None or body.approved_by is not None:
        raise InvalidInput("the portal gives notice today and never with an approval")
    if body.mode not in (CancelMode.EARLIEST_ALLOWED, CancelMode.ON_DATE):
        raise InvalidInput(
            "the portal may cancel at the earliest allowed date or a date the rules allow",
            code="mode_not_allowed",
        )
    if body.unused is not None:
        # What unused paid time becomes (refund, balance, nothing) is the business's choice,
        # the plan's or staff's; a customer must not pick a refund the plan does not give.
        raise InvalidInput("the portal cannot choose what unused time becomes")


@command
def cancel(session: Session, actor: Actor, loaded: Loaded, body: CancelRequest) -> ChangeResult:
    schedule, today = loaded.schedule, loaded.today
    refuse_if_ended(schedule, today)
    _check_portal(actor, body)
    requested_on = body.requested_on or today
    end_date = resolve_end_date(loaded, body, requested_on)
    if end_date < schedule.start:
        raise InvalidInput(
            f"the end date {end_date} is before the start date {schedule.start}",
            code="end_before_start",
        )
    if actor.role is Role.PORTAL and end_date < today:
        raise InvalidInput("the portal cannot end a subscription in the past", code="date_in_past")
    terms = contract_terms(loaded.plan, loaded.schedule)
    if terms is not None:
        contracts.check_end_date(
            terms,
            contract_start=schedule.start,
            requested_on=requested_on,
            end_date=end_date,
            approved_by=body.approved_by,
        )
    moving = schedule.end is not None or schedule.pending_end is not None
    unused = Unused(body.unused or loaded.plan.unused)
    kind = CancellationMoved if moving else CancellationScheduled
    payload = kind(
        end_date=end_date,
        mode=body.mode,
        requested_on=requested_on,
        competitor_offer=body.competitor_offer,
        competitor_details=body.competitor_details,
        approved_by=body.approved_by,
        previous_end_date=schedule.end if moving else None,
        # Four eyes: not final (nor billed) until a different staff member verifies it.
        requires_verification=bool(loaded.plan.four_eyes),
        unused=unused,
    )
    return record(
        session, loaded, actor, [Change(end_date, payload)], reason=body.reason, unused=unused
    )


def undo_cancel(
    session: Session,
    actor: Actor,
    clock: Clock,
    subscription_id: str,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> ChangeResult:
    loaded = load_for_change(session, actor, clock, subscription_id, expected_version)
    return record(session, loaded, actor, [revocation(loaded)], reason=reason)


def revocation(loaded: Loaded, *, by_retention_offer: bool = False) -> Change:
    """The undo of the cancellation in force, effective today (the start, if not started)."""
    schedule, today = loaded.schedule, loaded.today
    revoked_end = schedule.end or schedule.pending_end
    effective = max(today, schedule.start) if revoked_end and today < revoked_end else today
    payload = CancellationRevoked(
        revoked_end_date=revoked_end, by_retention_offer=by_retention_offer
    )
    return Change(effective, payload)
