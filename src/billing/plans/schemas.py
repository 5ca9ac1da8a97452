from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BeforeValidator,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    model_validator,
)

from billing.domain.bounds import MAX_QUANTITY
from billing.domain.choices import Collect, Proration, Unused
from billing.domain.usage import Aggregation, Reset, TierMode
from billing.domain.vat import TaxCategory
from billing.schemas_common import Amount, Currency, Months, Name, Request, Response

MonthsOrZero = Annotated[StrictInt, Field(ge=0, le=120)]


class ContractIn(Request):
    term_months: Months = 36
    minimum_term_months: MonthsOrZero = 12
    notice_months: MonthsOrZero | None = None
    renewal_months: Months = 12
    auto_renew: StrictBool = True
    four_eyes: StrictBool = False


class AddOnIn(Request):
    code: Annotated[StrictStr, Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")]
    name: Name
    unit_amount: Amount = 0
    included: StrictBool = False
    #: Its VAT category; None: the plan's.
    tax_category: TaxCategory | None = None

    @model_validator(mode="after")
    def _included_is_free(self) -> AddOnIn:
        if self.included and self.unit_amount != 0:
            raise ValueError("an included add-on costs nothing (unit_amount 0)")
        return self


MetricCode = Annotated[StrictStr, Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")]
UsageUnits = Annotated[StrictInt, Field(ge=0, le=MAX_QUANTITY * 1000)]


class TierIn(Request):
    """Units up to ``up_to`` of the billable quantity (null: the last, open tier)."""

    up_to: Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY * 1000)] | None = Field(
        default=None, description="The last unit of the tier; null: the open last tier."
    )
    unit_amount: Annotated[Amount, Field(description="Price per unit in the tier, in minor units.")]


class MetricIn(Request):
    """A billable usage metric (docs/usage.md)."""

    code: Annotated[MetricCode, Field(description="The metric's code, as usage events name it.")]
    name: Annotated[Name, Field(description="The name documents and the brief show.")]
    aggregation: Annotated[
        Aggregation, Field(description="How events add up: count, sum, max or unique_count.")
    ] = Aggregation.COUNT
    #: unique_count: the event property whose distinct values are counted.
    property: Annotated[
        MetricCode | None,
        Field(description="unique_count: the event property whose distinct values are counted."),
    ] = None
    reset: Annotated[
        Reset,
        Field(
            description="Whether the quantity starts again each billing period or contract year."
        ),
    ] = Reset.BILLING_PERIOD
    included: Annotated[
        UsageUnits,
        Field(description="Units included before any charge, per period or contract year."),
    ] = 0
    unit_amount: Annotated[
        Amount,
        Field(
            description="Price per unit above the included ones, in minor units (without tiers)."
        ),
    ] = 0
    tiers: Annotated[
        list[TierIn], Field(max_length=20, description="Price tiers above the included units.")
    ] = []
    tier_mode: Annotated[
        TierMode,
        Field(
            description="graduated: each tier prices its own units; volume: the tier reached, all."
        ),
    ] = TierMode.GRADUATED
    #: Its VAT category; None: the plan's.
    tax_category: Annotated[
        TaxCategory | None, Field(description="Its VAT category; null: the plan's.")
    ] = None


class TaskTemplateIn(Request):
    kind: Annotated[StrictStr, Field(min_length=1, max_length=60)]
    title: Name
    due_days: Annotated[StrictInt, Field(ge=-365, le=365)] = 0


DEFAULT_TERMINATION_TASKS: list[dict[str, Any]] = [
    {"kind": "deactivate_account", "title": "Deactivate account access", "due_days": 0},
    {"kind": "terminate_sim_cards", "title": "Terminate SIM cards", "due_days": 0},
    {"kind": "revoke_app_access", "title": "Revoke app access", "due_days": 0},
    {"kind": "collect_keys", "title": "Collect keys", "due_days": 14},
]


