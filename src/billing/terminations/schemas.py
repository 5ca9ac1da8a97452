"""What the scheduler and the terminations report answer (``POST /v1/scheduler/run``,
``GET /v1/reports/terminations``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

SUB = "sub_0193a1b2c3d4e5f6a7b8c9d0"


class OnboardingPassOut(BaseModel):
    """What the onboarding pass did."""

    checked: int = Field(description="Onboarding flows looked at.", examples=[3])
    steps: int = Field(description="Steps taken (welcomes, call tasks, stage moves).")
    subscriptions: list[str] = Field(description="The subscriptions whose flow moved on.")


class RemindersPassOut(BaseModel):
    """What the reminder pass did."""

    checked: int = Field(description="Overdue invoices looked at.", examples=[2])
    sent: list[str] = Field(description="The reminders sent, by id.")


class SchedulerRunOut(BaseModel):
    """One scheduler pass: statuses, terminations, passive customers, onboarding, reminders."""

    checked: int = Field(description="Subscriptions looked at.", examples=[12])
    terminated: list[str] = Field(
        description="The subscriptions that became terminated (their end date reached).",
        examples=[[SUB]],
    )
    passive_customers: list[str] = Field(
        description="The customers that became passive (their last subscription ended)."
    )
    onboarding: OnboardingPassOut = Field(description="The onboarding pass.")
    reminders: RemindersPassOut = Field(description="The reminder pass.")


class TerminationRowOut(BaseModel):
    """One subscription that ends in the month, and what it was billed in the end."""

    subscription_id: str = Field(description="The subscription.", examples=[SUB])
    customer_id: str = Field(description="Its customer.", examples=["cus_0193a1b2c3d4e5f6a7b8c9d0"])
    customer_name: str = Field(description="The customer's name.", examples=["Acme AB"])
    end_date: str = Field(
        description="The end date: the first day not served (ISO date).", examples=["2025-03-15"]
    )
    last_served_day: str = Field(
        description="The last day served: the day before the end date.", examples=["2025-03-14"]
    )
    requested_on: str | None = Field(
        description="The day notice was given; null: not recorded.", examples=["2024-09-10"]
    )
    mode: str | None = Field(
        description="How the end was chosen: immediately, end_of_period, on_date or "
        "earliest_allowed; null: not recorded.",
        examples=["earliest_allowed"],
    )
    reason: str | None = Field(description="Why, as recorded; null: none.")
    competitor_offer: bool | None = Field(
        description="Whether a competitor made an offer; null: not asked."
    )
    competitor_details: str | None = Field(description="What the competitor offered; null: none.")
    approved_by: str | None = Field(description="The manager who approved an early end; null.")
    recorded_by: str | None = Field(description="Who recorded the cancellation.")
    recorded_at: str | None = Field(description="When it was recorded (ISO timestamp).")
    verified_by: str | None = Field(
        description="Who verified it (four eyes); null: not verified or not needed."
    )
    currency: str = Field(description="ISO 4217 code.", examples=["SEK"])
    billed: int = Field(description="All it was charged, in minor units.", examples=[299940])
    credited: int = Field(description="All it was given back, in minor units (positive).")
    net: int = Field(description="billed − credited, in minor units.", examples=[274945])


class TerminationsReportOut(BaseModel):
    """Every termination effective in a month, to reconcile against what was billed."""

    month: str = Field(description="The month (YYYY-MM).", examples=["2025-03"])
    generated_on: str = Field(
        description="The service's today (UTC, or the test clock's) when it was made (ISO date)."
    )
    data: list[TerminationRowOut] = Field(description="The terminations, one per subscription.")
