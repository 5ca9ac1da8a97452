"""Queries on follow-up tasks and on subscriptions the scheduler looks at."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.storage.models import Customer, Subscription


def due_for_scheduler(session: Session, *, after: str | None, limit: int) -> list[str]:
    """Subscriptions whose cached status may be stale: everything not yet terminated."""
    q = (
        select(Subscription.id)
        .where(Subscription.status != "terminated")
        .order_by(Subscription.id)
        .limit(limit)
    )
    if after:
        q = q.where(Subscription.id > after)
    return list(session.scalars(q))


def customers_to_recheck(session: Session) -> list[str]:
    """Customers marked passive, and customers with a terminated subscription: the scheduler
    re-checks them whatever their subscriptions' stored status (the test clock may move back
    and forth)."""
    with_ended = select(Subscription.customer_id).where(Subscription.status == "terminated")
    return list(
        session.scalars(
            select(Customer.id)
            .where((Customer.status == "passive") | Customer.id.in_(with_ended))
            .order_by(Customer.id)
        )
    )


def customer_subscriptions(session: Session, customer_id: str) -> list[Subscription]:
    return list(
        session.scalars(select(Subscription).where(Subscription.customer_id == customer_id))
    )


def ended_in(session: Session, *, first: date, last: date) -> list[Subscription]:
    return list(
        session.scalars(
            select(Subscription)
            .where(Subscription.end_date >= first, Subscription.end_date <= last)
            .order_by(Subscription.end_date, Subscription.id)
        )
    )