class PlanCreate(Request):
    code: Name = Field(description="Your unique code for the plan.", examples=["monthly"])
    name: Name = Field(description="The name documents print.", examples=["Digital licens"])
    currency: Currency = Field(description="ISO 4217 code of its prices.", examples=["SEK"])
    unit_amount: Amount = Field(
        description="Price per licence and period, in minor units.", examples=[24995]
    )
    interval: Literal["month", "quarter", "half_year", "year"] = Field(
        description="The billing period's unit.", examples=["month"]
    )
    interval_count: Months = Field(
        default=1, description="How many of interval make one period.", examples=[1]
    )
    billing_timing: Literal["in_advance", "in_arrears"] = Field(
        default="in_advance",
        description="Bill each period at its start (in_advance) or after it (in_arrears).",
        examples=["in_advance"],
    )
    setup_fee_amount: Amount = Field(
        default=0,
        description="A one-off start-up fee in minor units (0: none).",
        examples=[0],
    )
    min_unit_amount: Amount | None = Field(
        default=None, description="The lowest unit price a retention offer may give."
    )
    contract: ContractIn | None = Field(
        default=None,
        description="Contract terms: term, minimum term, notice and renewal, in months.",
    )
    addons: Annotated[
        list[AddOnIn],
        Field(max_length=50, description="Add-ons that may be attached to its subscriptions."),
    ] = []
    termination_tasks: Annotated[list[TaskTemplateIn], Field(max_length=50)] | None = Field(
        default=None, description="Tasks opened when a subscription is given notice."
    )
    four_eyes: StrictBool = Field(
        default=False,
        description="Whether a cancellation needs a second person's verification.",
        examples=[False],
    )
    proration: Proration = Field(
        default=Proration.BY_DAY,
        description="How a change treats the period it falls in, unless the change says.",
        examples=["by_day"],
    )
    unused: Unused = Field(
        default=Unused.CREDIT_NOTE,
        description="What paid time given back becomes, unless the change says.",
        examples=["credit_note"],
    )
    #: When a change's difference on billed periods is invoiced (changes may say otherwise).
    collect: Collect = Field(
        default=Collect.NOW,
        description=(
            "When a change's difference on billed periods is invoiced (now or next_invoice)."
        ),
        examples=["now"],
    )
    #: The VAT category of the subscription and its start-up fee (add-ons may have their own).
    tax_category: TaxCategory = Field(
        default=TaxCategory.STANDARD,
        description="The VAT category of the subscription and its start-up fee.",
        examples=["standard"],
    )
    #: Whether its prices (unit, start-up fee, add-ons) include VAT (a consumer price list).
    prices_include_vat: StrictBool = Field(
        default=False,
        description="Whether its prices include VAT (a consumer price list).",
        examples=[False],
    )
    #: Billable usage metrics, billed in arrears per period (docs/usage.md).
    metrics: Annotated[
        list[MetricIn],
        Field(max_length=20, description="Billable usage metrics, billed in arrears per period."),
    ] = []

    @model_validator(mode="after")
    def _interval(self) -> PlanCreate:
        codes = [a.code for a in self.addons]
        if len(codes) != len(set(codes)):
            raise ValueError("add-on codes are unique within a plan")
        metric_codes = [m.code for m in self.metrics]
        if len(metric_codes) != len(set(metric_codes)):
            raise ValueError("metric codes are unique within a plan")
        if self.interval_months > 120:
            raise ValueError("a plan's interval is at most 120 months")
        if self.min_unit_amount is not None and self.min_unit_amount > self.unit_amount:
            raise ValueError("min_unit_amount cannot exceed unit_amount")
        return self

    @property
    def interval_months(self) -> int:
        per = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}[self.interval]
        return per * self.interval_count


class PlanOut(Response):
    id: str
    code: str
    name: str
    currency: str
    unit_amount: int
    interval_months: int
    billing_timing: str
    setup_fee_amount: int
    min_unit_amount: int | None
    contract: dict[str, object] | None
    addons: list[dict[str, object]] | None
    termination_tasks: list[dict[str, object]] | None
    four_eyes: bool
    proration: str
    unused: str
    collect: str
    tax_category: str
    prices_include_vat: bool
    #: Its billable usage metrics (stored as ``usage_metrics``; none: []).
    metrics: Annotated[list[dict[str, object]], BeforeValidator(lambda v: v or [])] = Field(
        default_factory=list,
        validation_alias=AliasChoices("metrics", "usage_metrics"),
        description="Its billable usage metrics (as created).",
    )
    created_at: datetime
