"""Changing subscriptions: every change is a new timeline event, then the ledger follows.

Each mutation locks the subscription, checks ``If-Match`` against its version, validates the
change against the timeline (and the contract rules for cancellations), records one event
(never editing an earlier one), and posts the ledger's difference for periods already billed at
once (domain.md: "a cancellation inside an invoiced period issues its credit note then and
there"). Periods not billed yet wait for bill runs. Services never commit: the caller's unit of
work does (or rolls back, for a preview).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from billing.auth.service import Actor, Role
from billing.clock import Clock, utcnow
from billing.customers import repository as customers
from billing.domain import codec, contracts
from billing.domain.calendar import Period
from billing.domain.errors import AlreadyEnded, InvalidInput, InvalidTimeline
from billing.domain.ledger import Scope, difference, target_pieces
from billing.domain.timeline import EventType, Schedule
from billing.errors import VersionConflict
from billing.events.service import emit
from billing.ids import new_id
from billing.invoicing import repository as ledger_repo
from billing.invoicing.service import Posting, post_entries
from billing.onboarding import service as onboarding
from billing.plans import repository as plans
from billing.storage.models import Customer, Plan, Subscription, TimelineEvent
from billing.subscriptions import repository
from billing.subscriptions.schemas import (
    AddOnAttach,
    AddOnDetach,
    CancelRequest,
    ChangeRequest,
    PauseRequest,
    ResumeRequest,
    SubscriptionCreate,
)
from billing.subscriptions.tasks import sync_tasks


@dataclass(frozen=True, slots=True)
class Loaded:
    subscription: Subscription
    customer: Customer
    plan: Plan
    schedule: Schedule
    today: date


@dataclass(frozen=True, slots=True)
class ChangeResult:
    loaded: Loaded
    event: TimelineEvent | None
    posting: Posting


def load(
    session: Session, actor: Actor, clock: Clock, subscription_id: str, *, lock: bool = False
) -> Loaded:
    sub = repository.get(session, subscription_id, lock=lock)
    actor.check_customer(sub.customer_id, "subscription")
    customer = customers.get(session, sub.customer_id)
    plan = plans.get(session, sub.plan_id)
    schedule = Schedule([repository.to_domain(e) for e in repository.events(session, sub.id)])
    return Loaded(sub, customer, plan, schedule, clock.today(session, customer.timezone))


def current_period(schedule: Schedule, today: date) -> Period | None:
    """The served part of the period containing today (the first period before the start,
    the last one once ended)."""
    end = schedule.end
    if end is not None and end <= schedule.start:
        return None
    ref = max(today, schedule.start)
    if end is not None and ref >= end:
        ref = end - timedelta(days=1)
    regime = schedule.regime_on(ref)
    period = regime.grid.period_containing(ref)
    start = max(period.start, schedule.start, regime.start)
    stop = period.end if end is None else min(period.end, end)
    return Period(start, stop)


def next_period_start(schedule: Schedule, day: date) -> date:
    """The first period boundary on or after ``day`` (``day`` itself when a period starts on
    it): where "from the next period" begins and where "none" starts billing new terms."""
    period = schedule.regime_on(day).grid.period_containing(day)
    return day if period.start == day else period.end


def emit_timeline_event(session: Session, sub: Subscription, event: TimelineEvent) -> None:
    emit(
        session,
        f"subscription.{event.type}",
        customer_id=sub.customer_id,
        subscription_id=sub.id,
        subject_id=event.id,
        data={
            "event_id": event.id,
            "effective_date": event.effective_date.isoformat(),
            "recorded_by": event.recorded_by,
            "reason": event.reason,
            "data": event.data,
        },
    )


def load_for_change(
    session: Session,
    actor: Actor,
    clock: Clock,
    subscription_id: str,
    expected_version: int | None,
) -> Loaded:
    """The subscription locked for a change, refused with 412 if ``If-Match`` is stale."""
    loaded = load(session, actor, clock, subscription_id, lock=True)
    _check_version(loaded.subscription, expected_version)
    return loaded


def _check_version(sub: Subscription, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != sub.version:
        raise VersionConflict(f"subscription is at version {sub.version}, not {expected_version}")


def _record(
    session: Session,
    loaded: Loaded,
    actor: Actor,
    *,
    type_: EventType,
    effective_date: date,
    data: dict[str, Any],
    reason: str | None,
    post: bool = True,
    unused: str = "credit_note",
) -> ChangeResult:
    """Record one event; with ``post``, post the ledger's difference for billed periods."""
    sub = loaded.subscription
    event = TimelineEvent(
        id=new_id("evt"),
        subscription_id=sub.id,
        seq=repository.next_seq(session, sub.id),
        type=type_.value,
        effective_date=effective_date,
        recorded_at=utcnow(),
        recorded_by=actor.name,
        reason=reason,
        data=data,
    )
    repository.add_event(session, event)
    schedule = Schedule([repository.to_domain(e) for e in repository.events(session, sub.id)])
    emit_timeline_event(session, sub, event)
    sub.version += 1
    sub.start_date = schedule.start
    sub.end_date = schedule.end
    sub.status = schedule.status_on(loaded.today).value
    session.flush()
    if type_ in _TERMINATION_EVENTS:
        sync_tasks(session, sub, loaded.plan, schedule)
    if not post:
        after = Loaded(sub, loaded.customer, loaded.plan, schedule, loaded.today)
        return ChangeResult(after, event, Posting([], []))
    posted = ledger_repo.posted_entries(session, sub.id)
    new = difference(
        schedule,
        [ledger_repo.to_domain(r) for r in posted],
        as_of=loaded.today,
        scope=Scope.BILLED,
        cause_event_id=event.id,
    )
    posting = post_entries(
        session, subscription=sub, posted=posted, new=new, issue_date=loaded.today, unused=unused
    )
    after = Loaded(sub, loaded.customer, loaded.plan, schedule, loaded.today)
    return ChangeResult(after, event, posting)


