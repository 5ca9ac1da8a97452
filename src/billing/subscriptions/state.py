"""A subscription as a change sees it: its rows, its timeline, and what follows for today.

Every command starts here: :func:`load_for_change` locks the subscription, checks
``If-Match`` against its version and reads its events once; the commands and the recording
path work from the :class:`Loaded` it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import Clock
from billing.customers import repository as customers
from billing.domain import contracts
from billing.domain.calendar import Period
from billing.domain.events import Event
from billing.domain.timeline import Schedule
from billing.errors import VersionConflict
from billing.plans import repository as plans
from billing.storage.models import Customer, Plan, Subscription
from billing.subscriptions import repository


@dataclass(frozen=True, slots=True)
class Loaded:
    subscription: Subscription
    customer: Customer
    plan: Plan
    events: tuple[Event, ...]
    schedule: Schedule
    today: date


def load(
    session: Session, actor: Actor, clock: Clock, subscription_id: str, *, lock: bool = False
) -> Loaded:
    """The subscription (404 for a portal key of another customer) and its timeline."""
    sub = repository.get(session, subscription_id, lock=lock, customer_scope=actor.customer_scope)
    customer = customers.get(session, sub.customer_id)
    plan = plans.get(session, sub.plan_id)
    events = tuple(repository.to_domain(e) for e in repository.events(session, sub.id))
    today = clock.today(session, customer.timezone)
    return Loaded(sub, customer, plan, events, Schedule(events), today)


@dataclass(frozen=True, slots=True)
class Viewed:
    """A subscription as the API shows it (:mod:`billing.subscriptions.views`): its columns,
    its customer's locale, its timeline and the one :class:`Schedule` derived from it, and
    today in the customer's time zone. What a read needs and nothing more: the hot reads make
    it from two Core queries (:func:`view`), a change from what it loaded (:func:`viewed`)."""

    id: str
    customer_id: str
    plan_id: str
    currency: str
    version: int
    created_at: datetime
    locale: str
    events: tuple[Event, ...]
    schedule: Schedule
    today: date


def view(session: Session, actor: Actor, clock: Clock, subscription_id: str) -> Viewed:
    """The subscription for a read (404 for a portal key of another customer): the
    subscription with its customer's time zone and locale in one query, its events in a
    second, one :class:`Schedule`; no ORM objects, no plan (a read shows none of it)."""
    row = repository.read_row(session, subscription_id, customer_scope=actor.customer_scope)
    events = tuple(repository.event_from_row(e) for e in repository.event_rows(session, row.id))
    return Viewed(
        id=row.id,
        customer_id=row.customer_id,
        plan_id=row.plan_id,
        currency=row.currency,
        version=row.version,
        created_at=row.created_at,
        locale=row.locale,
        events=events,
        schedule=Schedule(events),
        today=clock.today(session, row.timezone),
    )


def viewed(loaded: Loaded) -> Viewed:
    """What a change loaded, as a read shows it (the same Schedule, not a second one)."""
    sub = loaded.subscription
    return Viewed(
        id=sub.id,
        customer_id=sub.customer_id,
        plan_id=sub.plan_id,
        currency=sub.currency,
        version=sub.version,
        created_at=sub.created_at,
        locale=loaded.customer.locale,
        events=loaded.events,
        schedule=loaded.schedule,
        today=loaded.today,
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
    version = loaded.subscription.version
    if expected_version is not None and expected_version != version:
        raise VersionConflict(f"subscription is at version {version}, not {expected_version}")
    return loaded


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
