"""One-off charges on a subscription: something delivered once (a health check for a licence
customer, a service visit at a site), billed on delivery on the subscription's own invoices.

A delivery is a ``one_off_delivered`` event on the timeline like any other change: it is dated
inside the service (on or after the start, before the end), never in the future (it binds when
delivered, domain.md), and the recording path posts its invoice at once. A correction is a
credit against that charge, as for every other line.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.domain.errors import InvalidInput
from billing.domain.events import OneOffDelivered
from billing.subscriptions.recording import Change, ChangeResult, command, record
from billing.subscriptions.schemas import OneOffCreate
from billing.subscriptions.state import Loaded


@command
def deliver_one_off(
    session: Session, actor: Actor, loaded: Loaded, body: OneOffCreate
) -> ChangeResult:
    if body.delivered_on > loaded.today:
        raise InvalidInput(
            f"delivered_on {body.delivered_on} is after today ({loaded.today})",
            code="delivery_in_future",
        )
    payload = OneOffDelivered(
        unit_amount=body.unit_amount,
        quantity=body.quantity,
        description=body.description,
        tax_category=body.tax_category,
    )
    return record(session, loaded, actor, [Change(body.delivered_on, payload)], reason=body.reason)
