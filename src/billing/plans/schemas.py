from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, model_validator

from billing.domain.choices import Collect, Proration, Unused
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
    code: Name
    name: Name
    currency: Currency
    unit_amount: Amount
    interval: Literal["month", "quarter", "half_year", "year"]
    interval_count: Months = 1
    billing_timing: Literal["in_advance", "in_arrears"] = "in_advance"
    setup_fee_amount: Amount = 0
    min_unit_amount: Amount | None = None
    contract: ContractIn | None = None
    addons: Annotated[list[AddOnIn], Field(max_length=50)] = []
    termination_tasks: Annotated[list[TaskTemplateIn], Field(max_length=50)] | None = None
    four_eyes: StrictBool = False
    proration: Proration = Proration.BY_DAY
    unused: Unused = Unused.CREDIT_NOTE
    #: When a change's difference on billed periods is invoiced (changes may say otherwise).
    collect: Collect = Collect.NOW
    #: The VAT category of the subscription and its start-up fee (add-ons may have their own).
    tax_category: TaxCategory = TaxCategory.STANDARD
    #: Whether its prices (unit, start-up fee, add-ons) include VAT (a consumer price list).
    prices_include_vat: StrictBool = False

    @model_validator(mode="after")
    def _interval(self) -> PlanCreate:
        codes = [a.code for a in self.addons]
        if len(codes) != len(set(codes)):
            raise ValueError("add-on codes are unique within a plan")
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
    created_at: datetime
