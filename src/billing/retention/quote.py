"""The cancellation brief's shape (``GET /v1/subscriptions/{id}/cancellation-quote``)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class QuotedMoney(BaseModel):
    """An amount in minor units, its currency and how it reads to the customer."""

    amount: int = Field(description="Minor units (öre, øre).", examples=[24995])
    currency: str = Field(description="ISO 4217 code.", examples=["SEK"])
    formatted: str = Field(
        description="The amount as the customer's locale writes it.", examples=["249,95 kr"]
    )


class QuotedPeriod(BaseModel):
    """A billing period: first and last day served."""

    start: date = Field(description="The period's first day.")
    end: date = Field(description="The period's last day.")


class QuotedContract(BaseModel):
    """Where the subscription stands in its contract."""

    start: date = Field(description="The contract's first day.")
    current_term_end: date = Field(description="The day the current term ends.")
    months_left: int = Field(description="Whole months left in the current term.")
    days_left: int = Field(description="Days left in the current term.")
    notice_months: int = Field(description="The notice period in months.")
    notice_deadline: date = Field(description="The last day notice can be given for this term.")
    notice_in_time: bool = Field(description="Whether notice given on requested_on is in time.")
    minimum_term_end: date = Field(description="The day the minimum term ends.")
    earliest_with_approval: date = Field(
        description="The earliest end date if the business approves an early end."
    )


class EndingThen(BaseModel):
    """The money of ending on ``end_date``."""

    end_date: date = Field(description="The end date the figures are for.")
    credit_now: QuotedMoney = Field(description="What would be credited at once.")
    still_to_bill: QuotedMoney = Field(description="What would still be billed until then.")


class QuotedAddOn(BaseModel):
    """An add-on active on the subscription."""

    code: str = Field(description="The add-on's code.", examples=["sso"])
    unit_amount: int = Field(description="Its price per unit and period, in minor units.")
    quantity: int = Field(description="How many units.")
    since: date = Field(description="Its first day.")


class RetentionOffers(BaseModel):
    """What staff may offer to keep the customer, within these limits."""

    allowed: bool = Field(description="Whether offers may be made now.")
    refused_because: str | None = Field(
        description="Why not (overdue_balance, already_ended), else null."
    )
    change_interval: bool = Field(description="Whether the billing interval may be changed.")
    postpone_start: bool = Field(description="Whether the start may be postponed.")
    included_addons: list[str] = Field(description="Add-ons that may be attached at no cost.")
    waive_setup_fee: bool = Field(description="Whether a setup fee can be waived.")
    lowest_unit_amount: int | None = Field(
        description="The lowest unit price that may be offered (minor units), if the plan sets one."
    )
    max_licence_reduction: int = Field(description="At most this many licences may be removed.")


class QuotedYear(BaseModel):
    """A contract year: ``[start, end)``."""

    start: date = Field(description="Its first day.")
    end: date = Field(description="The day after its last.")


class QuotedUsage(BaseModel):
    """What the customer used of one metric (docs/usage.md)."""

    metric: str = Field(description="The metric's code.", examples=["health_checks"])
    name: str = Field(description="The metric's name.")
    contract_year: QuotedYear = Field(description="The contract year counted.")
    used_this_contract_year: int = Field(description="Units used this contract year.")
    included_this_contract_year: int | None = Field(
        description="Units included per contract year (null: the metric resets per period)."
    )
    included_per_period: int | None = Field(
        description="Units included per billing period (null: it resets per contract year)."
    )
    ever_used: bool = Field(description="Whether any event of it was ever recorded.")
    last_activity: date | None = Field(description="The last day it was used, if ever.")


class CancellationQuote(BaseModel):
    """What staff see before calling a customer who wants to leave."""

    subscription_id: str = Field(description="The subscription.")
    requested_on: date = Field(description="The day the notice is (or would be) given.")
    status: str = Field(description="The subscription's status today.", examples=["active"])
    licences: int = Field(description="Licences today.")
    unit_amount: QuotedMoney = Field(description="The price per licence and period today.")
    interval_months: int = Field(description="Months per billing period.")
    current_period: QuotedPeriod | None = Field(description="The period today falls in, if any.")
    contract: QuotedContract | None = Field(description="The contract position, if it has one.")
    earliest_allowed_end: date | None = Field(
        description="The earliest end date the rules allow (null once ended)."
    )
    ending_then: EndingThen | None = Field(
        description="The money of ending on earliest_allowed_end (null once ended)."
    )
    unpaid_balance: QuotedMoney = Field(description="What the customer owes in total.")
    overdue_balance: QuotedMoney = Field(
        description="Arrears: what is past its due date, less the credit the customer holds."
    )
    open_amount: QuotedMoney = Field(description="What its invoices still ask.")
    customer_credit: QuotedMoney = Field(description="Credit the customer holds.")
    overdue_invoices: int = Field(description="How many of its invoices are overdue.")
    active_addons: list[QuotedAddOn] = Field(description="The add-ons active today.")
    retention_offers: RetentionOffers = Field(description="What may be offered, and its limits.")
    usage: list[QuotedUsage] = Field(
        description="Per usage metric of the plan: what was used this contract year."
    )
