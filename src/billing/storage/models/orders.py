"""One-off orders: their lines, deliveries and the delivered lines as invoiced."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from billing.storage.models.base import Base, BigInt, Json, UTCDateTime


class Order(Base):
    """A one-off order (also of a customer with no subscription). It binds only when delivered:
    each delivery invoices what it delivered; cancelling releases what was not delivered."""

    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(30))
    total: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancelled_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class OrderLine(Base):
    """One ordered service: ``delivered`` and ``cancelled`` count what became of its quantity."""

    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "seq"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    code: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description: Mapped[str] = mapped_column(String(200))
    unit_amount: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(BigInteger)
    delivered: Mapped[int] = mapped_column(BigInteger, default=0)
    cancelled: Mapped[int] = mapped_column(BigInteger, default=0)


class OrderDelivery(Base):
    """A delivery of (part of) an order, unique per order by its reference; ``request`` keeps
    what was asked, so a retry is recognised and a different request under it refused."""

    __tablename__ = "order_deliveries"
    __table_args__ = (UniqueConstraint("order_id", "reference"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    reference: Mapped[str] = mapped_column(String(200))
    delivered_on: Mapped[date] = mapped_column(Date)
    request: Mapped[dict[str, Any]] = mapped_column(Json)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("documents.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(200))


class OrderInvoiceLine(Base):
    """A delivered line as invoiced (order invoices have no ledger entries: those belong to
    subscriptions). Append-only."""

    __tablename__ = "order_invoice_lines"

    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("order_deliveries.id"))
    order_line_id: Mapped[str] = mapped_column(ForeignKey("order_lines.id"))
    code: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description: Mapped[str] = mapped_column(String(200))
    delivered_on: Mapped[date] = mapped_column(Date)
    unit_amount: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
