from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, StrictBool, StrictInt, model_validator

from billing.domain.choices import CancelMode, Collect, Proration, Unused
from billing.domain.vat import TaxCategory
from billing.plans.schemas import ContractIn
from billing.schemas_common import Amount, Day, Months, Name, Quantity, Request, Text


class SubscriptionCreate(Request):
    customer_id: Name = Field(
        description="The customer who subscribes.", examples=["cus_0193a1b2c3d4e5f6a7b8c9d0"]
    )
    plan_id: Name = Field(
        description="The plan subscribed to.", examples=["plan_0193a1b2c3d4e5f6a7b8c9d0"]
    )
    quantity: Quantity = Field(
        default=1, description="Licences (units billed per period).", examples=[5]
    )
    start_date: Day = Field(description="The first day served.", examples=["2025-04-02"])
    unit_amount: Amount | None = Field(
        default=None,
        description="A price per licence and period in minor units, instead of the plan's.",
        examples=[24995],
    )
    billing_anchor_day: StrictInt | None = Field(default=None, ge=1, le=31)
    contract: ContractIn | None = Field(
        default=None, description="Contract terms instead of the plan's."
    )
    waive_setup_fee: StrictBool = Field(
        default=False, description="Bill no setup fee even if the plan has one.", examples=[False]
    )
    reason: Text | None = Field(default=None, description="Why, for the timeline.")


class CancelRequest(Request):
    mode: CancelMode = Field(
        description=(
            "How the end is chosen: immediately (today), end_of_period (the period under way "
            "ends), on_date (date) or earliest_allowed (the earliest the contract's rules allow "
            "for notice given on requested_on)."
        ),
        examples=["on_date"],
    )
    date: Day | None = Field(
        default=None,
        description="With on_date only: the end date, the first day no longer served.",
        examples=["2025-04-20"],
    )
    requested_on: Day | None = Field(
        default=None,
        description="The day notice was given (default today; staff only).",
        examples=["2025-04-02"],
    )
    reason: Text | None = Field(
        default=None, description="Why, for the timeline.", examples=["Flyttar verksamheten"]
    )
    competitor_offer: StrictBool | None = Field(
        default=None, description="Whether the customer leaves for a competitor's offer."
    )
    competitor_details: Text | None = Field(
        default=None, description="What the competitor offered."
    )
    approved_by: Name | None = Field(
        default=None,
        description=(
            "A manager who approved an early end (waives the notice period, never the minimum "
            "term; staff only)."
        ),
    )
    unused: Unused | None = Field(
        default=None,
        description=(
            "What paid time given back becomes (credit_note, refund, balance); absent: the plan's."
        ),
    )

    @model_validator(mode="after")
    def _date_with_on_date(self) -> CancelRequest:
        if self.mode == "on_date" and self.date is None:
            raise ValueError("mode on_date needs a date")
        if self.mode != "on_date" and self.date is not None:
            raise ValueError("date is only given with mode on_date")
        return self


class PauseRequest(Request):
    start_date: Day = Field(
        description="The first day paused (not billed).", examples=["2025-06-10"]
    )
    resume_date: Day | None = Field(
        default=None,
        description="The day billing resumes; absent: paused until resumed.",
        examples=["2025-06-20"],
    )
    unused: Unused | None = Field(
        default=None,
        description=(
            "What paid time given back becomes (credit_note, refund, balance); absent: the plan's."
        ),
    )
    reason: Text | None = Field(default=None, description="Why, for the timeline.")

    @model_validator(mode="after")
    def _order(self) -> PauseRequest:
        if self.resume_date is not None and self.resume_date <= self.start_date:
            raise ValueError("resume_date must be after start_date")
        return self


class ResumeRequest(Request):
    date: Day = Field(description="The day billing resumes.", examples=["2025-06-20"])
    reason: Text | None = Field(default=None, description="Why, for the timeline.")


