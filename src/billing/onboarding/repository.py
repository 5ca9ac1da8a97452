"""Queries on onboarding flows and their history (their call tasks: :mod:`billing.tasks`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing.errors import NotFound
from billing.storage.models import Customer, Onboarding, OnboardingEvent, Subscription
from billing.storage.rows import Lock, get_row, page_after, rows_where

#: The kind of the follow-up call tasks the flow opens (:mod:`billing.tasks`).
CALL_TASK_KIND = "onboarding_call"


def get(session: Session, subscription_id: str, *, lock: bool = False) -> Onboarding:
    """The flow of a subscription; with ``lock``, locked until commit and read afresh."""
    return get_row(
        session,
        Onboarding,
        subscription_id,
        lock=Lock.UPDATE if lock else None,
        fresh=lock,
        missing=f"subscription {subscription_id} has no onboarding",
    )


def subscription_and_customer(
    session: Session, subscription_id: str
) -> tuple[Subscription, Customer]:
    row = session.execute(
        select(Subscription, Customer)
        .join(Customer, Customer.id == Subscription.customer_id)
        .where(Subscription.id == subscription_id)
    ).first()
    if row is None:
        raise NotFound(f"subscription {subscription_id} not found")
    return row[0], row[1]


def history(session: Session, subscription_id: str) -> list[OnboardingEvent]:
    of_subscription = OnboardingEvent.subscription_id == subscription_id
    return rows_where(session, OnboardingEvent, of_subscription, order_by=[OnboardingEvent.seq])


def next_seq(session: Session, subscription_id: str) -> int:
    last = session.scalar(
        select(func.max(OnboardingEvent.seq)).where(
            OnboardingEvent.subscription_id == subscription_id
        )
    )
    return int(last or 0) + 1


def add(session: Session, rows: Iterable[Onboarding | OnboardingEvent]) -> None:
    session.add_all(list(rows))
    session.flush()


def automated_page(
    session: Session, *, stages: Iterable[str], after: str | None, limit: int
) -> list[str]:
    """Subscriptions whose flow the scheduler may move on, by id (not those with an end date:
    the automation holds for a customer who has given notice)."""
    q = (
        select(Onboarding.subscription_id)
        .join(Subscription, Subscription.id == Onboarding.subscription_id)
        .where(Onboarding.stage.in_(list(stages)), Subscription.end_date.is_(None))
    )
    return page_after(session, q, Onboarding.subscription_id, after=after, limit=limit)
