"""Creating a subscription: its row and its timeline's first event, ``started``."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import Clock, utcnow
from billing.customers import repository as customers
from billing.domain.bounds import check_schedule
from billing.domain.errors import InvalidInput
from billing.domain.events import BillingTiming, ContractOverride, Event, Started
from billing.domain.timeline import Schedule
from billing.domain.vat import TaxCategory
from billing.ids import new_id
from billing.invoicing.issuing import addon_categories
from billing.invoicing.service import Posting, check_taxable
from billing.onboarding import service as onboarding
from billing.plans import repository as plans
from billing.storage.models import Subscription
from billing.subscriptions import repository
from billing.subscriptions.recording import Change, ChangeResult, append
from billing.subscriptions.schemas import SubscriptionCreate
from billing.subscriptions.state import Loaded


def create(session: Session, actor: Actor, clock: Clock, body: SubscriptionCreate) -> ChangeResult:
    customer = customers.get(session, body.customer_id)
    plan = plans.get(session, body.plan_id)
    if plan.currency != customer.currency:
        raise InvalidInput(
            f"plan is in {plan.currency}, customer in {customer.currency}", code="currency_mismatch"
        )
    started = Started(
        plan_id=plan.id,
        unit_amount=body.unit_amount if body.unit_amount is not None else plan.unit_amount,
        quantity=body.quantity,
        price_months=plan.interval_months,
        interval_months=plan.interval_months,
        billing_timing=BillingTiming(plan.billing_timing),
        anchor_day=body.billing_anchor_day,
        setup_fee_amount=0 if body.waive_setup_fee else plan.setup_fee_amount or 0,
        # Per-subscription override of the plan's contract terms.
        contract=ContractOverride(**body.contract.model_dump()) if body.contract else None,
    )
    check_schedule(Schedule([_first(body.start_date, started)]))  # before anything is written
    check_taxable(
        session,
        customer.id,
        [TaxCategory(plan.tax_category), *addon_categories(plan).values()],
        on=body.start_date,
    )
    today = clock.today(session, customer.timezone)
    sub = Subscription(
        id=new_id("sub"),
        customer_id=customer.id,
        plan_id=plan.id,
        currency=plan.currency,
        version=1,
        status="pending",
        start_date=body.start_date,
        end_date=None,
        created_at=utcnow(),
    )
    session.add(sub)
    session.flush()
    row = append(session, sub, actor, Change(body.start_date, started), seq=1, reason=body.reason)
    schedule = Schedule([repository.to_domain(row)])
    sub.status = schedule.status_on(today).value
    onboarding.open_for(session, sub, actor=actor, today=today)  # domain.md, "Onboarding"
    session.flush()
    loaded = Loaded(sub, customer, plan, tuple([repository.to_domain(row)]), schedule, today)
    return ChangeResult(loaded, row, Posting([], []))


def _first(start_date: date, started: Started) -> Event:
    """The started event as it will be recorded (for the checks made before writing it)."""
    return Event(
        id="pending-1",
        seq=1,
        effective_date=start_date,
        recorded_at=utcnow(),
        recorded_by="",
        payload=started,
    )
