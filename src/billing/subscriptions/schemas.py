from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt, model_validator

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


Proration = Literal["by_day", "from_next_period", "none"]
Unused = Literal["credit_note", "refund", "balance", "none"]


class CancelRequest(Request):
    mode: Literal["immediately", "end_of_period", "on_date", "earliest_allowed"]
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


class LedgerEntryOut(BaseModel):
    id: str
    kind: str
    item: str
    period_start: date
    period_end: date
    service_start: date
    service_end: date
    quantity: int
    unit_amount: int
    amount: int
    currency: str
    document_type: str | None
    document_id: str | None
    event_id: str | None
    credits_entry_id: str | None
    posted_at: datetime


class LedgerOut(BaseModel):
    data: list[LedgerEntryOut]
    balance: int
    currency: str
    balance_formatted: str


class ChangeOut(SubscriptionOut):
    """The subscription after the change, with the money it posted (or would post)."""

    preview: bool = False
    documents: list[dict[str, Any]] = []
    event_id: str | None = None
    #: With ?preview=true on a change: what each proration choice would do to the money.
    alternatives: list[dict[str, Any]] | None = None
