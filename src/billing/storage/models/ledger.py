"""What was billed: ledger entries, and the invoices and credit notes (documents) that carry them,
numbered gaplessly per series."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from billing.storage.models.base import Base, BigInt, Json, UTCDateTime


class Document(Base):
    """An invoice or a credit note. Numbers are gapless per series (``INV``, ``CN``)."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("series", "number"),
        Index(
            "uq_documents_seller_id_payment_reference",
            "seller_id",
            "payment_reference",
            unique=True,
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    type: Mapped[str] = mapped_column(String(20))
    series: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    subscription_id: Mapped[str | None] = mapped_column(
        ForeignKey("subscriptions.id"), index=True, nullable=True
    )
    invoice_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), nullable=True)
    bill_run_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    total: Mapped[int] = mapped_column(BigInteger)
    amount_paid: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Customer balance (credit kept from earlier credit notes) consumed by this invoice.
    balance_applied: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # VAT and the parties, as issued (documents issued before VAT: net = total, no VAT).
    seller_id: Mapped[str | None] = mapped_column(ForeignKey("sellers.id"), nullable=True)
    net_total: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    vat_total: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    #: [{"code", "rate", "inclusive", "lines", "taxable", "vat"}]: one row per tax.
    vat_breakdown: Mapped[list[dict[str, Any]] | None] = mapped_column(Json, nullable=True)
    #: {"seller": {...}, "buyer": {...}, "treatment"}: who issued it to whom, as it was then.
    parties: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    payment_reference: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: Who issued it: a person id, else the API key id; null for the scheduler's bill runs.
    issued_by: Mapped[str | None] = mapped_column(String(40), nullable=True)


class DocumentCounter(Base):
    """The last number issued in a series; its row lock makes numbering gapless and ordered."""

    __tablename__ = "document_counters"

    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_number: Mapped[int] = mapped_column(BigInteger)


class LedgerEntry(Base):
    """One posted charge or credit. Append-only; a credit names the charge it gives back.

    Each entry has one owner: a subscription, or a one-off order (``order_id``; its delivered
    lines and their credits, each naming its ``order_line_id`` and carrying the line's
    ``description``; ``event_id`` is the delivery or credit that posted it)."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(
            "(subscription_id IS NULL) <> (order_id IS NULL)", name="ledger_entries_one_owner"
        ),
        # Derivations read a subscription's entries from a settlement point on.
        Index("ix_ledger_entries_subscription_period_end", "subscription_id", "period_end"),
    )

    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str | None] = mapped_column(
        ForeignKey("subscriptions.id"), index=True, nullable=True
    )
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), index=True, nullable=True)
    order_line_id: Mapped[str | None] = mapped_column(ForeignKey("order_lines.id"), nullable=True)
    description: Mapped[str | None] = mapped_column(String(200), nullable=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    item: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    service_start: Mapped[date] = mapped_column(Date)
    service_end: Mapped[date] = mapped_column(Date)
    unit_amount: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(BigInteger)
    period_amount: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    event_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    credits_entry_id: Mapped[int | None] = mapped_column(
        BigInt, ForeignKey("ledger_entries.id"), nullable=True
    )
    document_type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), nullable=True)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: How it was taxed (:class:`billing.domain.vat.LineTax`); None: posted before VAT.
    tax_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    vat_rate: Mapped[int | None] = mapped_column(Integer, nullable=True)
    vat_inclusive: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class LedgerSettlement(Base):
    """How far a subscription's ledger is settled: every period ending on or before
    ``settled_through`` is billed as the timeline up to event ``timeline_seq`` says
    (:mod:`billing.domain.settlement`). Derivations start there; no row: from the start."""

    __tablename__ = "ledger_settlements"

    subscription_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.id"), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    settled_through: Mapped[date] = mapped_column(Date)
    timeline_seq: Mapped[int] = mapped_column(Integer)
