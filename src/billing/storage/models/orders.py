"""One-off orders: their lines, deliveries and credits (what they invoice and give back is on
the ledger, owned by the order)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from billing.storage.models.base import Base, Json, UTCDateTime


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
    tax_category: Mapped[str] = mapped_column(
        String(20), default="standard", server_default="standard"
    )


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


class OrderCredit(Base):
    """Delivered order lines given back, unique per order by its reference (as deliveries are);
    ``request`` keeps what was asked, so a retry is recognised and a different request under it
    refused. Its credit notes carry ledger entries whose ``event_id`` is this credit's id."""

    __tablename__ = "order_credits"
    __table_args__ = (UniqueConstraint("order_id", "reference"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    reference: Mapped[str] = mapped_column(String(200))
    request: Mapped[dict[str, Any]] = mapped_column(Json)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(200))