_TERMINATION_EVENTS = frozenset(
    {
        EventType.CANCELLATION_SCHEDULED,
        EventType.CANCELLATION_MOVED,
        EventType.CANCELLATION_REVOKED,
        EventType.CANCELLATION_VERIFIED,
    }
)


# -- creating ----------------------------------------------------------------------------------


def create(session: Session, actor: Actor, clock: Clock, body: SubscriptionCreate) -> ChangeResult:
    actor.require(Role.STAFF)
    customer = customers.get(session, body.customer_id)
    plan = plans.get(session, body.plan_id)
    if plan.currency != customer.currency:
        raise InvalidInput(
            f"plan is in {plan.currency}, customer in {customer.currency}", code="currency_mismatch"
        )
    data: dict[str, Any] = {
        "plan_id": plan.id,
        "unit_amount": body.unit_amount if body.unit_amount is not None else plan.unit_amount,
        "quantity": body.quantity,
        "price_months": plan.interval_months,
        "interval_months": plan.interval_months,
        "billing_timing": plan.billing_timing,
    }
    if body.billing_anchor_day is not None:
        data["anchor_day"] = body.billing_anchor_day
    if plan.setup_fee_amount and not body.waive_setup_fee:
        data["setup_fee_amount"] = plan.setup_fee_amount
    if body.contract is not None:
        # Per-subscription override of the plan's contract terms.
        data["contract"] = body.contract.model_dump()
    today = clock.today(session, customer.timezone)
    sub = Subscription(
        id=new_id("sub"),
        customer_id=customer.id,
        plan_id=plan.id,
        currency=plan.currency,
        version=0,
        status="pending",
        start_date=body.start_date,
        end_date=None,
        created_at=utcnow(),
    )
    session.add(sub)
    session.flush()
    event = TimelineEvent(
        id=new_id("evt"),
        subscription_id=sub.id,
        seq=1,
        type=EventType.STARTED.value,
        effective_date=body.start_date,
        recorded_at=utcnow(),
        recorded_by=actor.name,
        reason=body.reason,
        data=data,
    )
    repository.add_event(session, event)
    emit_timeline_event(session, sub, event)
    schedule = Schedule([repository.to_domain(event)])
    sub.version = 1
    sub.status = schedule.status_on(today).value
    onboarding.open_for(session, sub, actor=actor, today=today)  # domain.md, "Onboarding"
    session.flush()
    return ChangeResult(Loaded(sub, customer, plan, schedule, today), event, Posting([], []))


