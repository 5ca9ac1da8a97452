"""Bill runs and their claimable batches."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from billing.storage.models.base import Base, UTCDateTime


class BillRun(Base):
    __tablename__ = "bill_runs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Set once every batch is done; an unfinished run is resumed (or joined) by workers.
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: Who started it: the person or API key through the API, else ``system:bill-run``; its
    #: documents' ``issued_by`` and events' ``actor`` (null for runs from before 0020).
    started_by: Mapped[str | None] = mapped_column(String(40), nullable=True)


class BillRunBatch(Base):
    """One claimable slice of a bill run: the subscriptions with ``first_id <= id < last_id``
    (``None``: unbounded). A worker claims it under a row lock (``FOR UPDATE SKIP LOCKED``) and
    marks it done in the same transaction that posts its documents, so it is done exactly once."""

    __tablename__ = "bill_run_batches"

    bill_run_id: Mapped[str] = mapped_column(ForeignKey("bill_runs.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    first_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    last_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    subscriptions: Mapped[int] = mapped_column(Integer, default=0)
    invoices: Mapped[int] = mapped_column(Integer, default=0)
    credit_notes: Mapped[int] = mapped_column(Integer, default=0)
    entries: Mapped[int] = mapped_column(Integer, default=0)


class BillRunParked(Base):
    """A subscription a bill run could not bill: it was set aside with the problem's ``code`` and
    ``detail`` while the rest of its batch billed. Parking is a record of one run, not a state of
    the subscription: the next run tries it again, and parks it again (a row of its own) if it
    still cannot be billed."""

    __tablename__ = "bill_run_parked"

    bill_run_id: Mapped[str] = mapped_column(ForeignKey("bill_runs.id"), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(
        ForeignKey("subscriptions.id"), primary_key=True, index=True
    )
    #: Keyed by customer like every table a bill run touches (docs/scaling.md).
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    batch_seq: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(80))
    detail: Mapped[str] = mapped_column(Text)
    parked_at: Mapped[datetime] = mapped_column(UTCDateTime())
