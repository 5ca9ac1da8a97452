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

    valid_from: Day
    #: Hundredths of a percent (Riksbank's reference rate 2.00 % is 200).
    reference_rate_bps: StrictInt
    points_bps: StrictInt
    #: Minor units per reminder, within the statute's cap.
    reminder_fee: StrictInt
    fee_needs_agreement: StrictBool = False
    max_fees: StrictInt | None = None
    max_reminders: StrictInt | None = None
    grace_days: StrictInt = 0
    spacing_days: StrictInt = 0
    #: Between businesses, once per invoice (minor units).
    compensation: StrictInt = 0
    source: Text | None = None


class RuleOut(Response):
    valid_from: date
    reference_rate_bps: int
    points_bps: int
    annual_rate_bps: int
    reminder_fee: int
    fee_needs_agreement: bool
    max_fees: int | None
    max_reminders: int | None
    grace_days: int
    spacing_days: int
    compensation: int
    source: str | None


class TableOut(Response):
    country: str
    rules: list[RuleOut]


class SettingIn(Request):
    paused: StrictBool | None = None
    #: Sweden: the contract provides for a reminder fee (påminnelseavgift).
    fee_agreed: StrictBool | None = None


class SettingOut(Response):
    customer_id: str
    paused: bool
    fee_agreed: bool


class DisputeIn(Request):
    reason: Text | None = Field(default=None)


class DisputeOut(Response):
    invoice_id: str
    disputed: bool
    reason: str | None
