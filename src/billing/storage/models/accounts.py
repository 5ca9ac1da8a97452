"""The books: a seller's own accounts where the BAS defaults do not suit it
(:mod:`billing.exports.accounts` defines the keys and the defaults)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from billing.storage.models.base import Base, UTCDateTime


class ChartAccount(Base):
    """One override of a seller's chart: ``key`` (``revenue:standard:2500``, ``plan:<id>``,
    ``addon:<code>``, ``product:<code>``, ...) is booked to ``account`` named ``name``."""

    __tablename__ = "chart_of_accounts"

    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    account: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
