"""The database schema as SQLAlchemy models, one module per concept.

The schema itself comes only from Alembic migrations (``alembic/versions``); a test compares
these models with the migrated database. Timeline events and ledger entries are append-only:
no code path updates or deletes them, and database triggers refuse it. Importing this package
registers every table on ``Base.metadata``.
"""

from billing.storage.models.access import ApiKey, ClockSetting, IdempotencyRecord
from billing.storage.models.accounts import ChartAccount
from billing.storage.models.bank import BankAllocation, BankPayment, PaymentFile
from billing.storage.models.base import Base, BigInt, Json, UTCDateTime
from billing.storage.models.bill_runs import BillRun, BillRunBatch, BillRunParked
from billing.storage.models.customers import Customer, Plan
from billing.storage.models.feed import OutboxEvent, WebhookDelivery, WebhookEndpoint
from billing.storage.models.ledger import (
    Document,
    DocumentCounter,
    LedgerEntry,
    LedgerSettlement,
)
from billing.storage.models.orders import Order, OrderCredit, OrderDelivery, OrderLine
from billing.storage.models.payments import BalanceEntry, Payment
from billing.storage.models.people import AuditEntry, Person
from billing.storage.models.reminders import (
    InvoiceDispute,
    LatePaymentRuleRow,
    Reminder,
    ReminderSetting,
)
from billing.storage.models.sellers import Seller
from billing.storage.models.subscriptions import Subscription, TimelineEvent
from billing.storage.models.usage import UsageEvent, UsageMark
from billing.storage.models.work import Onboarding, OnboardingEvent, Task

__all__ = [
    "ApiKey",
    "AuditEntry",
    "BalanceEntry",
    "BankAllocation",
    "BankPayment",
    "Base",
    "BigInt",
    "BillRun",
    "BillRunBatch",
    "BillRunParked",
    "ChartAccount",
    "ClockSetting",
    "Customer",
    "Document",
    "DocumentCounter",
    "IdempotencyRecord",
    "InvoiceDispute",
    "Json",
    "LatePaymentRuleRow",
    "LedgerEntry",
    "LedgerSettlement",
    "Onboarding",
    "OnboardingEvent",
    "Order",
    "OrderDelivery",
    "OrderCredit",
    "OrderLine",
    "OutboxEvent",
    "Payment",
    "PaymentFile",
    "Person",
    "Plan",
    "Reminder",
    "ReminderSetting",
    "Seller",
    "Subscription",
    "Task",
    "TimelineEvent",
    "UTCDateTime",
    "UsageEvent",
    "UsageMark",
    "WebhookDelivery",
    "WebhookEndpoint",
]
