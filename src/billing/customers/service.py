"""Setting up customers."""

from __future__ import annotations

from sqlalchemy.orm import Session

from billing.clock import utcnow
from billing.customers.schemas import CustomerCreate
from billing.ids import new_id
from billing.storage.models import Customer


def create_customer(session: Session, body: CustomerCreate) -> Customer:
    customer = Customer(
        id=new_id("cus"),
        name=body.name,
        currency=body.currency,
        locale=body.locale,
        timezone=body.timezone,
        external_ref=body.external_ref,
        status="active",
        created_at=utcnow(),
    )
    session.add(customer)
    session.flush()
    return customer
