"""Bank files imported and the payments they carried (:mod:`billing.payments`).

A file is kept once (``sha256`` and ``file_key``, its own identifiers, are unique) with the
answer its import gave, so that importing it again answers the same. Each payment of a file is
a ``bank_payments`` row and each use of its money a ``bank_allocations`` row (to an invoice as a
payment, the excess as customer credit); what is not allocated waits for staff. Both are
append-only: what a payment still holds is its amount less its allocations.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from billing.storage.models.base import Base, BigInt, Json, UTCDateTime


class PaymentFile(Base):
    __tablename__ = "payment_files"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    format: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    #: The file's own identifiers, e.g. ``bgmax:20040525173035010331``.
    file_key: Mapped[str] = mapped_column(String(200), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payment_count: Mapped[int] = mapped_column(Integer)
    total_amount: Mapped[int] = mapped_column(BigInteger)
    #: The import's answer, given again to every later import of the same file.
    result: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)


class BankPayment(Base):
    """One payment (or deduction) of a file, as the file reported it. Append-only."""

    __tablename__ = "bank_payments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    file_id: Mapped[str] = mapped_column(ForeignKey("payment_files.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    location: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))  # "payment" | "deduction"
    #: The references as the file has them, blank-separated (None: none given).
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    paid_on: Mapped[date] = mapped_column(Date)
    payer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: The account the file says was paid (``bankgiro:9912346``), and whose it is.
    receiver: Mapped[str | None] = mapped_column(String(80), nullable=True)
    seller_id: Mapped[str | None] = mapped_column(ForeignKey("sellers.id"), nullable=True)
    #: Why the import left (some of) it unallocated: ``unknown_reference`` and so on.
    reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BankAllocation(Base):
    """Money of a bank payment put to an invoice: ``paid`` as a payment on it (``payment_id``),
    ``credit`` kept as its customer's credit. Append-only."""

    __tablename__ = "bank_allocations"

    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    bank_payment_id: Mapped[str] = mapped_column(ForeignKey("bank_payments.id"), index=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    payment_id: Mapped[str | None] = mapped_column(ForeignKey("payments.id"), nullable=True)
    paid: Mapped[int] = mapped_column(BigInteger)
    credit: Mapped[int] = mapped_column(BigInteger)
    #: ``import`` (matched by reference) or ``staff`` (allocated from the queue).
    allocated_by: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
