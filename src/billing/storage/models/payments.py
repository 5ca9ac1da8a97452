"""Money received and kept: payments against invoices and the customer balance."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from billing.storage.models.base import Base, BigInt, UTCDateTime


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Who recorded it: a person id, else the API key id; null when a worker did.
    recorded_by: Mapped[str | None] = mapped_column(String(40), nullable=True)


class BalanceEntry(Base):
    """The customer balance: credit kept for later invoices. Append-only; the sum per customer
    never goes negative and is in the customer's one currency."""

    __tablename__ = "balance_entries"

    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)  # + kept from a credit note, − applied
    kind: Mapped[str] = mapped_column(String(20))  # "credit_kept" | "applied"
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
