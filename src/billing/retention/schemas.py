from __future__ import annotations

from pydantic import StrictBool, model_validator

from billing.schemas_common import Amount, Day, Months, Name, Quantity, Request, Text


class RetentionOffer(Request):
    """A set of offers applied together; the pending cancellation is withdrawn."""

    offered_by: Name | None = None
    effective_date: Day | None = None  # default: today (the start of service if pending)
    interval_months: Months | None = None
    postpone_start_to: Day | None = None
    attach_addon: Name | None = None
    waive_setup_fee: StrictBool = False
    unit_amount: Amount | None = None
    quantity: Quantity | None = None
    reason: Text | None = None

    @model_validator(mode="after")
    def _something(self) -> RetentionOffer:
        if (
            self.interval_months is None
            and self.postpone_start_to is None
            and self.attach_addon is None
            and not self.waive_setup_fee
            and self.unit_amount is None
            and self.quantity is None
        ):
            raise ValueError("a retention offer makes at least one offer")
        return self
