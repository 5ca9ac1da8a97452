"""Webhook endpoints, their delivery log, and a dispatch pass on demand."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field, StrictStr

from billing.http.deps import FactoryDep, SessionDep, parse_cursor
from billing.http.permissions import StaffActor
from billing.schemas_common import Name, Request
from billing.webhooks import service
from billing.webhooks.schemas import (
    DispatchOut,
    WebhookDeliveryPage,
    WebhookEndpointCreated,
    WebhookEndpointOut,
    WebhookEndpointPage,
)

router = APIRouter(tags=["webhooks"])


class EndpointCreate(Request):
    url: Annotated[StrictStr, Field(min_length=8, max_length=2000)] = Field(
        description="Where deliveries are POSTed (https).",
        examples=["https://erp.example.se/hooks/billing"],
    )
    description: Name | None = Field(
        default=None, description="Your note on what it is for.", examples=["ERP invoice import"]
    )
    types: (
        Annotated[list[Annotated[StrictStr, Field(max_length=60)]], Field(max_length=100)] | None
    ) = Field(
        default=None,
        description="Event types it receives (e.g. invoice.issued); absent or null: all.",
        examples=[["invoice.issued", "credit_note.issued"]],
    )


@router.post("/webhook-endpoints", status_code=201, response_model=WebhookEndpointCreated)
def post_endpoint(body: EndpointCreate, session: SessionDep, actor: StaffActor) -> Any:
    """Register a receiver; its signing secret is shown once."""
    endpoint = service.create_endpoint(
        session, url=body.url, description=body.description, types=body.types
    )
    return service.endpoint_out(endpoint, with_secret=True)


@router.get("/webhook-endpoints", response_model=WebhookEndpointPage)
def list_endpoints(session: SessionDep, actor: StaffActor) -> dict[str, Any]:
    """The webhook endpoints that receive the event feed."""
    return {
        "data": [service.endpoint_out(e) for e in service.endpoints(session)],
        "next_cursor": None,
    }


@router.get("/webhook-endpoints/{endpoint_id}", response_model=WebhookEndpointOut)
def get_endpoint(endpoint_id: str, session: SessionDep, actor: StaffActor) -> Any:
    """One webhook endpoint, with where its delivery stands."""
    return service.endpoint_out(service.get_endpoint(session, endpoint_id))


@router.post("/webhook-endpoints/{endpoint_id}/disable", response_model=WebhookEndpointOut)
def disable_endpoint(endpoint_id: str, session: SessionDep, actor: StaffActor) -> Any:
    """Stop delivering to an endpoint (its cursor is kept)."""
    endpoint = service.get_endpoint(session, endpoint_id)
    endpoint.active = False
    return service.endpoint_out(endpoint)


@router.post("/webhook-endpoints/{endpoint_id}/enable", response_model=WebhookEndpointOut)
def enable_endpoint(endpoint_id: str, session: SessionDep, actor: StaffActor) -> Any:
    """Deliver to an endpoint again, from where it stopped."""
    endpoint = service.get_endpoint(session, endpoint_id)
    endpoint.active = True
    endpoint.next_attempt_at = None
    return service.endpoint_out(endpoint)


@router.get("/webhook-endpoints/{endpoint_id}/deliveries", response_model=WebhookDeliveryPage)
def list_deliveries(
    endpoint_id: str,
    session: SessionDep,
    actor: StaffActor,
    after: Annotated[
        str | None,
        Query(
            max_length=20,
            description="The next_cursor of the previous page (leave out first).",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many deliveries.")] = 100,
) -> dict[str, Any]:
    """The delivery log of one endpoint: every attempt, in order."""
    service.get_endpoint(session, endpoint_id)
    rows = service.deliveries(session, endpoint_id, after=parse_cursor(after), limit=limit)
    return {
        "data": [service.delivery_out(d) for d in rows],
        "next_cursor": str(rows[-1].id) if len(rows) == limit else None,
    }


@router.post("/webhooks/dispatch", response_model=DispatchOut, response_model_exclude_unset=True)
def post_dispatch(factory: FactoryDep, actor: StaffActor) -> Any:
    """Run one delivery pass now (``billing webhooks`` runs them continuously)."""
    return service.dispatch(factory)
