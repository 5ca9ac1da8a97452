"""Reminders of overdue invoices: the dated late-payment tables, each reminder sent, the
customers' reminder settings and disputed invoices (:mod:`billing.domain.late_payment`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from billing.storage.models.base import Base, BigInt, UTCDateTime


class LatePaymentRuleRow(Base):
    """One dated row of a country's late-payment table; staff add rows as rates change."""

    __tablename__ = "late_payment_rules"
    __table_args__ = (UniqueConstraint("country", "valid_from"),)

    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    country: Mapped[str] = mapped_column(String(2))
    valid_from: Mapped[date] = mapped_column(Date)
    #: Hundredths of a percent.
    reference_rate: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer)
    reminder_fee: Mapped[int] = mapped_column(BigInteger)
    fee_needs_agreement: Mapped[bool] = mapped_column(Boolean)
    max_fees: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_reminders: Mapped[int | None] = mapped_column(Integer, nullable=True)
    grace_days: Mapped[int] = mapped_column(Integer)
    spacing_days: Mapped[int] = mapped_column(Integer)
    compensation: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(200))


class Reminder(Base):
    """One reminder of one overdue invoice, and the reminder invoice billing its fee,
    compensation and interest (None: nothing to bill)."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("invoice_id", "sequence"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    sent_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    overdue: Mapped[int] = mapped_column(BigInteger)
    fee: Mapped[int] = mapped_column(BigInteger)
    compensation: Mapped[int] = mapped_column(BigInteger)
    interest: Mapped[int] = mapped_column(BigInteger)
    interest_from: Mapped[date] = mapped_column(Date)
    interest_to: Mapped[date] = mapped_column(Date)
    rate: Mapped[int] = mapped_column(Integer)
    charge_invoice_id: Mapped[str | None] = mapped_column(
        ForeignKey("documents.id"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReminderSetting(Base):
    """A customer's reminders: paused by staff; a reminder fee agreed in the contract."""

    __tablename__ = "reminder_settings"

    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    paused: Mapped[bool] = mapped_column(Boolean)
    fee_agreed: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(200))


class InvoiceDispute(Base):
    """An invoice the customer disputes: no reminders while ``resolved_at`` is None."""

    __tablename__ = "invoice_disputes"

    invoice_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_by: Mapped[str] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
