"""Usage events: what the customer's use of the service produced, as reported (append-only).

The client's ``id`` is the event's key: the same id again is the same event (idempotent), never a
second one. ``occurred_on`` is the calendar day of ``occurred_at`` in the customer's time zone,
the day usage is billed on. Rows are never updated or deleted (database triggers refuse it).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from billing.storage.models.base import Base, Json, UTCDateTime


class UsageEvent(Base):
    __tablename__ = "usage_events"
    __table_args__ = (
        # Aggregation reads a subscription's events by day (bill runs, the usage report).
        Index("ix_usage_events_subscription_day", "subscription_id", "occurred_on"),
    )

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.id"))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    metric: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    occurred_on: Mapped[date] = mapped_column(Date)
    properties: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UsageMark(Base):
    """How far a subscription's usage charges are settled (:mod:`billing.usage.bill_run`).

    ``settled_as_of``: the ``as_of`` of the last bill run that posted the subscription's usage
    difference, against its timeline up to event ``timeline_seq``; ``dirty_from``: the earliest
    day of the events stored since then (None: none), and ``version`` counts the writes that
    stored events, so that a run clears only the marks no event was stored under meanwhile.
    Written by every write of events (:func:`billing.usage.repository.insert_events`) and by
    bill runs; no row: the run reads all of the subscription's events."""

    __tablename__ = "usage_marks"

    subscription_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.id"), primary_key=True)
    dirty_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    settled_as_of: Mapped[date | None] = mapped_column(Date, nullable=True)
    timeline_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    version: Mapped[int] = mapped_column(BigInteger)