# -- cancellation ------------------------------------------------------------------------------


def contract_terms(plan: Plan, schedule: Schedule) -> contracts.ContractTerms | None:
    """The subscription's own contract terms if it has them, else the plan's; None: no contract."""
    own = schedule.contract
    if own is not None:
        return contracts.ContractTerms(
            term_months=own.term_months,
            minimum_term_months=own.minimum_term_months,
            notice_months=own.notice_months,
            renewal_months=own.renewal_months,
            auto_renew=own.auto_renew,
        )
    c = plan.contract
    if not c:
        return None
    return contracts.ContractTerms(
        term_months=int(c.get("term_months", 36)),
        minimum_term_months=int(c.get("minimum_term_months", 12)),
        notice_months=c.get("notice_months"),
        renewal_months=int(c.get("renewal_months", 12)),
        auto_renew=bool(c.get("auto_renew", True)),
    )


def resolve_end_date(loaded: Loaded, body: CancelRequest, requested_on: date) -> date:
    schedule, today = loaded.schedule, loaded.today
    if body.mode == "immediately":
        return max(today, schedule.start)
    if body.mode == "end_of_period":
        period = current_period(schedule, today)
        if period is None:
            return schedule.start
        return period.end
    if body.mode == "on_date":
        assert body.date is not None
        return body.date
    terms = contract_terms(loaded.plan, loaded.schedule)
    if terms is None:
        return max(requested_on, schedule.start)
    position = contracts.contract_position(
        terms, contract_start=schedule.start, requested_on=requested_on
    )
    return position.earliest_allowed_end


