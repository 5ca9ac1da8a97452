"""Sellers: the legal entities documents are issued by (a group sells through one company per
country). Each has its own gapless series of invoices, credit notes and customer numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from billing.storage.models.base import Base, Json, UTCDateTime


class Seller(Base):
    """A legal entity that issues documents. ``number_prefix`` names its series (``""``: the
    plain ``INV``/``CN``); ``is_default`` bills every customer that names no seller of its own."""

    __tablename__ = "sellers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200), nullable=True)
    postal_code: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    organisation_number: Mapped[str] = mapped_column(String(40))
    #: None: not registered for VAT (no VAT is charged, the documents say so).
    vat_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: Sweden: approved for F-tax ("Godkänd för F-skatt").
    f_skatt: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Norway: registered in Foretaksregisteret.
    foretaksregisteret: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: {"bankgiro", "plusgiro", "account", "iban", "bic", "creditor"}: what is set of them.
    bank: Mapped[dict[str, Any]] = mapped_column(Json)
    payment_terms_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    number_prefix: Mapped[str] = mapped_column(String(10), unique=True)
    #: ``ocr``, ``ocr_length``, ``kid_mod10``, ``kid_mod11``, ``fik71``, or None.
    reference_scheme: Mapped[str | None] = mapped_column(String(20), nullable=True)
    reference_prefix: Mapped[str] = mapped_column(String(10), default="")
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
