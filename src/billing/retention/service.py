"""Retention offers (from the licence business): what staff may offer a leaving customer.

The offers, with their limits: change the invoice interval; postpone the start (before
start); attach an included add-on; waive the start-up fee; lower the unit price but never
below the plan's floor; reduce licences by at most 10 %. A customer in arrears gets no offer:
one whose account (the same as its statement's, :mod:`billing.domain.overdue`) has an overdue
amount that the customer credit it holds does not cover (``overdue_balance``). Paid invoices,
invoices not yet due, and an overdue amount the credit covers do not stand in the way. The
limits bind offers only; past them, an offer is the ordinary change, recorded through the one
recording path. The brief staff read first is :mod:`billing.retention.brief`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import Clock
from billing.domain.choices import Collect, Unused
from billing.domain.errors import InvalidInput
from billing.domain.events import RetentionOfferMade, SetupFeeWaived, StartPostponed
from billing.domain.rules import refuse_if_ended
from billing.errors import Conflict
from billing.retention.brief import LICENCE_REDUCTION_LIMIT, balances, cancellation_quote
from billing.retention.schemas import RetentionOffer
from billing.subscriptions.addons import attachment
from billing.subscriptions.cancellation import revocation
from billing.subscriptions.changes import plan_change
from billing.subscriptions.recording import Change, ChangeResult, record, with_changes
from billing.subscriptions.schemas import ChangeRequest
from billing.subscriptions.state import Loaded, load_for_change

__all__ = ["LICENCE_REDUCTION_LIMIT", "apply_retention_offer", "balances", "cancellation_quote"]


def apply_retention_offer(
    session: Session,
    actor: Actor,
    clock: Clock,
    subscription_id: str,
    body: RetentionOffer,
    *,
    expected_version: int | None = None,
) -> ChangeResult:
    """Limits checked, then the ordinary changes: the offer, the cancellation withdrawn, and
    each change planned and recorded exactly as ``/changes`` and ``/addons`` would, in one
    request (one version step, the money posted once after the last event)."""
    loaded = load_for_change(session, actor, clock, subscription_id, expected_version)
    schedule, today = loaded.schedule, loaded.today
    refuse_if_ended(schedule, today)
    account = balances(session, loaded)
    if account.arrears:
        raise Conflict(
            f"the customer owes {account.arrears} overdue (minor units, after the credit it "
            f"holds) on {account.overdue_invoices} invoice(s): no retention offer",
            code="overdue_balance",
        )
    offer = RetentionOfferMade(
        offered_by=body.offered_by or actor.name,
        **body.model_dump(exclude={"offered_by"}),
    )
    changes = [Change(today, offer)]
    if schedule.end is not None or schedule.pending_end is not None:
        changes.append(revocation(loaded, by_retention_offer=True))
    if body.postpone_start_to is not None:
        changes.append(Change(body.postpone_start_to, StartPostponed()))
    if body.waive_setup_fee:
        changes.append(Change(today, SetupFeeWaived()))
    # The ordinary change is planned on the timeline as the offer leaves it so far.
    after = replace(loaded, schedule=with_changes(loaded, changes))
    effective = body.effective_date or max(today, after.schedule.start)
    _check_limits(loaded, body, effective)
    unused = Unused(loaded.plan.unused)
    if body.unit_amount is not None or body.quantity is not None or body.interval_months:
        request = ChangeRequest(
            effective_date=effective,
            unit_amount=body.unit_amount,
            quantity=body.quantity,
            interval_months=body.interval_months,
        )
        # An offer's money is posted once, at once (its brief showed it): never collected later.
        planned = plan_change(session, after, request, collect=Collect.NOW)
        changes.extend(planned.changes)
        unused = planned.unused
    if body.attach_addon is not None:
        changes.append(attachment(loaded.plan, body.attach_addon, effective, unit_amount=0))
    return record(session, loaded, actor, changes, reason=body.reason, unused=unused)


def _check_limits(loaded: Loaded, body: RetentionOffer, effective: date) -> None:
    """The limits that bind retention offers (domain.md), not ordinary changes."""
    plan, schedule = loaded.plan, loaded.schedule
    terms = schedule.terms_on(max(effective, schedule.start))
    if body.unit_amount is not None:
        floor = plan.min_unit_amount
        if floor is not None and body.unit_amount < floor:
            raise InvalidInput(
                f"the unit price cannot go below the plan's floor {floor}", code="price_floor"
            )
        if body.unit_amount > terms.unit_amount:
            raise InvalidInput("a retention offer lowers the price", code="not_a_reduction")
    if body.quantity is not None:
        num, den = LICENCE_REDUCTION_LIMIT
        if body.quantity > terms.quantity:
            raise InvalidInput("a retention offer reduces licences", code="not_a_reduction")
        if (terms.quantity - body.quantity) * den > terms.quantity * num:
            raise InvalidInput(
                f"licences may go down by at most 10% ({terms.quantity * num // den} of "
                f"{terms.quantity})",
                code="licence_reduction_limit",
            )
    if body.attach_addon is not None:
        addon = next((a for a in plan.addons or [] if a["code"] == body.attach_addon), None)
        if addon is None or not addon.get("included"):
            raise InvalidInput(
                f"{body.attach_addon!r} is not an included add-on of the plan",
                code="addon_not_included",
            )
