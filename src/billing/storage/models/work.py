"""Work around a subscription: onboarding flows with their history, and follow-up tasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from billing.storage.models.base import Base, Json, UTCDateTime


class Onboarding(Base):
    """A subscription's onboarding flow (the licence business's pipeline): its stage, the day
    the current cycle started (welcome or restart) and how many of the cycle's steps are done.
    The scheduler moves it; staff book meetings, park it and record the segment."""

    __tablename__ = "onboardings"

    subscription_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.id"), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    stage: Mapped[str] = mapped_column(String(30), index=True)
    opened_on: Mapped[date] = mapped_column(Date)
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    cycle_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    steps_done: Mapped[int] = mapped_column(Integer, default=0)
    meeting_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    segment: Mapped[str | None] = mapped_column(String(1), nullable=True)
    advisor: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OnboardingEvent(Base):
    """The onboarding history: one row per step or staff action. Append-only."""

    __tablename__ = "onboarding_events"
    __table_args__ = (UniqueConstraint("subscription_id", "seq"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    from_stage: Mapped[str | None] = mapped_column(String(30), nullable=True)
    to_stage: Mapped[str] = mapped_column(String(30))
    effective_date: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(Json)


class Task(Base):
    """A follow-up task (termination routine, onboarding), open until someone completes it."""

    __tablename__ = "tasks"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subscription_id: Mapped[str | None] = mapped_column(
        ForeignKey("subscriptions.id"), index=True, nullable=True
    )
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    source_event_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    kind: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))  # open | done | cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
