"""Usage: events reported in (one or a batch), and what a subscription has used."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from billing.clock import utcnow
from billing.domain.calendar import MAX_DATE, MIN_DATE
from billing.http.deps import ClockDep, SessionDep
from billing.http.permissions import ReadsSubscriptions, RecordsUsage
from billing.http.problems import problem
from billing.subscriptions import service as subscriptions
from billing.usage import report, service
from billing.usage.schemas import UsageEventsOut, UsageReportOut

router = APIRouter(tags=["usage"])

_BODY_DOC = (
    "One event `{id, subscription_id, metric, quantity, occurred_at, properties?}` or a batch "
    '`{"events": [...]}` of up to 1,000. `occurred_at` carries its time zone; `quantity` is '
    "an integer 0 to 1,000,000 (default 1)."
)


@router.post("/usage-events", status_code=201, response_model=UsageEventsOut)
def post_usage_events(
    body: Annotated[dict[str, Any], Body(description=_BODY_DOC)],
    session: SessionDep,
    actor: RecordsUsage,
    partial: Annotated[bool, Query(description="Store the valid events, list the refused")] = False,
) -> Any:
    """Record usage events. The client's `id` makes each idempotent: the same id and content
    again is a duplicate (not stored twice); the same id with other content is refused
    (`idempotency_conflict`). A batch is all or nothing unless `?partial=true`; a refused batch
    answers `usage_events_refused` with `refused: [{index, id, code, detail}]`."""
    try:
        out = service.record_usage(session, actor, body, partial=partial, now=utcnow())
    except service.UsageRefused as exc:
        return problem(exc.status, exc.code, exc.detail, refused=exc.refused)
    # Answered as it is (the shape of UsageEventsOut): no model made of 1,000 ids to check.
    return JSONResponse(
        {"recorded": out.recorded, "duplicates": out.duplicates, "refused": out.refused,
         "ids": out.ids},
        status_code=201,
    )  # fmt: skip


@router.get("/subscriptions/{subscription_id}/usage", response_model=UsageReportOut)
def get_usage(
    subscription_id: str,
    session: SessionDep,
    actor: ReadsSubscriptions,
    clock: ClockDep,
    from_: Annotated[
        date | None,
        Query(
            alias="from",
            ge=MIN_DATE,
            le=MAX_DATE,
            description="First day (default: the contract year's start).",
        ),
    ] = None,
    to: Annotated[
        date | None,
        Query(ge=MIN_DATE, le=MAX_DATE, description="Day after the last (default: tomorrow)."),
    ] = None,
    metric: Annotated[
        str | None, Query(max_length=60, description="Only this metric's code.")
    ] = None,
) -> dict[str, Any]:
    """Usage per metric over the days `[from, to)` (default: the current contract year up to
    today, inclusive), per billing period (with what it is charged) and per day."""
    loaded = subscriptions.load(session, actor, clock, subscription_id)
    return report.usage_report(session, loaded, start=from_, end=to, metric=metric)
