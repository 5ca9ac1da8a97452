from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, StrictBool, StrictInt, model_validator

from billing.domain.choices import CancelMode, Collect, Proration, Unused
from billing.domain.vat import TaxCategory
from billing.plans.schemas import ContractIn
from billing.schemas_common import Amount, Day, Months, Name, Quantity, Request, Text


class SubscriptionCreate(Request):
    customer_id: Name
    plan_id: Name
    quantity: Quantity = 1
    start_date: Day
    unit_amount: Amount | None = None
    billing_anchor_day: StrictInt | None = Field(default=None, ge=1, le=31)
    contract: ContractIn | None = None
    waive_setup_fee: StrictBool = False
    reason: Text | None = None


class CancelRequest(Request):
    mode: CancelMode
    date: Day | None = None
    requested_on: Day | None = None
    reason: Text | None = None
    competitor_offer: StrictBool | None = None
    competitor_details: Text | None = None
    approved_by: Name | None = None
    unused: Unused | None = None

    @model_validator(mode="after")
    def _date_with_on_date(self) -> CancelRequest:
        if self.mode == "on_date" and self.date is None:
            raise ValueError("mode on_date needs a date")
        if self.mode != "on_date" and self.date is not None:
            raise ValueError("date is only given with mode on_date")
        return self


class PauseRequest(Request):
    start_date: Day
    resume_date: Day | None = None
    unused: Unused | None = None
    reason: Text | None = None

    @model_validator(mode="after")
    def _order(self) -> PauseRequest:
        if self.resume_date is not None and self.resume_date <= self.start_date:
            raise ValueError("resume_date must be after start_date")
        return self


class ResumeRequest(Request):
    date: Day
    reason: Text | None = None


class ChangeRequest(Request):
    effective_date: Day
    unit_amount: Amount | None = None
    quantity: Quantity | None = None
    plan_id: Name | None = None
    interval_months: Months | None = None
    proration: Proration | None = None
    unused: Unused | None = None
    collect: Collect | None = Field(
        default=None,
        description="now: its difference on billed periods is invoiced at once; next_invoice: "
        "on the next bill run's documents. Absent: the plan's.",
    )
    reason: Text | None = None

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
