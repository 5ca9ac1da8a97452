"""API keys and the test clock."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StrictStr

from billing.auth.guard import guard_of
from billing.auth.service import Role, create_api_key
from billing.errors import NotFound
from billing.http.deps import ClockDep, FactoryDep, SessionDep
from billing.http.permissions import StaffActor
from billing.schemas_common import Day
from billing.schemas_common import Request as Body

router = APIRouter(tags=["admin"])


class ApiKeyCreate(Body):
    role: Literal["staff", "integration", "portal"] = Field(
        description="staff (all), integration (reads and payments) or portal (one customer).",
        examples=["integration"],
    )
    customer_id: StrictStr | None = Field(
        default=None, description="The customer a portal key is bound to (portal only)."
    )


class TestClockSet(Body):
    today: Day | None = Field(
        description="The date the service takes as today; null for the real date.",
        examples=["2025-04-02"],
    )


class ApiKeyOut(BaseModel):
    """A new API key and its token."""

    id: str = Field(description="The key's id (to revoke it).", examples=["key_0193a1b2c3d4e5f6"])
    role: str = Field(description="The key's role.", examples=["integration"])
    customer_id: str | None = Field(description="The customer a portal key is bound to.")
    token: str = Field(description="The bearer token; shown only in this answer.")


class ApiKeyRevoked(BaseModel):
    """A revoked API key."""

    id: str = Field(description="The key's id.")
    role: str = Field(description="The key's role.")
    customer_id: str | None = Field(description="The customer a portal key was bound to.")
    revoked: bool = Field(description="Always true: the key's token no longer works.")


class TestClockOut(BaseModel):
    """The test clock."""

    today: date | None = Field(description="The date taken as today; null for the real date.")


@router.post("/api-keys", status_code=201, response_model=ApiKeyOut)
def post_api_key(body: ApiKeyCreate, session: SessionDep, actor: StaffActor) -> dict[str, Any]:
    """Make an API key of a role (a portal key is bound to one customer); its token is shown
    only in this answer."""
    key, token = create_api_key(
        session, role=Role(body.role), customer_id=body.customer_id, created_by=actor
    )
    return {"id": key.id, "role": key.role, "customer_id": key.customer_id, "token": token}


@router.post("/api-keys/{key_id}/revoke", response_model=ApiKeyRevoked)
def post_revoke_api_key(
    key_id: str, request: Request, actor: StaffActor, logged: FactoryDep
) -> dict[str, Any]:
    """Revoke a key (idempotent): its token stops working at once in this process and within
    ``BILLING_AUTH_CACHE_SECONDS`` in every other (billing.auth.guard)."""
    # The guard commits on its own; ``logged`` (the factory) adds the activity-log entry.
    key = guard_of(request.app.state).revoke(key_id)
    return {"id": key.id, "role": key.role, "customer_id": key.customer_id, "revoked": True}


def _require_test_clock(request: Request) -> None:
    if not request.app.state.settings.test_clock:
        raise NotFound("not found")


@router.put("/test-clock", response_model=TestClockOut)
def put_test_clock(
    body: TestClockSet, request: Request, session: SessionDep, actor: StaffActor, clock: ClockDep
) -> dict[str, date | None]:
    """Set the date the service takes as today (null: back to the real date). Only when
    BILLING_TEST_CLOCK is on."""
    _require_test_clock(request)
    clock.set_today(session, body.today)
    return {"today": body.today}


@router.get("/test-clock", response_model=TestClockOut)
def get_test_clock(
    request: Request, session: SessionDep, actor: StaffActor, clock: ClockDep
) -> dict[str, date | None]:
    """The test clock's date (null: the real date). Only when BILLING_TEST_CLOCK is on."""
    _require_test_clock(request)
    return {"today": clock.test_date(session)}
