"""What the subscription routes answer: the subscription, its timeline and ledger, and a
change with the money it posted (the requests: :mod:`billing.subscriptions.schemas`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class PeriodOut(BaseModel):
    start: date = Field(description="The period's first day (ISO date).", examples=["2025-04-02"])
    end: date = Field(
        description="The first day after the period (exclusive: [start, end)).",
        examples=["2025-05-02"],
    )


class SubscriptionOut(BaseModel):
    id: str = Field(description="The subscription's id.", examples=["sub_0193a1b2c3d4e5f6a7b8c9d0"])
    customer_id: str = Field(description="Its customer.", examples=["cus_0193a1b2c3d4e5f6a7b8c9d0"])
    plan_id: str = Field(
        description="Its plan (today's, after any change of plan).",
        examples=["plan_0193a1b2c3d4e5f6a7b8c9d0"],
    )
    status: str = Field(
        description=(
            "Today: pending (not started), active, paused, pending_verification (a cancellation "
            "awaits a second person), in_termination (an end date is set), terminated (on and "
            "after the end date)."
        ),
        examples=["active"],
    )
    quantity: int = Field(description="Licences today (or on its last served day).", examples=[5])
    unit_amount: int = Field(
        description="Price per licence and period today, in minor units.", examples=[24995]
    )
    currency: str = Field(description="ISO 4217 code: its customer's.", examples=["SEK"])
    start_date: date = Field(
        description="The first day served (ISO date).", examples=["2025-04-02"]
    )
    end_date: date | None = Field(
        description=(
            "The effective date of the cancellation: the first day not served (the last served "
            "day is the day before); null: no end set."
        ),
        examples=["2025-06-01"],
    )
    pending_end_date: date | None = Field(
        default=None,
        description=(
            "An end date awaiting four-eyes verification (the first day not served); null: none."
        ),
        examples=["2025-06-01"],
    )
    current_period: PeriodOut | None = Field(
        description=(
            "The billing period today falls in; null when there is none (ended, or before the "
            "start)."
        ),
    )
    billing_anchor_day: int = Field(
        description="The day of the month periods are anchored on (1-31).", examples=[2]
    )
    interval_months: int = Field(
        description="The billing period's length in months today.", examples=[1]
    )
    billing_timing: str = Field(description="in_advance or in_arrears.", examples=["in_advance"])
    version: int = Field(
        description=(
            "Its version: send it as If-Match to change it (412 version_conflict when stale)."
        ),
        examples=[3],
    )
    created_at: datetime = Field(
        description="When it was created (UTC timestamp).", examples=["2025-04-02T09:30:00Z"]
    )


class EventOut(BaseModel):
    id: str = Field(description="The event's id.", examples=["ev_0193a1b2c3d4e5f6a7b8c9d0"])
    seq: int = Field(
        description="Its place on the timeline in recording order (1: started).", examples=[1]
    )
    type: str = Field(
        description=(
            "What happened: started, price_changed, quantity_changed, paused, resumed, "
            "cancellation_scheduled, cancellation_revoked, …"
        ),
        examples=["started"],
    )
    effective_date: date = Field(
        description="The day it takes effect, at 00:00 in the customer's time zone (ISO date).",
        examples=["2025-04-02"],
    )
    recorded_at: datetime = Field(
        description="When it was recorded (UTC timestamp).", examples=["2025-04-02T09:30:00Z"]
    )
    recorded_by: str = Field(
        description="Who recorded it (role:person or key, or scheduler).",
        examples=["staff:person_0193a1b2c3d4e5f6a7b8c9d0"],
    )
    reason: str | None = Field(description="Why, as given; null: none.")
    data: dict[str, Any] = Field(
        description=(
            "What the event sets (e.g. unit_amount, quantity, end_date, the cancellation's "
            "answers), by type."
        ),
    )
    revoked_by: str | None = Field(
        default=None,
        description="The event that revoked (undid) it; null: in force.",
    )


class SegmentOut(BaseModel):
    start: date = Field(description="The segment's first day (ISO date).", examples=["2025-04-02"])
    end: date | None = Field(description="The first day after it (exclusive); null: open-ended.")
    state: str = Field(description="active or paused.", examples=["active"])
    unit_amount: int = Field(
        description="Price per licence and period in it, in minor units.", examples=[24995]
    )
    quantity: int = Field(description="Licences in it.", examples=[5])


class TimelineOut(BaseModel):
    subscription_id: str = Field(
        description="The subscription.", examples=["sub_0193a1b2c3d4e5f6a7b8c9d0"]
    )
    events: list[EventOut] = Field(
        description="Every event, in recording order; revoked ones name what revoked them."
    )
    segments: list[SegmentOut] = Field(
        description="The resulting terms over time, half-open [start, end) and in date order."
    )


class ChangeEntryOut(BaseModel):
    """A ledger entry a change posted, or with ``?preview=true`` would post: the same row,
    with the same signs, as ``GET /v1/subscriptions/{id}/ledger`` shows once it is posted."""

    id: str | None = Field(description="The entry's id; null in a preview (nothing is posted).")
    kind: str = Field(
        description="charge, credit, one_off or usage (metered: item usage:<metric>:<tier>)."
    )
    item: str = Field(
        description=(
            "What is billed: main, setup, addon:<code>, usage:<metric>:<tier>, one_off:<event id>."
        ),
        examples=["main"],
    )
    period_start: date = Field(
        description="The billing period's first day (ISO date).", examples=["2025-04-02"]
    )
    period_end: date = Field(
        description="The first day after the billing period (exclusive).", examples=["2025-05-02"]
    )
    service_start: date = Field(
        description="The first day billed (ISO date).", examples=["2025-04-02"]
    )
    service_end: date = Field(
        description="The first day after those billed (exclusive: [service_start, service_end)).",
        examples=["2025-05-02"],
    )
    quantity: int = Field(description="Licences (units) billed.", examples=[5])
    unit_amount: int = Field(
        description="Price per unit and full period, in minor units.", examples=[24995]
    )
    amount: int = Field(
        description=(
            "Minor units with the ledger's sign: a charge is positive, a credit negative "
            "(unlike a credit note's total, which is the positive amount given back)."
        )
    )
    currency: str = Field(description="ISO 4217 code.", examples=["SEK"])
    document_type: str | None = Field(description="invoice or credit_note: where it is billed.")
    document_id: str | None = Field(
        description="The document that carries it; null in a preview (documents have no id yet)."
    )
    event_id: str | None = Field(
        description="The timeline event that posted it; null in a preview."
    )
    credits_entry_id: str | None = Field(
        description="For a credit: the posted entry it gives back (already in the ledger)."
    )
    posted_at: datetime | None = Field(description="When it was posted; null in a preview.")


class LedgerEntryOut(ChangeEntryOut):
    """A posted ledger entry: charges positive, credits negative."""

    id: str = Field(description="The entry's id.", examples=["1042"])
    posted_at: datetime = Field(
        description="When it was posted (UTC timestamp).", examples=["2025-04-02T09:30:00Z"]
    )


class LedgerOut(BaseModel):
    data: list[LedgerEntryOut] = Field(
        description="Every entry posted for the subscription, in posting order."
    )
    balance: int = Field(
        description="The sum of the entries, in minor units (charges less credits).",
        examples=[124975],
    )
    currency: str = Field(description="ISO 4217 code.", examples=["SEK"])
    balance_formatted: str = Field(
        description="The balance in the customer's locale.", examples=["1 249,75 kr"]
    )


class ChangeOut(SubscriptionOut):
    """The subscription after the change, with the money it posted (or would post)."""

    preview: bool = Field(
        default=False,
        description="True with ?preview=true: nothing was committed; ids and numbers are null.",
    )
    entries: list[ChangeEntryOut] = Field(
        default=[],
        description=(
            "The ledger entries the change posted (or would post), in posting order, with the "
            "ledger's signs: charges positive, credits negative. Exactly the rows "
            "GET /v1/subscriptions/{id}/ledger shows afterwards (a preview's bar the fields "
            "only posting gives: id, document_id, event_id, posted_at)."
        ),
    )
    documents: list[dict[str, Any]] = Field(
        default=[],
        description=(
            "The documents issued (or to be issued) for those entries, as GET /v1/invoices/{id} "
            "and GET /v1/credit-notes/{id} show them: a credit note's total and line amounts are "
            "the positive amount given back, the negation of its credit entries' sum. In a "
            "preview id, number and the lines' entry_id are null."
        ),
    )
    event_id: str | None = Field(
        default=None, description="The timeline event the change recorded; null in a preview."
    )
    alternatives: list[dict[str, Any]] | None = Field(
        default=None,
        description="With ?preview=true on a change: what each proration choice would post.",
    )


class SubscriptionPage(BaseModel):
    """A page of subscriptions in id order."""

    data: list[SubscriptionOut] = Field(description="The page's subscriptions.")
    next_cursor: str | None = Field(
        description="The last id when the page came back full: pass it as after for the next "
        "page; null: the list is drained."
    )