class ChangeRequest(Request):
    effective_date: Day = Field(
        description="The day the new terms apply from.", examples=["2025-05-02"]
    )
    unit_amount: Amount | None = Field(
        default=None,
        description="The new price per licence and period, in minor units.",
        examples=[19995],
    )
    quantity: Quantity | None = Field(
        default=None, description="The new number of licences.", examples=[3]
    )
    plan_id: Name | None = Field(default=None, description="A plan to move to.")
    interval_months: Months | None = Field(
        default=None, description="A new billing interval in months.", examples=[12]
    )
    proration: Proration | None = Field(
        default=None,
        description=(
            "How the period under way is treated (by_day, from_next_period, …); absent: the plan's."
        ),
        examples=["by_day"],
    )
    unused: Unused | None = Field(
        default=None,
        description=(
            "What paid time given back becomes (credit_note, refund, balance); absent: the plan's."
        ),
    )
    collect: Collect | None = Field(
        default=None,
        description="now: its difference on billed periods is invoiced at once; next_invoice: "
        "on the next bill run's documents. Absent: the plan's.",
    )
    reason: Text | None = Field(default=None, description="Why, for the timeline.")

    @model_validator(mode="after")
    def _something(self) -> ChangeRequest:
        if (
            self.unit_amount is None
            and self.quantity is None
            and self.plan_id is None
            and self.interval_months is None
        ):
            raise ValueError("a change sets unit_amount, quantity, plan_id or interval_months")
        return self


class OneOffCreate(Request):
    """Something delivered once, charged on delivery on the subscription's invoice."""

    delivered_on: Day = Field(description="The day it was delivered (not after today).")
    description: Name = Field(description="What was delivered, as the invoice line reads.")
    unit_amount: Amount = Field(description="Price per unit in minor units, net.")
    quantity: Quantity = 1
    tax_category: TaxCategory | None = Field(
        default=None,
        description="Its VAT category (e.g. exempt for a medical health check); "
        "absent: the plan's.",
    )
    reason: Text | None = None


class AddOnAttach(Request):
    code: Name
    effective_date: Day
    quantity: Quantity = 1
    reason: Text | None = None


class AddOnDetach(Request):
    effective_date: Day
    reason: Text | None = None


class PeriodOut(BaseModel):
    start: date
    end: date


class SubscriptionOut(BaseModel):
    id: str
    customer_id: str
    plan_id: str
    status: str
    quantity: int
    unit_amount: int
    currency: str
    start_date: date
    end_date: date | None
    pending_end_date: date | None = None
    current_period: PeriodOut | None
    billing_anchor_day: int
    interval_months: int
    billing_timing: str
    version: int
    created_at: datetime


class EventOut(BaseModel):
    id: str
    seq: int
    type: str
    effective_date: date
    recorded_at: datetime
    recorded_by: str
    reason: str | None
    data: dict[str, Any]
    revoked_by: str | None = None


class SegmentOut(BaseModel):
    start: date
    end: date | None
    state: str
    unit_amount: int
    quantity: int


class TimelineOut(BaseModel):
    subscription_id: str
    events: list[EventOut]
    segments: list[SegmentOut]


class ChangeEntryOut(BaseModel):
    """A ledger entry a change posted, or with ``?preview=true`` would post: the same row,
    with the same signs, as ``GET /v1/subscriptions/{id}/ledger`` shows once it is posted."""

    id: str | None = Field(description="The entry's id; null in a preview (nothing is posted).")
    kind: str = Field(
        description="charge, credit, one_off or usage (metered: item usage:<metric>:<tier>)."
    )
    item: str
    period_start: date
    period_end: date
    service_start: date
    service_end: date
    quantity: int
    unit_amount: int
    amount: int = Field(
        description=(
            "Minor units with the ledger's sign: a charge is positive, a credit negative "
            "(unlike a credit note's total, which is the positive amount given back)."
        )
    )
    currency: str
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

    id: str
    posted_at: datetime


class LedgerOut(BaseModel):
    data: list[LedgerEntryOut]
    balance: int
    currency: str
    balance_formatted: str


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
