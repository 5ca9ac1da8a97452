"""Customers and the plans they can subscribe to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
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
    # The buyer on documents. None of it is required until a document needs it: a domestic
    # consumer needs a name only; a business abroad its country, kind and VAT number.
    #: The seller it buys from; None: the default seller.
    seller_id: Mapped[str | None] = mapped_column(ForeignKey("sellers.id"), nullable=True)
    #: ``business`` or ``consumer``; None: not said (a domestic sale, where it does not matter).
    kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    legal_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    address_line1: Mapped[str | None] = mapped_column(String(200), nullable=True)
    address_line2: Mapped[str | None] = mapped_column(String(200), nullable=True)
    postal_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    city: Mapped[str | None] = mapped_column(String(100), nullable=True)
    #: None: the seller's country.
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    organisation_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    vat_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: The human customer number printed on documents (a series per seller).
    customer_number: Mapped[str | None] = mapped_column(String(40), nullable=True)


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
    #: When a terms change's difference on billed periods is invoiced: ``now`` or
    #: ``next_invoice`` (:class:`billing.domain.choices.Collect`).
    collect: Mapped[str] = mapped_column(String(20), default="now", server_default="now")
    #: VAT category of its subscription (and start-up fee); add-ons carry their own.
    tax_category: Mapped[str] = mapped_column(
        String(20), default="standard", server_default="standard"
    )
    #: Prices (unit, start-up fee, add-ons) include VAT: a consumer price list.
    prices_include_vat: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Billable usage metrics (billing.domain.usage.Metric, as stored): [{"code", "name", ...}].
    usage_metrics: Mapped[list[dict[str, Any]] | None] = mapped_column(Json, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
