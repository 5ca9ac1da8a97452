"""The event feed: GET /v1/events?after=<cursor> in commit order, never skipping or repeating."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from billing.events.schemas import FeedPage
from billing.events.service import event_out, page
from billing.http.deps import SessionDep, parse_cursor
from billing.http.permissions import ReadsEvents

router = APIRouter(tags=["events"])


@router.get("/events", response_model=FeedPage)
def list_events(
    session: SessionDep,
    actor: ReadsEvents,
    after: Annotated[
        str | None,
        Query(
            max_length=20,
            description="The resume_cursor of your previous pull (leave out the first time).",
            examples=["1042"],
        ),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=1000, description="At most this many events.", examples=[100])
    ] = 100,
    type: Annotated[
        list[str] | None,
        Query(
            max_length=50,
            description="Only events of these types (repeat it: type=invoice.issued&"
            "type=payment.recorded); absent: all.",
            examples=[["invoice.issued"]],
        ),
    ] = None,
) -> dict[str, Any]:
    """Every timeline event, document, payment, status change and task, in order.

    ``next_cursor`` is null once drained; poll again from ``resume_cursor``."""
    rows = page(
        session,
        after=parse_cursor(after),
        limit=limit,
        customer_scope=actor.customer_scope,
        types=type,
    )
    return {
        "data": [event_out(e) for e in rows],
        "next_cursor": str(rows[-1].seq) if len(rows) == limit else None,
        "resume_cursor": str(rows[-1].seq) if rows else after,
    }
