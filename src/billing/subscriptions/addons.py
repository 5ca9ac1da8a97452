"""Add-ons of the plan, attached and detached by effective date like any attribute."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import Clock
from billing.domain.errors import InvalidInput
from billing.domain.events import AddonAttached, AddonDetached
from billing.storage.models import Plan
from billing.subscriptions.recording import Change, ChangeResult, command, record
from billing.subscriptions.schemas import AddOnAttach, AddOnDetach
from billing.subscriptions.state import Loaded, load_for_change


def plan_addon(plan: Plan, code: str) -> dict[str, Any]:
    for addon in plan.addons or []:
        if addon["code"] == code:
            return addon
    raise InvalidInput(f"the plan offers no add-on {code!r}", code="unknown_addon")


def attachment(
    plan: Plan, code: str, effective: date, *, quantity: int = 1, unit_amount: int | None = None
) -> Change:
    """The event attaching the plan's add-on ``code`` (at its price unless ``unit_amount``)."""
    addon = plan_addon(plan, code)
    payload = AddonAttached(
        addon_key=code,
        code=code,
        name=addon["name"],
        unit_amount=addon["unit_amount"] if unit_amount is None else unit_amount,
        quantity=quantity,
        price_months=plan.interval_months,
        included=bool(addon.get("included")),
    )
    return Change(effective, payload)


@command
def attach_addon(session: Session, actor: Actor, loaded: Loaded, body: AddOnAttach) -> ChangeResult:
    change = attachment(loaded.plan, body.code, body.effective_date, quantity=body.quantity)
    return record(session, loaded, actor, [change], reason=body.reason)


def detach_addon(
    session: Session,
    actor: Actor,
    clock: Clock,
    subscription_id: str,
    code: str,
    body: AddOnDetach,
    *,
    expected_version: int | None = None,
) -> ChangeResult:
    loaded = load_for_change(session, actor, clock, subscription_id, expected_version)
    change = Change(body.effective_date, AddonDetached(addon_key=code))
    return record(session, loaded, actor, [change], reason=body.reason)
