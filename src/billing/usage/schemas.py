"""What the usage API takes and answers (api/usage.md has the rules in words)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, NotRequired

from pydantic import (
    AfterValidator,
    AwareDatetime,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    TypeAdapter,
    with_config,
)
from typing_extensions import TypedDict

from billing.domain.calendar import MAX_DATE, MIN_DATE
from billing.schemas_common import Request, Response, has_control

#: Events per request (api-contract: bounded batches).
MAX_BATCH = 1000
#: One event's quantity (a day's use of anything we bill is far below it).
MAX_USAGE_QUANTITY = 1_000_000

EventId = Annotated[StrictStr, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]
Code = Annotated[StrictStr, Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")]


def _within_bounds(moment: datetime) -> datetime:
    day = moment.astimezone(UTC).date()
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError(f"occurred_at must be between {MIN_DATE} and {MAX_DATE}")
    return moment


#: A timestamp with its offset (``2025-03-04T09:30:00+01:00``): without one it is refused.
Moment = Annotated[AwareDatetime, AfterValidator(_within_bounds)]


def _small_properties(value: dict[str, Any]) -> dict[str, Any]:
    if len(value) > 20:
        raise ValueError("at most 20 properties")
    for key, v in value.items():
        if len(key) > 60 or not isinstance(v, str | int | bool) or isinstance(v, float):
            raise ValueError("properties are at most 20 strings, integers or booleans")
        if isinstance(v, str) and len(v) > 200:
            raise ValueError(f"property {key!r} is longer than 200 characters")
    return value


UsageQuantity = Annotated[StrictInt, Field(ge=0, le=MAX_USAGE_QUANTITY)]
SubscriptionRef = Annotated[StrictStr, Field(min_length=1, max_length=40)]


class UsageEventIn(Request):
    """One usage event; ``id`` is the client's, and makes it idempotent."""

    id: EventId
    subscription_id: SubscriptionRef
    metric: Code
    quantity: UsageQuantity = 1
    occurred_at: Moment
    properties: Annotated[dict[str, Any], AfterValidator(_small_properties)] | None = None


# -- the batch in one pass --------------------------------------------------------------------
#
# A batch of well-formed events is validated by one TypeAdapter over the whole list, into plain
# dicts (no model per event, no Python validator per field but the properties'). It accepts
# only what UsageEventIn accepts, and no more: its types are the same or stricter (an id of a
# subscription that is a plain token; properties free of control characters; the date bounds
# of ``occurred_at`` are checked by the caller). Anything it refuses is validated again event
# by event with UsageEventIn, so that a refusal's code and words are exactly UsageEventIn's.


def _plain_properties(value: dict[str, Any]) -> dict[str, Any]:
    for key, v in value.items():
        if has_control(key, allowed="\t\n") or (
            isinstance(v, str) and has_control(v, allowed="\t\n")
        ):
            raise ValueError("control characters")
    return _small_properties(value)


@with_config(ConfigDict(extra="forbid"))
class _LeanEvent(TypedDict):
    id: EventId
    subscription_id: Annotated[StrictStr, Field(min_length=1, max_length=40,
                                                pattern=r"^[A-Za-z0-9_.:-]+$")]  # fmt: skip
    metric: Code
    quantity: NotRequired[UsageQuantity]
    occurred_at: AwareDatetime
    properties: NotRequired[Annotated[dict[str, Any], AfterValidator(_plain_properties)] | None]


#: The whole batch in one call: a list of dicts, or a ValidationError (then: event by event).
LEAN_BATCH: TypeAdapter[list[_LeanEvent]] = TypeAdapter(list[_LeanEvent])


class UsageBatchIn(Request):
    """Up to :data:`MAX_BATCH` events in one request."""

    events: Annotated[list[dict[str, Any]], Field(min_length=1)]


class Refusal(Response):
    """Why one event of a request was not stored."""

    index: int = Field(description="Position of the refused event in the batch (0 first).")
    id: str | None = Field(description="The event's id, if it had one.")
    code: str = Field(description="The problem code naming the rule it broke.")
    detail: str = Field(description="What is wrong, in words.")


class UsageEventsOut(Response):
    """What a request stored: ``recorded`` new events, ``duplicates`` already stored the same
    (idempotent retries), and (``?partial=true``) the ``refused`` ones."""

    recorded: int = Field(description="New events stored.")
    duplicates: int = Field(description="Events already stored with the same id and content.")
    refused: list[Refusal] = Field(
        description="Events refused (with ?partial=true; else the request is refused)."
    )
    ids: list[str] = Field(description="The ids of the events stored or found stored.")


class UsagePeriodOut(Response):
    """One billing stretch of a metric: what was used, and what it is charged in arrears."""

    start: str = Field(description="The stretch's first day (ISO date).", examples=["2025-04-02"])
    end: str = Field(description="The first day after it (exclusive).", examples=["2025-05-02"])
    used: int = Field(description="The metric's quantity over the stretch.", examples=[120])
    billable: int = Field(
        description="Units charged once it has ended (beyond the included ones).", examples=[20]
    )
    amount: int = Field(
        description="What those units are charged, in minor units (net).", examples=[10000]
    )


class UsageDayOut(Response):
    """One calendar day of the customer's use."""

    date: str = Field(description="The day (ISO date, customer's time zone).")
    used: int = Field(description="The metric's quantity that day.", examples=[4])


class UsageMetricOut(Response):
    """The use of one metric of the plan."""

    metric: str = Field(description="The metric's code.", examples=["api_calls"])
    name: str = Field(description="Its name as documents print it.", examples=["API calls"])
    aggregation: str = Field(
        description="How events add up: count, sum, max or unique_count.", examples=["sum"]
    )
    reset: str = Field(
        description="What it is counted over: billing_period or contract_year.",
        examples=["billing_period"],
    )
    included: int = Field(description="Units included before any charge.", examples=[100])
    total: int = Field(description="Its quantity over the whole report.", examples=[120])
    periods: list[UsagePeriodOut] = Field(description="Per billing stretch, in date order.")
    days: list[UsageDayOut] = Field(description="Per day with any use, in date order.")


class UsageReportOut(Response):
    """A subscription's use over the days ``[from, to)``, per metric."""

    subscription_id: str = Field(
        description="The subscription.", examples=["sub_0193a1b2c3d4e5f6a7b8c9d0"]
    )
    from_: str = Field(
        alias="from", description="The first day (ISO date, included).", examples=["2025-04-02"]
    )
    to: str = Field(
        description="The first day after the report (exclusive).", examples=["2025-04-11"]
    )
    metrics: list[UsageMetricOut] = Field(description="One entry per metric of the plan.")
