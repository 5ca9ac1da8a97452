"""Queries on plans."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.errors import NotFound
from billing.storage.models import Plan


def get(session: Session, plan_id: str) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(f"plan {plan_id} not found")
    return plan


def by_code(session: Session, code: str) -> Plan | None:
    return session.scalar(select(Plan).where(Plan.code == code))


def page(session: Session, *, after: str | None, limit: int) -> list[Plan]:
    q = select(Plan).order_by(Plan.id).limit(limit)
    if after:
        q = q.where(Plan.id > after)
    return list(session.scalars(q))