def cancel(
    session: Session,
    actor: Actor,
    clock: Clock,
    subscription_id: str,
    body: CancelRequest,
    *,
    expected_version: int | None = None,
) -> ChangeResult:
    actor.require(Role.STAFF, Role.PORTAL)
    loaded = load_for_change(session, actor, clock, subscription_id, expected_version)
    schedule, today = loaded.schedule, loaded.today
    refuse_if_ended(schedule, today)
    portal = actor.role is Role.PORTAL
    if portal and (body.requested_on is not None or body.approved_by is not None):
        raise InvalidInput("the portal gives notice today and never with an approval")
    if portal and body.mode not in ("earliest_allowed", "on_date"):
        raise InvalidInput(
            "the portal may cancel at the earliest allowed date or a date the rules allow",
            code="mode_not_allowed",
        )
    if portal and body.unused is not None:
        # What unused paid time becomes (refund, balance, nothing) is the business's choice,
        # the plan's or staff's; a customer must not pick a refund the plan does not give.
        raise InvalidInput("the portal cannot choose what unused time becomes")
    requested_on = body.requested_on or today
    end_date = resolve_end_date(loaded, body, requested_on)
    if end_date < schedule.start:
        raise InvalidInput(
            f"the end date {end_date} is before the start date {schedule.start}",
            code="end_before_start",
        )
    if portal and end_date < today:
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
    data: dict[str, Any] = {
        "mode": body.mode,
        "end_date": end_date.isoformat(),
        "requested_on": requested_on.isoformat(),
        "competitor_offer": body.competitor_offer,
        "competitor_details": body.competitor_details,
        "approved_by": body.approved_by,
    }
    if moving:
        data["previous_end_date"] = schedule.end.isoformat() if schedule.end else None
    if loaded.plan.four_eyes:
        # Four eyes: not final (nor billed) until a different staff member verifies it.
        data["requires_verification"] = True
    unused = body.unused or loaded.plan.unused
    data["unused"] = unused
    return _record(
        session,
        loaded,
        actor,
        type_=EventType.CANCELLATION_MOVED if moving else EventType.CANCELLATION_SCHEDULED,
        effective_date=end_date,
        data=data,
        reason=body.reason,
        unused=unused,
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
    actor.require(Role.STAFF, Role.PORTAL)
    loaded = load_for_change(session, actor, clock, subscription_id, expected_version)
    schedule, today = loaded.schedule, loaded.today
    if schedule.end is None and schedule.pending_end is None:
        raise InvalidTimeline("there is no cancellation to undo", code="not_cancelled")
    refuse_if_ended(schedule, today, why="; it cannot be undone")
    revoked_end = schedule.end or schedule.pending_end
    assert revoked_end is not None
    return _record(
        session,
        loaded,
        actor,
        type_=EventType.CANCELLATION_REVOKED,
        effective_date=max(today, schedule.start) if today < revoked_end else today,
        data={"revoked_end_date": revoked_end.isoformat()},
        reason=reason,
    )


# -- pause and resume --------------------------------------------------------------------------


def refuse_if_ended(schedule: Schedule, today: date, *, why: str = "") -> None:
    """Nothing changes a subscription once it has ended (``already_ended``)."""
    if schedule.has_ended(today):
        raise AlreadyEnded(f"the subscription ended on {schedule.end}{why}")


def _check_open(schedule: Schedule, today: date, day: date, what: str) -> None:
    refuse_if_ended(schedule, today)
    if day < schedule.start:
        raise InvalidInput(
            f"{what} {day} is before the start date {schedule.start}", code="before_start"
        )
    if schedule.end is not None and day >= schedule.end:
        raise InvalidInput(
            f"{what} {day} is on or after the end date {schedule.end}", code="after_end"
        )


def pause(
    session: Session,
    actor: Actor,
    clock: Clock,
    subscription_id: str,
    body: PauseRequest,
    *,
    expected_version: int | None = None,
) -> ChangeResult:
    actor.require(Role.STAFF)
    loaded = load_for_change(session, actor, clock, subscription_id, expected_version)
    schedule = loaded.schedule
    _check_open(schedule, loaded.today, body.start_date, "the pause start")
    for p in schedule.pauses:
        p_end = p.end
        new_end = body.resume_date
        if (p_end is None or body.start_date < p_end) and (new_end is None or p.start < new_end):
            raise InvalidTimeline(
                f"the subscription is already paused from {p.start}"
                + (f" to {p_end}" if p_end else ""),
                code="pause_overlap",
            )
    unused = body.unused or loaded.plan.unused
    data: dict[str, Any] = {
        "resume_date": body.resume_date.isoformat() if body.resume_date else None,
        "unused": unused,
    }
    if unused == "none":
        # The customer keeps paying for the period under way; the pause comes off the bill
        # from the next period on.
        data["billing_from"] = next_period_start(schedule, body.start_date).isoformat()
    return _record(
        session,
        loaded,
        actor,
        type_=EventType.PAUSED,
        effective_date=body.start_date,
        data=data,
        reason=body.reason,
        unused=unused,
    )


def resume(
    session: Session,
    actor: Actor,
    clock: Clock,
    subscription_id: str,
    body: ResumeRequest,
    *,
    expected_version: int | None = None,
) -> ChangeResult:
    actor.require(Role.STAFF)
    loaded = load_for_change(session, actor, clock, subscription_id, expected_version)
    schedule = loaded.schedule
    refuse_if_ended(schedule, loaded.today)
    candidates = [p for p in schedule.pauses if p.start <= body.date]
    if not candidates:
        raise InvalidTimeline(f"no pause starts on or before {body.date}", code="not_paused")
    latest = candidates[-1]
    later = [p for p in schedule.pauses if p.start > latest.start]
    if later and body.date > later[0].start:
        raise InvalidTimeline("the resume date runs into a later pause", code="pause_overlap")
    return _record(
        session,
        loaded,
        actor,
        type_=EventType.RESUMED,
        effective_date=body.date,
        data={"pause_event_id": latest.event_id},
        reason=body.reason,
    )


# -- price, licences, plan and interval --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlannedChange:
    """The events one change request records, with its money choices resolved."""

    effective: date
    events: list[tuple[EventType, dict[str, Any]]]
    proration: str
    unused: str


def plan_change(
    session: Session, loaded: Loaded, body: ChangeRequest, *, proration: str | None = None
) -> PlannedChange:
    """Validate a change request and work out its events (nothing is recorded).

    ``by_day``: new terms from the date, the period under way prorated by day.
    ``from_next_period``: the change takes effect at the next period start (the timeline keeps
    the requested date). ``none`` (or ``"unused": "none"``): new terms from the date, but the
    period under way is neither charged nor credited: billing follows from the next period.
    """
    schedule = loaded.schedule
    _check_open(schedule, loaded.today, body.effective_date, "the effective date")
    changes: list[tuple[EventType, dict[str, Any]]] = []
    if body.plan_id is not None and body.plan_id != schedule.plan_id:
        new_plan = plans.get(session, body.plan_id)
        if new_plan.currency != loaded.subscription.currency:
            raise InvalidInput(
                f"plan is in {new_plan.currency}, the subscription in "
                f"{loaded.subscription.currency}",
                code="currency_mismatch",
            )
        unit = body.unit_amount if body.unit_amount is not None else new_plan.unit_amount
        changes.append(
            (
                EventType.PLAN_CHANGED,
                {
                    "plan_id": new_plan.id,
                    "unit_amount": unit,
                    "price_months": new_plan.interval_months,
                },
            )
        )
    elif body.unit_amount is not None:
        changes.append((EventType.PRICE_CHANGED, {"unit_amount": body.unit_amount}))
    if body.quantity is not None:
        changes.append((EventType.QUANTITY_CHANGED, {"quantity": body.quantity}))
    if body.interval_months is not None:
        changes.append((EventType.INTERVAL_CHANGED, {"interval_months": body.interval_months}))
    if not changes:
        raise InvalidInput("the change changes nothing", code="no_change")
    proration = proration or body.proration or loaded.plan.proration
    unused = body.unused or loaded.plan.unused
    effective = body.effective_date
    next_start = next_period_start(schedule, effective)
    billing_from: date | None = None
    if proration == "from_next_period":
        effective = next_start
    elif (proration == "none" or unused == "none") and next_start != effective:
        billing_from = next_start
    if schedule.end is not None and effective >= schedule.end:
        raise InvalidInput(
            f"the change would take effect on {effective}, on or after the end date {schedule.end}",
            code="after_end",
        )
    for _, data in changes:
        data["proration"] = proration
        data["unused"] = unused
        if effective != body.effective_date:
            data["requested_date"] = body.effective_date.isoformat()
        if billing_from is not None:
            data["billing_from"] = billing_from.isoformat()
    return PlannedChange(effective, changes, proration, unused)


def change(
    session: Session,
    actor: Actor,
    clock: Clock,
    subscription_id: str,
    body: ChangeRequest,
    *,
    expected_version: int | None = None,
) -> ChangeResult:
    actor.require(Role.STAFF)
    loaded = load_for_change(session, actor, clock, subscription_id, expected_version)
    planned = plan_change(session, loaded, body)
    for type_, data in planned.events:
        if type_ is EventType.PLAN_CHANGED:
            loaded.subscription.plan_id = data["plan_id"]
    result: ChangeResult | None = None
    for i, (type_, data) in enumerate(planned.events):
        # The difference is posted once, after the last event: a price and a licence change
        # together bill the old terms, then the new ones, never a mix that never applied.
        result = _record(
            session,
            loaded,
            actor,
            type_=type_,
            effective_date=planned.effective,
            data=data,
            reason=body.reason,
            post=i == len(planned.events) - 1,
            unused=planned.unused,
        )
        loaded = result.loaded
    assert result is not None
    # One change request is one version step for If-Match, however many attributes it sets.
    loaded.subscription.version -= len(planned.events) - 1
    return result


PRORATIONS = ("by_day", "from_next_period", "none")


def proration_alternatives(
    session: Session, actor: Actor, clock: Clock, subscription_id: str, body: ChangeRequest
) -> list[dict[str, Any]]:
    """What each proration choice would do to the money, side by side (for previews): what
    it posts at once, and what the period containing the requested date ends up billed."""
    actor.require(Role.STAFF)
    loaded = load(session, actor, clock, subscription_id)
    events = [repository.to_domain(e) for e in repository.events(session, loaded.subscription.id)]
    posted = [
        ledger_repo.to_domain(r)
        for r in ledger_repo.posted_entries(session, loaded.subscription.id)
    ]
    keys = {e.key for e in posted}
    day = body.effective_date
    period = loaded.schedule.regime_on(day).grid.period_containing(day)
    out = []
    for choice in PRORATIONS:
        planned = plan_change(session, loaded, body, proration=choice)
        last = events[-1]
        hypothetical = [
            replace(
                last,
                id=f"alt{i}",
                seq=last.seq + 1 + i,
                effective_date=planned.effective,
                payload=codec.decode(type_, data),
            )
            for i, (type_, data) in enumerate(planned.events)
        ]
        schedule = Schedule([*events, *hypothetical])
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
                "proration": choice,
                "effective_date": planned.effective.isoformat(),
                "posts_now": sum(e.amount for e in now),
                "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
                "period_billed": period_total,
            }
        )
    return out


