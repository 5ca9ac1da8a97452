"""The cancellation brief and retention offers (from the licence business).

Before calling a customer who wants to leave, staff see the time left, licences, price and
interval, the notice deadline, the earliest possible end date and the money of ending then,
the unpaid and overdue balance, active add-ons and the offers they may make, with limits:
change the invoice interval; postpone the start (before start); attach an included add-on;
waive the start-up fee; lower the unit price but never below the plan's floor; reduce
licences by at most 10 %. A customer with overdue invoices gets no offer.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from billing.auth.service import Actor, Role
from billing.clock import Clock, utcnow
from billing.domain import contracts
from billing.domain.errors import InvalidInput, InvalidTimeline
from billing.domain.ledger import Scope, difference, target_pieces, target_total
from billing.domain.money import format_money
from billing.domain.events import CancellationMoved, Event, EventType
from billing.domain.timeline import Schedule
from billing.errors import Conflict
from billing.invoicing import repository as ledger_repo
from billing.invoicing.service import Posting, amount_due
from billing.retention.schemas import RetentionOffer
from billing.subscriptions import repository as subs_repo
from billing.subscriptions.schemas import AddOnAttach
from billing.subscriptions.service import (
    ChangeResult,
    Loaded,
    _attach,
    _record,
    contract_terms,
    current_period,
    load,
    load_for_change,
    refuse_if_ended,
)

#: At most this share of licences may go in one retention offer (10 %).
LICENCE_REDUCTION_LIMIT = (1, 10)


def _balances(session: Session, loaded: Loaded) -> tuple[int, int, int]:
    """(unpaid, overdue, overdue invoice count) of the customer, in minor units."""
    unpaid = overdue = count = 0
    for invoice in ledger_repo.open_invoices(session, loaded.customer.id):
        due = amount_due(session, invoice)
        unpaid += due
        if due > 0 and invoice.due_date is not None and invoice.due_date < loaded.today:
            overdue += due
            count += 1
    return unpaid, overdue, count


def _with_cancellation(schedule_events: list[Event], end: date, today: date) -> Schedule:
    """The timeline as it would be with the subscription ending on ``end``."""
    last = schedule_events[-1]
    extra = replace(
        last,
        id="quote",
        seq=last.seq + 1,
        effective_date=end,
        recorded_at=utcnow(),
        payload=CancellationMoved(end_date=end),
    )
    return Schedule([*schedule_events, extra])


def cancellation_quote(
    session: Session, actor: Actor, clock: Clock, subscription_id: str, *, requested_on: date | None
) -> dict[str, Any]:
    actor.require(Role.STAFF)
    loaded = load(session, actor, clock, subscription_id)
    sub, plan, schedule, today = loaded.subscription, loaded.plan, loaded.schedule, loaded.today
    requested = requested_on or today
    locale, currency = loaded.customer.locale, sub.currency
    ref = max(today, schedule.start)
    terms = schedule.terms_on(ref)
    contract = contract_terms(plan, schedule)
    position = (
        contracts.contract_position(contract, contract_start=schedule.start, requested_on=requested)
        if contract
        else None
    )
    earliest = position.earliest_allowed_end if position else max(requested, schedule.start)

    events = [subs_repo.to_domain(e) for e in subs_repo.events(session, sub.id)]
    posted = [ledger_repo.to_domain(r) for r in ledger_repo.posted_entries(session, sub.id)]
    ending = _with_cancellation(events, earliest, today)
    credit_now = difference(ending, posted, as_of=today, scope=Scope.BILLED)
    horizon = earliest - timedelta(days=1)
    keys = {e.key for e in posted}
    still_to_bill = (
        target_total(target_pieces(ending, as_of=max(horizon, today), posted_keys=keys))
        - sum(e.amount for e in posted)
        - sum(e.amount for e in credit_now)
    )

    unpaid, overdue, overdue_count = _balances(session, loaded)
    period = current_period(schedule, today)
    floor = plan.min_unit_amount
    max_reduction = terms.quantity * LICENCE_REDUCTION_LIMIT[0] // LICENCE_REDUCTION_LIMIT[1]
    offers_allowed = overdue_count == 0

    def money(amount: int) -> dict[str, Any]:
        return {
            "amount": amount,
            "currency": currency,
            "formatted": format_money(amount, currency, locale),
        }

    return {
        "subscription_id": sub.id,
        "requested_on": requested.isoformat(),
        "status": schedule.status_on(today).value,
        "licences": terms.quantity,
        "unit_amount": money(terms.unit_amount),
        "interval_months": schedule.interval_on(ref),
        "current_period": (
            {"start": period.start.isoformat(), "end": period.end.isoformat()} if period else None
        ),
        "contract": (
            {
                "start": position.contract_start.isoformat(),
                "current_term_end": position.current_term_end.isoformat(),
                "months_left": position.months_left,
                "days_left": position.days_left,
                "notice_months": position.notice_months,
                "notice_deadline": position.notice_deadline.isoformat(),
                "notice_in_time": position.notice_in_time,
                "minimum_term_end": position.minimum_term_end.isoformat(),
                "earliest_with_approval": position.earliest_with_approval.isoformat(),
            }
            if position
            else None
        ),
        "earliest_allowed_end": earliest.isoformat(),
        "ending_then": {
            "end_date": earliest.isoformat(),
            "credit_now": money(-sum(e.amount for e in credit_now)),
            "still_to_bill": money(max(0, still_to_bill)),
        },
        "unpaid_balance": money(unpaid),
        "overdue_balance": money(overdue),
        "active_addons": [
            {
                "code": a.code,
                "unit_amount": a.unit_amount,
                "quantity": a.quantity,
                "since": a.start.isoformat(),
            }
            for a in schedule.addons
            # Add-ons end with the subscription.
            if a.start <= ref
            and (a.end is None or a.end > ref)
            and (schedule.end is None or schedule.end > ref)
        ],
        "retention_offers": {
            "allowed": offers_allowed,
            "refused_because": None if offers_allowed else "overdue_balance",
            "change_interval": True,
            "postpone_start": today < schedule.start,
            "included_addons": [a["code"] for a in plan.addons or [] if a.get("included")],
            "waive_setup_fee": schedule.setup_fee > 0,
            "lowest_unit_amount": floor,
            "max_licence_reduction": max_reduction,
        },
    }


def apply_retention_offer(
    session: Session,
    actor: Actor,
    clock: Clock,
    subscription_id: str,
    body: RetentionOffer,
    *,
    expected_version: int | None = None,
) -> ChangeResult:
    actor.require(Role.STAFF)
    loaded = load_for_change(session, actor, clock, subscription_id, expected_version)
    sub, plan, schedule, today = loaded.subscription, loaded.plan, loaded.schedule, loaded.today
    refuse_if_ended(schedule, today)
    _, _, overdue_count = _balances(session, loaded)
    if overdue_count:
        raise Conflict(
            f"the customer has {overdue_count} overdue invoice(s): no retention offer",
            code="overdue_balance",
        )
    effective = body.effective_date or max(today, schedule.start)
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
    if body.postpone_start_to is not None:
        if today >= schedule.start:
            raise InvalidTimeline(
                "the start can only be postponed before it", code="already_started"
            )
        if body.postpone_start_to <= schedule.start:
            raise InvalidInput("postponing moves the start later", code="not_a_postponement")
    if body.attach_addon is not None:
        addon = next((a for a in plan.addons or [] if a["code"] == body.attach_addon), None)
        if addon is None or not addon.get("included"):
            raise InvalidInput(
                f"{body.attach_addon!r} is not an included add-on of the plan",
                code="addon_not_included",
            )
    if body.waive_setup_fee and schedule.setup_fee == 0:
        raise InvalidInput("there is no start-up fee to waive", code="no_setup_fee")

    version = sub.version
    offered_by = body.offered_by or actor.name
    offer = body.model_dump(mode="json", exclude_none=True)
    offer["offered_by"] = offered_by
    # The offer and each of its changes are events; the money is posted once, after the
    # last, so the customer never sees an invoice for a mix of terms that never applied.
    steps: list[tuple[EventType, date, dict[str, Any]]] = []
    if schedule.end is not None or schedule.pending_end is not None:
        steps.append((EventType.CANCELLATION_REVOKED, today, {"by_retention_offer": True}))
    if body.postpone_start_to is not None:
        steps.append((EventType.START_POSTPONED, body.postpone_start_to, {}))
    if body.waive_setup_fee:
        steps.append((EventType.SETUP_FEE_WAIVED, today, {}))
    if body.unit_amount is not None:
        steps.append((EventType.PRICE_CHANGED, effective, {"unit_amount": body.unit_amount}))
    if body.quantity is not None:
        steps.append((EventType.QUANTITY_CHANGED, effective, {"quantity": body.quantity}))
    if body.interval_months is not None:
        steps.append(
            (EventType.INTERVAL_CHANGED, effective, {"interval_months": body.interval_months})
        )
    result = _record(
        session,
        loaded,
        actor,
        type_=EventType.RETENTION_OFFER_MADE,
        effective_date=today,
        data=offer,
        reason=body.reason,
        post=False,
    )
    for i, (type_, day, data) in enumerate(steps):
        last = i == len(steps) - 1 and body.attach_addon is None
        result = _record(
            session,
            result.loaded,
            actor,
            type_=type_,
            effective_date=day,
            data=data,
            reason=body.reason,
            post=last,
        )
    if body.attach_addon is not None:
        result = _attach(
            session,
            result.loaded,
            actor,
            AddOnAttach(code=body.attach_addon, effective_date=effective),
            unit_amount=0,
        )
    documents = list(result.posting.documents)
    entries = list(result.posting.entries)
    # One offer is one version step for If-Match.
    result.loaded.subscription.version = version + 1
    return ChangeResult(result.loaded, result.event, Posting(documents, entries))
