"""People who use the service, and the activity log of what was done through the API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from billing.storage.models.base import Base, UTCDateTime


class Person(Base):
    """A named user: signs in with a login and password, or uses tokens issued to them.
    Never deleted (records keep naming them); ``disabled_at`` ends every token of theirs."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    login: Mapped[str] = mapped_column(String(254), unique=True)  # lower-case e-mail address
    role: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)  # Argon2id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AuditEntry(Base):
    """One write made through the API: who (``actor``: the person, else the key), what
    (``operation``, ``subject_id``), when. Append-only (database triggers refuse the rest);
    ``seq`` is numbered in commit order, so a reader by ``seq`` never skips an entry."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_customer_id", "customer_id", "seq"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    actor: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    operation: Mapped[str] = mapped_column(String(200))  # "POST /v1/customers"
    subject_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    customer_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
