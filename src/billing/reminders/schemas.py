"""Request and response bodies of reminders, late-payment tables, settings and disputes.

Rates and fees arrive as plain integers and are checked by
:func:`billing.domain.late_payment.validate_rule`, so a negative rate or a fee over the cap is
refused with the rule's own problem code (``negative_rate``, ``fee_over_cap``), not a schema
error.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, StrictBool, StrictInt

from billing.schemas_common import Day, Request, Response, Text


class RuleIn(Request):
    """One dated row: in force from ``valid_from`` until the country's next row."""

    valid_from: Day = Field(
        description=(
            "The first day the row is in force (ISO date); it holds until the country's next row."
        ),
        examples=["2025-01-01"],
    )
    #: Hundredths of a percent (Riksbank's reference rate 2.00 % is 200).
    reference_rate_bps: StrictInt = Field(
        description=(
            "The reference rate in hundredths of a percent (Riksbank's 2.00 % is 200; Norway: the"
            " whole rate, with points 0)."
        ),
        examples=[200],
    )
    points_bps: StrictInt = Field(
        description=(
            "Points added to the reference rate, in hundredths of a percent (Sweden and Denmark "
            "800)."
        ),
        examples=[800],
    )
    #: Minor units per reminder, within the statute's cap.
    reminder_fee: StrictInt = Field(
        description="Fee per reminder in minor units, within the statute's cap (Sweden 6000).",
        examples=[6000],
    )
    fee_needs_agreement: StrictBool = Field(
        default=False,
        description="Whether the fee may be charged only where the customer agreed to it (Sweden).",
        examples=[True],
    )
    max_fees: StrictInt | None = Field(
        default=None,
        description=(
            "How many reminders of one invoice may carry a fee (Norway 2, Denmark 3); null: no "
            "limit."
        ),
        examples=[3],
    )
    max_reminders: StrictInt | None = Field(
        default=None,
        description="How many reminders one invoice gets at all (Denmark 3); null: no limit.",
        examples=[3],
    )
    grace_days: StrictInt = Field(
        default=0,
        description="The first reminder is due this many days after the due date.",
        examples=[10],
    )
    spacing_days: StrictInt = Field(
        default=0,
        description=(
            "Later reminders follow at least this many days after the previous one (Denmark 10)."
        ),
        examples=[10],
    )
    #: Between businesses, once per invoice (minor units).
    compensation: StrictInt = Field(
        default=0,
        description=(
            "Fixed compensation between businesses, once per invoice, in minor units (Sweden "
            "45000)."
        ),
        examples=[45000],
    )
    source: Text | None = Field(
        default=None,
        description="Where the row comes from (statute, published rate), for the record.",
    )


class RuleOut(Response):
    valid_from: date = Field(
        description="The first day the row is in force (ISO date).", examples=["2025-01-01"]
    )
    reference_rate_bps: int = Field(
        description="The reference rate in hundredths of a percent.", examples=[200]
    )
    points_bps: int = Field(
        description="Points added to the reference rate, in hundredths of a percent.",
        examples=[800],
    )
    annual_rate_bps: int = Field(
        description=(
            "The annual interest rate: reference rate plus points, in hundredths of a percent."
        ),
        examples=[1000],
    )
    reminder_fee: int = Field(description="Fee per reminder in minor units.", examples=[6000])
    fee_needs_agreement: bool = Field(
        description="Whether the fee may be charged only where the customer agreed to it.",
        examples=[True],
    )
    max_fees: int | None = Field(
        description="How many reminders of one invoice may carry a fee; null: no limit.",
        examples=[3],
    )
    max_reminders: int | None = Field(
        description="How many reminders one invoice gets at all; null: no limit.", examples=[3]
    )
    grace_days: int = Field(
        description="Days after the due date before the first reminder.", examples=[10]
    )
    spacing_days: int = Field(description="Least days between two reminders.", examples=[10])
    compensation: int = Field(
        description="Fixed compensation between businesses, once per invoice, in minor units.",
        examples=[45000],
    )
    source: str | None = Field(description="Where the row comes from; null: not given.")


class TableOut(Response):
    country: str = Field(description="ISO 3166 country code.", examples=["SE"])
    rules: list[RuleOut] = Field(description="Its dated rows, oldest first.")


class SettingIn(Request):
    paused: StrictBool | None = Field(
        default=None,
        description="Whether reminders to this customer are paused; absent: unchanged.",
        examples=[False],
    )
    #: Sweden: the contract provides for a reminder fee (påminnelseavgift).
    fee_agreed: StrictBool | None = Field(
        default=None,
        description=(
            "Whether the contract provides for a reminder fee (Sweden: påminnelseavgift); absent:"
            " unchanged."
        ),
        examples=[True],
    )


class SettingOut(Response):
    customer_id: str = Field(description="The customer.", examples=["cus_0193a1b2c3d4e5f6a7b8c9d0"])
    paused: bool = Field(
        description="Whether reminders to this customer are paused.", examples=[False]
    )
    fee_agreed: bool = Field(
        description="Whether the contract provides for a reminder fee.", examples=[True]
    )


class DisputeIn(Request):
    reason: Text | None = Field(
        default=None, description="What the customer disputes, for the record."
    )


class DisputeOut(Response):
    invoice_id: str = Field(description="The invoice.", examples=["inv_0193a1b2c3d4e5f6a7b8c9d0"])
    disputed: bool = Field(
        description="Whether it is under an open dispute (no reminders while it is).",
        examples=[True],
    )
    reason: str | None = Field(
        description="What the customer disputes; null: not disputed or no reason given."
    )


class ReminderOut(Response):
    """A reminder of one overdue invoice, and the reminder invoice that bills its fee,
    compensation and interest."""

    id: str = Field(description="The reminder's id.", examples=["rem_0193a1b2c3d4e5f6a7b8c9d0"])
    customer_id: str = Field(
        description="The customer reminded.", examples=["cus_0193a1b2c3d4e5f6a7b8c9d0"]
    )
    reminder_id: str = Field(description="The reminder's id again (as the reminder.sent event).")
    invoice_id: str = Field(
        description="The overdue invoice.", examples=["inv_0193a1b2c3d4e5f6a7b8c9d0"]
    )
    sequence: int = Field(description="Which reminder of the invoice (1 first).", examples=[1])
    sent_on: str = Field(description="The day it was sent (ISO date).", examples=["2025-05-12"])
    currency: str = Field(description="ISO 4217 code.", examples=["SEK"])
    overdue: int = Field(description="What was overdue on the invoice, in minor units.")
    fee: int = Field(description="The reminder fee, in minor units (0: none).", examples=[6000])
    compensation: int = Field(
        description="Fixed compensation between businesses, in minor units (0: none)."
    )
    interest: int = Field(description="Late-payment interest, in minor units.", examples=[411])
    interest_from: str = Field(
        description="Interest covers the days [interest_from, interest_to) (ISO date)."
    )
    interest_to: str = Field(description="The first day after those the interest covers.")
    rate_bps: int = Field(
        description="The annual interest rate, in hundredths of a percent.", examples=[1000]
    )
    payment_reference: str | None = Field(
        description="The overdue invoice's payment reference; null: none."
    )
    charge_invoice_id: str | None = Field(
        description="The reminder invoice billing fee, compensation and interest; null: none "
        "(nothing to bill)."
    )
    charge_total: int = Field(description="That invoice's total, in minor units (0: none).")
    charge_payment_reference: str | None = Field(
        description="That invoice's payment reference; null: none."
    )


class ReminderList(Response):
    """Every reminder sent to a customer."""

    data: list[ReminderOut] = Field(description="The reminders, oldest first.")
