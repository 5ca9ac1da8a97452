"""Subscriptions: create, read, timeline, ledger, and every change (with ?preview=true)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from billing.http.answers import answer
from billing.http.deps import ClockDep, IfMatch, PageParams, Preview, SessionDep
from billing.http.permissions import CancelsSubscriptions, ReadsSubscriptions, StaffActor
from billing.subscriptions import repository, service, views
from billing.subscriptions.schemas import (
    CancelRequest,
    ChangeOut,
    ChangeRequest,
    LedgerOut,
    PauseRequest,
    ResumeRequest,
    SubscriptionCreate,
    SubscriptionOut,
    TimelineOut,
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
    result = service.create(session, actor, clock, body)
    return answer(response, session, result, preview=preview)


@router.get("", response_model=None)
def list_subscriptions(
    session: SessionDep,
    actor: ReadsSubscriptions,
    clock: ClockDep,
    page: PageParams,
    customer_id: str | None = None,
) -> dict[str, Any]:
    limit, after = page
    # A portal caller's scope replaces the filter (subscriptions.repository is being rewritten;
    # the scope moves into its query then, as in the other repositories).
    rows = repository.page(
        session,
        customer_id=customer_id,
        after=after,
        limit=limit,
        customer_scope=actor.customer_scope,
    )
    data = [
        SubscriptionOut.model_validate(
            views.subscription_out(service.load(session, actor, clock, r.id))
        ).model_dump(mode="json")
        for r in rows
    ]
    return {"data": data, "next_cursor": rows[-1].id if len(rows) == limit else None}


@router.get("/{subscription_id}", response_model=SubscriptionOut)
def get_subscription(
    subscription_id: str,
    response: Response,
    session: SessionDep,
    actor: ReadsSubscriptions,
    clock: ClockDep,
) -> Any:
    loaded = service.load(session, actor, clock, subscription_id)
    response.headers["ETag"] = f'"{loaded.subscription.version}"'
    return views.subscription_out(loaded)


@router.get("/{subscription_id}/timeline", response_model=TimelineOut)
def get_timeline(
    subscription_id: str, session: SessionDep, actor: ReadsSubscriptions, clock: ClockDep
) -> Any:
    loaded = service.load(session, actor, clock, subscription_id)
    return views.timeline_out(session, loaded)


@router.get("/{subscription_id}/ledger", response_model=LedgerOut)
def get_ledger(
    subscription_id: str, session: SessionDep, actor: ReadsSubscriptions, clock: ClockDep
) -> Any:
    loaded = service.load(session, actor, clock, subscription_id)
    return views.ledger_out(session, loaded)


@router.post("/{subscription_id}/cancel", response_model=ChangeOut)
def cancel(
    subscription_id: str,
    body: CancelRequest,
    response: Response,
    session: SessionDep,
    actor: CancelsSubscriptions,
    clock: ClockDep,
    version: IfMatch,
    preview: Preview,
) -> Any:
    result = service.cancel(session, actor, clock, subscription_id, body, expected_version=version)
    return answer(response, session, result, preview=preview)


@router.delete("/{subscription_id}/cancel", response_model=ChangeOut)
def undo_cancel(
    subscription_id: str,
    response: Response,
    session: SessionDep,
    actor: CancelsSubscriptions,
    clock: ClockDep,
    version: IfMatch,
    preview: Preview,
) -> Any:
    result = service.undo_cancel(session, actor, clock, subscription_id, expected_version=version)
    return answer(response, session, result, preview=preview)


@router.post("/{subscription_id}/pause", response_model=ChangeOut)
def pause(
    subscription_id: str,
    body: PauseRequest,
    response: Response,
    session: SessionDep,
    actor: StaffActor,
    clock: ClockDep,
    version: IfMatch,
    preview: Preview,
) -> Any:
    result = service.pause(session, actor, clock, subscription_id, body, expected_version=version)
    return answer(response, session, result, preview=preview)


@router.post("/{subscription_id}/resume", response_model=ChangeOut)
def resume(
    subscription_id: str,
    body: ResumeRequest,
    response: Response,
    session: SessionDep,
    actor: StaffActor,
    clock: ClockDep,
    version: IfMatch,
    preview: Preview,
) -> Any:
    result = service.resume(session, actor, clock, subscription_id, body, expected_version=version)
    return answer(response, session, result, preview=preview)


@router.post("/{subscription_id}/changes", response_model=ChangeOut)
def change(
    subscription_id: str,
    body: ChangeRequest,
    response: Response,
    session: SessionDep,
    actor: StaffActor,
    clock: ClockDep,
    version: IfMatch,
    preview: Preview,
) -> Any:
    alternatives = (
        service.proration_alternatives(session, actor, clock, subscription_id, body)
        if preview
        else None
    )
    result = service.change(session, actor, clock, subscription_id, body, expected_version=version)
    out = answer(response, session, result, preview=preview)
    if alternatives is not None:
        out["alternatives"] = alternatives
    return out
