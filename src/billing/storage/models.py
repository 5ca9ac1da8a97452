"""The database schema as SQLAlchemy models.

The schema itself comes only from Alembic migrations (``alembic/versions``); a test compares
these models with the migrated database. Timeline events and ledger entries are append-only:
no code path updates or deletes them, and database triggers refuse it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always read back timezone-aware (SQLite drops it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


BigInt = BigInteger().with_variant(Integer, "sqlite")
Json = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    pass


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), nullable=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(40), nullable=True)


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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Subscription(Base):
    """A subscription's identity and a cache of what its timeline says (for lists and locks).

    ``version`` counts accepted changes (optimistic concurrency, If-Match). ``status``,
    ``start_date`` and ``end_date`` are derived from the timeline and refreshed with each change.
    """

    __tablename__ = "subscriptions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"))
    currency: Mapped[str] = mapped_column(String(3))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TimelineEvent(Base):
    __tablename__ = "timeline_events"
    __table_args__ = (UniqueConstraint("subscription_id", "seq"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    effective_date: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(Json)


class Document(Base):
    """An invoice or a credit note. Numbers are gapless per series (``INV``, ``CN``)."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("series", "number"),)

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


class OutboxEvent(Base):
    """The event feed (and webhook outbox): one row per thing that happened, numbered under a
    counter lock in commit order, so a reader by ``seq`` never skips or repeats."""

    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(60))
    customer_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    subscription_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    subject_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebhookEndpoint(Base):
    """A receiver of the event feed. ``cursor`` is the last event delivered to it (in order);
    after a failure it is retried from there after ``next_attempt_at`` (backoff)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(200), nullable=True)
    types: Mapped[list[str] | None] = mapped_column(Json, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebhookDelivery(Base):
    """The delivery log: every attempt to deliver one event to one endpoint."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    event_seq: Mapped[int] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(60))
    attempt: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    duration_ms: Mapped[int] = mapped_column(Integer)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DocumentCounter(Base):
    """The last number issued in a series; its row lock makes numbering gapless and ordered."""

    __tablename__ = "document_counters"

    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_number: Mapped[int] = mapped_column(BigInteger)


class LedgerEntry(Base):
    """One posted charge or credit. Append-only; a credit names the charge it gives back."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.id"), index=True)
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


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BillRun(Base):
    __tablename__ = "bill_runs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Set once every batch is done; an unfinished run is resumed (or joined) by workers.
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


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


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"

    actor: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    content_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Task(Base):
    """A follow-up task (termination routine, onboarding), open until someone completes it."""

    __tablename__ = "tasks"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subscription_id: Mapped[str | None] = mapped_column(
        ForeignKey("subscriptions.id"), index=True, nullable=True
    )
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    source_event_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    kind: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))  # open | done | cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class ClockSetting(Base):
    """The test clock's date (one row, id 1), shared by every API worker."""

    __tablename__ = "clock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    today: Mapped[date | None] = mapped_column(Date, nullable=True)


class Onboarding(Base):
    """A subscription's onboarding flow (the licence business's pipeline): its stage, the day
    the current cycle started (welcome or restart) and how many of the cycle's steps are done.
    The scheduler moves it; staff book meetings, park it and record the segment."""

    __tablename__ = "onboardings"

    subscription_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.id"), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    stage: Mapped[str] = mapped_column(String(30), index=True)
    opened_on: Mapped[date] = mapped_column(Date)
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    cycle_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    steps_done: Mapped[int] = mapped_column(Integer, default=0)
    meeting_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    segment: Mapped[str | None] = mapped_column(String(1), nullable=True)
    advisor: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OnboardingEvent(Base):
    """The onboarding history: one row per step or staff action. Append-only."""

    __tablename__ = "onboarding_events"
    __table_args__ = (UniqueConstraint("subscription_id", "seq"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    from_stage: Mapped[str | None] = mapped_column(String(30), nullable=True)
    to_stage: Mapped[str] = mapped_column(String(30))
    effective_date: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(Json)


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


__all__ = [
    "ApiKey",
    "Base",
    "BillRun",
    "BillRunBatch",
    "ClockSetting",
    "BalanceEntry",
    "Customer",
    "OutboxEvent",
    "Document",
    "DocumentCounter",
    "IdempotencyRecord",
    "LedgerEntry",
    "Onboarding",
    "OnboardingEvent",
    "Order",
    "OrderDelivery",
    "OrderInvoiceLine",
    "OrderLine",
    "Payment",
    "Plan",
    "Subscription",
    "Task",
    "WebhookDelivery",
    "WebhookEndpoint",
    "TimelineEvent",
]
