from __future__ import annotations

from pydantic import Field, StrictBool, model_validator

from billing.schemas_common import Amount, Day, Months, Name, Quantity, Request, Text


class RetentionOffer(Request):
    """A set of offers applied together; the pending cancellation is withdrawn."""

    offered_by: Name | None = Field(
        default=None, description="Who made the offer; absent: the caller.", examples=["Anna Berg"]
    )
    effective_date: Day | None = Field(
        default=None,
        description=(
            "The day the offer's changes apply from (ISO date); absent: today (the start of "
            "service if pending)."
        ),
        examples=["2025-05-02"],
    )
    interval_months: Months | None = Field(
        default=None, description="A new invoice interval in months.", examples=[12]
    )
    postpone_start_to: Day | None = Field(
        default=None,
        description="A later start date, before the subscription has started (ISO date).",
        examples=["2025-06-01"],
    )
    attach_addon: Name | None = Field(
        default=None, description="The code of an included add-on to attach.", examples=["sso"]
    )
    waive_setup_fee: StrictBool = Field(
        default=False, description="Waive the start-up fee.", examples=[False]
    )
    unit_amount: Amount | None = Field(
        default=None,
        description=(
            "A lower price per licence and period, in minor units, never below the plan's floor "
            "(price_floor)."
        ),
        examples=[42900],
    )
    quantity: Quantity | None = Field(
        default=None,
        description="Fewer licences, at most 10 % fewer (licence_reduction_limit).",
        examples=[9],
    )
    reason: Text | None = Field(default=None, description="Why, for the timeline.")

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
