"""Subscriptions: create, read, timeline, ledger, and every change (with ?preview=true)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from billing.http.answers import ChangeCall, answer
from billing.http.deps import ClockDep, PageParams, Preview, ReadSessions, SessionDep
from billing.http.encoded import encoded
from billing.http.permissions import CancelsSubscriptions, ReadsSubscriptions, StaffActor
from billing.storage.db import unit_of_work
from billing.subscriptions import repository, service, views
from billing.subscriptions.responses import (
    ChangeOut,
    LedgerOut,
    SubscriptionOut,
    SubscriptionPage,
    TimelineOut,
)
from billing.subscriptions.schemas import (
    CancelRequest,
    ChangeRequest,
    OneOffCreate,
    PauseRequest,
    ResumeRequest,
    SubscriptionCreate,
)

router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])


@router.post("", status_code=201, response_model=ChangeOut)
def create_subscription(
    body: SubscriptionCreate,
    response: Response,
    session: SessionDep,
    actor: StaffActor,
    clock: ClockDep,
    preview: Preview,
) -> Any:
    """Start a subscription of a customer on a plan from start_date (licences, price and
    contract from the plan unless given)."""
    result = service.create(session, actor, clock, body)
    return answer(response, session, result, preview=preview)


@router.get("", response_model=SubscriptionPage)
def list_subscriptions(
    session: SessionDep,
    actor: ReadsSubscriptions,
    clock: ClockDep,
    page: PageParams,
    customer_id: Annotated[
        str | None, Query(description="Only the subscriptions of this customer.")
    ] = None,
) -> dict[str, Any]:
    """Subscriptions in id order, a page at a time (a portal key sees only its customer's)."""
    rows = repository.page(
        session,
        customer_id=customer_id,
        after=page.after,
        limit=page.limit,
        customer_scope=actor.customer_scope,
    )
    data = [
        SubscriptionOut.model_validate(
            views.subscription_out(service.load(session, actor, clock, r.id))
        ).model_dump(mode="json")
        for r in rows
    ]
    return page.answer(rows, data)


@router.get("/{subscription_id}", response_model=SubscriptionOut)
def get_subscription(
    subscription_id: str, reads: ReadSessions, actor: ReadsSubscriptions, clock: ClockDep
) -> Any:
    """One subscription as it stands today: status, terms, current period, end date and version."""
    with unit_of_work(reads) as session:
        shown = service.view(session, actor, clock, subscription_id)
    out = views.subscription_out(shown)
    return encoded(SubscriptionOut, out, headers={"ETag": f'"{shown.version}"'})


@router.get("/{subscription_id}/timeline", response_model=TimelineOut)
def get_timeline(
    subscription_id: str, reads: ReadSessions, actor: ReadsSubscriptions, clock: ClockDep
) -> Any:
    """The subscription's timeline: every dated event in the order it was recorded, with who
    recorded it."""
    with unit_of_work(reads) as session:
        shown = service.view(session, actor, clock, subscription_id)
    return encoded(TimelineOut, views.timeline_out(shown))


@router.get("/{subscription_id}/ledger", response_model=LedgerOut)
def get_ledger(
    subscription_id: str, reads: ReadSessions, actor: ReadsSubscriptions, clock: ClockDep
) -> Any:
    """The subscription's append-only ledger: every charge and credit posted, and the balance."""
    with unit_of_work(reads) as session:
        out = views.ledger_out(session, service.view(session, actor, clock, subscription_id))
    return encoded(LedgerOut, out)


@router.post("/{subscription_id}/cancel", response_model=ChangeOut)
def cancel(
    subscription_id: str, body: CancelRequest, actor: CancelsSubscriptions, call: ChangeCall
) -> Any:
    """Schedule the end of the subscription (on a date, at the period's or term's end), or move
    a scheduled end; ?preview=true shows the money without keeping anything."""
    return call.run(service.cancel, actor, subscription_id, body, expected_version=call.version)


@router.delete("/{subscription_id}/cancel", response_model=ChangeOut)
def undo_cancel(subscription_id: str, actor: CancelsSubscriptions, call: ChangeCall) -> Any:
    """Withdraw the scheduled end before it takes effect; what its notice credited is billed
    again."""
    return call.run(service.undo_cancel, actor, subscription_id, expected_version=call.version)


@router.post("/{subscription_id}/pause", response_model=ChangeOut)
def pause(subscription_id: str, body: PauseRequest, actor: StaffActor, call: ChangeCall) -> Any:
    """Pause the subscription from a date (optionally until a date): paused days are not billed."""
    return call.run(service.pause, actor, subscription_id, body, expected_version=call.version)


@router.post("/{subscription_id}/one-offs", response_model=ChangeOut)
def deliver_one_off(
    subscription_id: str, body: OneOffCreate, actor: StaffActor, call: ChangeCall
) -> Any:
    """A one-off delivered to the subscription's customer, invoiced at once."""
    return call.run(
        service.deliver_one_off, actor, subscription_id, body, expected_version=call.version
    )


@router.post("/{subscription_id}/resume", response_model=ChangeOut)
def resume(subscription_id: str, body: ResumeRequest, actor: StaffActor, call: ChangeCall) -> Any:
    """End a pause on a date: billing goes on from it."""
    return call.run(service.resume, actor, subscription_id, body, expected_version=call.version)


@router.post("/{subscription_id}/changes", response_model=ChangeOut)
def change(subscription_id: str, body: ChangeRequest, actor: StaffActor, call: ChangeCall) -> Any:
    """Change licences or price from a date, with the proration choice; ?preview=true shows the
    money first."""
    # A preview also answers what each proration choice would post: worked out before the
    # change is recorded, on the timeline as it stands.
    alternatives = (
        service.proration_alternatives(call.session, actor, call.clock, subscription_id, body)
        if call.preview
        else None
    )
    out = call.run(service.change, actor, subscription_id, body, expected_version=call.version)
    if alternatives is not None:
        out["alternatives"] = alternatives
    return out