# -- add-ons -----------------------------------------------------------------------------------


def plan_addon(plan: Plan, code: str) -> dict[str, Any]:
    for addon in plan.addons or []:
        if addon["code"] == code:
            return addon
    raise InvalidInput(f"the plan offers no add-on {code!r}", code="unknown_addon")


def attach_addon(
    session: Session,
    actor: Actor,
    clock: Clock,
    subscription_id: str,
    body: AddOnAttach,
    *,
    expected_version: int | None = None,
    unit_amount: int | None = None,
) -> ChangeResult:
    actor.require(Role.STAFF)
    loaded = load_for_change(session, actor, clock, subscription_id, expected_version)
    return _attach(session, loaded, actor, body, unit_amount=unit_amount)


def _attach(
    session: Session,
    loaded: Loaded,
    actor: Actor,
    body: AddOnAttach,
    *,
    unit_amount: int | None = None,
) -> ChangeResult:
    schedule = loaded.schedule
    _check_open(schedule, loaded.today, body.effective_date, "the effective date")
    addon = plan_addon(loaded.plan, body.code)
    for active in schedule.addons:
        if active.key == body.code and (active.end is None or active.end > body.effective_date):
            raise InvalidTimeline(f"add-on {body.code} is already attached", code="addon_attached")
    data = {
        "addon_key": body.code,
        "code": body.code,
        "name": addon["name"],
        "unit_amount": addon["unit_amount"] if unit_amount is None else unit_amount,
        "quantity": body.quantity,
        "price_months": loaded.plan.interval_months,
        "included": bool(addon.get("included")),
    }
    return _record(
        session,
        loaded,
        actor,
        type_=EventType.ADDON_ATTACHED,
        effective_date=body.effective_date,
        data=data,
        reason=body.reason,
    )


def detach_addon(
    session: Session,
    actor: Actor,
    clock: Clock,
    subscription_id: str,
    code: str,
    body: AddOnDetach,
    *,
    expected_version: int | None = None,
) -> ChangeResult:
    actor.require(Role.STAFF)
    loaded = load_for_change(session, actor, clock, subscription_id, expected_version)
    schedule = loaded.schedule
    refuse_if_ended(schedule, loaded.today)
    active = [a for a in schedule.addons if a.key == code]
    if not active or (active[0].end is not None and active[0].end <= body.effective_date):
        raise InvalidTimeline(f"add-on {code} is not attached then", code="addon_not_attached")
    if body.effective_date < active[0].start:
        raise InvalidInput(
            "an add-on cannot be detached before it was attached", code="before_start"
        )
    return _record(
        session,
        loaded,
        actor,
        type_=EventType.ADDON_DETACHED,
        effective_date=body.effective_date,
        data={"addon_key": code},
        reason=body.reason,
    )
