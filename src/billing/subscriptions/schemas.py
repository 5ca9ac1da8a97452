"""Request bodies of subscriptions (their answers: :mod:`billing.subscriptions.responses`)."""

from __future__ import annotations

from pydantic import Field, StrictBool, StrictInt, model_validator

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
    billing_anchor_day: StrictInt | None = Field(
        default=None,
        ge=1,
        le=31,
        description=(
            "The day of the month periods start on (1-31, clamped to short months); absent: the "
            "start date's day."
        ),
        examples=[1],
    )
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
    quantity: Quantity = Field(default=1, description="How many were delivered.", examples=[1])
    tax_category: TaxCategory | None = Field(
        default=None,
        description="Its VAT category (e.g. exempt for a medical health check); "
        "absent: the plan's.",
    )
    reason: Text | None = Field(default=None, description="Why, for the timeline.")


class AddOnAttach(Request):
    code: Name = Field(description="The add-on's code on the plan.", examples=["sso"])
    effective_date: Day = Field(
        description="The first day it is served and billed (ISO date).", examples=["2025-05-02"]
    )
    quantity: Quantity = Field(default=1, description="Units of it.", examples=[1])
    reason: Text | None = Field(default=None, description="Why, for the timeline.")


class AddOnDetach(Request):
    effective_date: Day = Field(
        description="The first day it is no longer served (ISO date).", examples=["2025-06-02"]
    )
    reason: Text | None = Field(default=None, description="Why, for the timeline.")
