from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, model_validator

from billing.schemas_common import Amount, Currency, Months, Name, Request, Response

MonthsOrZero = Annotated[StrictInt, Field(ge=0, le=120)]


class ContractIn(Request):
    term_months: Months = 36
    minimum_term_months: MonthsOrZero = 12
    notice_months: MonthsOrZero | None = None
    renewal_months: Months = 12
    auto_renew: StrictBool = True
    four_eyes: StrictBool = False


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

    @model_validator(mode="after")
    def _interval(self) -> PlanCreate:
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
    created_at: datetime
