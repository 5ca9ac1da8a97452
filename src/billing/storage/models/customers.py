"""Customers and the plans they can subscribe to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from billing.storage.models.base import Base, Json, UTCDateTime


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    locale: Mapped[str] = mapped_column(String(20))
    timezone: Mapped[str] = mapped_column(String(64))
    external_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Plan(Base):
    __tablename__ = "plans"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    unit_amount: Mapped[int] = mapped_column(BigInteger)
    interval_months: Mapped[int] = mapped_column(Integer)
    billing_timing: Mapped[str] = mapped_column(String(20))
    setup_fee_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    min_unit_amount: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    contract: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    #: Add-ons offered with the plan: [{"code", "name", "unit_amount", "included"}].
    addons: Mapped[list[dict[str, Any]] | None] = mapped_column(Json, nullable=True)
    #: Follow-up tasks opened at termination: [{"kind", "title", "due_days"}].
    termination_tasks: Mapped[list[dict[str, Any]] | None] = mapped_column(Json, nullable=True)
    four_eyes: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Default money choices of changes on this plan (issue: proration and unused time).
    proration: Mapped[str] = mapped_column(String(20), default="by_day", server_default="by_day")
    unused: Mapped[str] = mapped_column(
        String(20), default="credit_note", server_default="credit_note"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
