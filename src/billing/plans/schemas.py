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
    term_months: Months = Field(
        default=36, description="The contract term from its start, in months.", examples=[36]
    )
    minimum_term_months: MonthsOrZero = Field(
        default=12,
        description="No end within this many months of the start, even approved (0: none).",
        examples=[12],
    )
    notice_months: MonthsOrZero | None = Field(
        default=None,
        description=(
            "Notice before the term's end, in months; null: the dated notice rules decide (3, or "
            "6 from 2023-10-21 for new customers, 2023-11-21 for existing)."
        ),
        examples=[6],
    )
    renewal_months: Months = Field(
        default=12, description="How long each renewal runs, in months.", examples=[12]
    )
    auto_renew: StrictBool = Field(
        default=True,
        description="Whether the contract renews by itself at the end of each term.",
        examples=[True],
    )
    four_eyes: StrictBool = Field(
        default=False,
        description="Whether a cancellation needs a second person's verification.",
        examples=[False],
    )


class AddOnIn(Request):
    code: Annotated[StrictStr, Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")] = (
        Field(description="The add-on's code, unique within the plan.", examples=["sso"])
    )
    name: Name = Field(description="The name documents print.", examples=["Single sign-on"])
    unit_amount: Amount = Field(
        default=0,
        description="Price per unit and period in minor units (0 for an included add-on).",
        examples=[4900],
    )
    included: StrictBool = Field(
        default=False,
        description="Whether it is included in the plan (free; a retention offer may attach it).",
        examples=[False],
    )
    #: Its VAT category; None: the plan's.
    tax_category: TaxCategory | None = Field(
        default=None, description="Its VAT category; null: the plan's."
    )

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
    kind: Annotated[StrictStr, Field(min_length=1, max_length=60)] = Field(
        description="The task's kind.", examples=["deactivate_access"]
    )
    title: Name = Field(description="What to do, in words.", examples=["Stäng av kontot"])
    due_days: Annotated[StrictInt, Field(ge=-365, le=365)] = Field(
        default=0,
        description="Due this many days after the end date (negative: before it).",
        examples=[0],
    )


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
    id: str = Field(description="The plan's id.", examples=["plan_0193a1b2c3d4e5f6a7b8c9d0"])
    code: str = Field(description="Your unique code for the plan.", examples=["monthly"])
    name: str = Field(description="The name documents print.", examples=["Digital licens"])
    currency: str = Field(description="ISO 4217 code of its prices.", examples=["SEK"])
    unit_amount: int = Field(
        description="Price per licence and period, in minor units.", examples=[24995]
    )
    interval_months: int = Field(
        description="The billing period's length in months (1 month, 3 quarter, 12 year).",
        examples=[1],
    )
    billing_timing: str = Field(
        description="in_advance (billed at the period's start) or in_arrears (after it).",
        examples=["in_advance"],
    )
    setup_fee_amount: int = Field(
        description="The one-off start-up fee in minor units (0: none).", examples=[0]
    )
    min_unit_amount: int | None = Field(
        description="The lowest unit price a retention offer may give; null: no floor.",
        examples=[42900],
    )
    contract: dict[str, object] | None = Field(
        description=(
            "Contract terms (term_months, minimum_term_months, notice_months, renewal_months, "
            "auto_renew, four_eyes); null: none."
        ),
    )
    addons: list[dict[str, object]] | None = Field(
        description=(
            "Add-ons that may be attached (code, name, unit_amount, included, tax_category); "
            "null: none."
        ),
    )
    termination_tasks: list[dict[str, object]] | None = Field(
        description=(
            "Tasks opened when a subscription is given notice (kind, title, due_days); null: none."
        ),
    )
    four_eyes: bool = Field(
        description="Whether a cancellation needs a second person's verification.", examples=[False]
    )
    proration: str = Field(
        description="How a change treats the period it falls in: by_day, from_next_period or none.",
        examples=["by_day"],
    )
    unused: str = Field(
        description="What paid time given back becomes: credit_note, refund, balance or none.",
        examples=["credit_note"],
    )
    collect: str = Field(
        description=(
            "When a change's difference on billed periods is invoiced: now or next_invoice."
        ),
        examples=["now"],
    )
    tax_category: str = Field(
        description="The VAT category of its subscriptions and start-up fee.", examples=["standard"]
    )
    prices_include_vat: bool = Field(
        description="Whether its prices include VAT (a consumer price list).", examples=[False]
    )
    #: Its billable usage metrics (stored as ``usage_metrics``; none: []).
    metrics: Annotated[list[dict[str, object]], BeforeValidator(lambda v: v or [])] = Field(
        default_factory=list,
        validation_alias=AliasChoices("metrics", "usage_metrics"),
        description="Its billable usage metrics (as created).",
    )
    created_at: datetime = Field(
        description="When it was created (UTC timestamp).", examples=["2025-04-02T09:30:00Z"]
    )


class PlanPage(Response):
    """A page of plans in id order."""

    data: list[PlanOut] = Field(description="The page's plans.")
    next_cursor: str | None = Field(
        description="The last id when the page came back full: pass it as after for the next "
        "page; null: the list is drained."
    )
