"""Capabilities: who may call a route, declared once per route as one dependency.

A capability is a named set of roles (api-contract "Roles"). A route takes the caller through
exactly one of the aliases below instead of :data:`~billing.http.deps.CurrentActor`; a role
outside the set answers 403 problem+json with code ``forbidden`` before the handler runs, so
services and handlers never check roles themselves. A missing or unknown token still answers
401 ``unauthorized`` (from :func:`~billing.http.deps.get_actor`, which every capability uses).

What a role may *see* is the other half: a portal key is bound to one customer, and the
repositories scope their queries by :attr:`Actor.customer_scope
<billing.auth.service.Actor.customer_scope>`, so another customer's row answers 404 (or is
absent from a list), never 403: the portal must not learn that it exists.

``tests/api/test_permissions.py`` walks every route of the app with every role against one
declared matrix, and checks that each route declares exactly one capability.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from billing.auth.service import Actor, Role
from billing.errors import Forbidden
from billing.http.deps import CurrentActor


class Capability:
    """A dependency that answers the caller when their role has this capability (else 403)."""

    def __init__(self, name: str, *roles: Role) -> None:
        self.name = name
        self.roles = frozenset(roles)

    async def __call__(self, actor: CurrentActor) -> Actor:
        # async: a role check needs no worker thread (a hop per dependency costs ~0.1-0.2 ms)
        if actor.role not in self.roles:
            raise Forbidden(f"the {actor.role.value} role may not {self.name}")
        return actor

    def __repr__(self) -> str:
        return f"Capability({self.name!r}, {', '.join(sorted(self.roles))})"


OPERATES = Capability("operate billing", Role.STAFF)
READS_CUSTOMERS = Capability("read customers", Role.STAFF, Role.INTEGRATION, Role.PORTAL)
READS_PLANS = Capability("read plans", Role.STAFF, Role.INTEGRATION)
READS_SUBSCRIPTIONS = Capability("read subscriptions", Role.STAFF, Role.INTEGRATION, Role.PORTAL)
CANCELS_SUBSCRIPTIONS = Capability("cancel subscriptions", Role.STAFF, Role.PORTAL)
READS_DOCUMENTS = Capability("read documents", Role.STAFF, Role.INTEGRATION, Role.PORTAL)
RECORDS_PAYMENTS = Capability("record payments", Role.STAFF, Role.INTEGRATION)
READS_EVENTS = Capability("read the event feed", Role.STAFF, Role.INTEGRATION, Role.PORTAL)
READS_ORDERS = Capability("read orders", Role.STAFF, Role.INTEGRATION, Role.PORTAL)
RECORDS_USAGE = Capability("record usage", Role.STAFF, Role.INTEGRATION)
MANAGES_PEOPLE = Capability("manage people", Role.STAFF)
READS_AUDIT_LOG = Capability("read the activity log", Role.STAFF)

StaffActor = Annotated[Actor, Depends(OPERATES)]
"""Staff only: everything that changes billing (customers, plans, subscriptions and their
changes, orders, bill runs, webhooks, API keys, the test clock) and the back office's own
reads (onboarding, tasks, reports, cancellation quotes, webhook logs). The contract gives
every capability to staff and these to no one else."""

ReadsCustomers = Annotated[Actor, Depends(READS_CUSTOMERS)]
"""Staff, integration, and the portal for its own customer: an invoicing system needs the
customer a document is addressed to; the portal shows the customer their own record."""

ReadsPlans = Annotated[Actor, Depends(READS_PLANS)]
"""Staff and integration: the catalogue is the business's, read by its own systems; the portal
sees the prices it pays on its subscriptions, not the catalogue."""

ReadsSubscriptions = Annotated[Actor, Depends(READS_SUBSCRIPTIONS)]
"""Staff, integration, and the portal for its own customer: a subscription, its timeline and
its ledger (the entries behind every document an integration reconciles; the portal's "your
subscription" page)."""

CancelsSubscriptions = Annotated[Actor, Depends(CANCELS_SUBSCRIPTIONS)]
"""Staff, and the portal for its own customer: a customer may give notice and undo it before
it takes effect (the service still holds the portal to the modes and dates the rules allow)."""

ReadsDocuments = Annotated[Actor, Depends(READS_DOCUMENTS)]
"""Staff, integration, and the portal for its own customer: invoices, credit notes and refund
instructions, as JSON, HTML or PDF, and their feeds (integration pulls them into the ledger
of the invoicing system)."""

RecordsPayments = Annotated[Actor, Depends(RECORDS_PAYMENTS)]
"""Staff and integration: the invoicing system reports what was paid; a customer cannot
declare its own invoice paid."""

ReadsEvents = Annotated[Actor, Depends(READS_EVENTS)]
"""Staff, integration, and the portal for its own customer's events: the outbox feed that
integrations follow instead of polling every resource."""

ReadsOrders = Annotated[Actor, Depends(READS_ORDERS)]
"""Staff, integration, and the portal for its own customer: one-off orders and what of them
was delivered (and so invoiced)."""

RecordsUsage = Annotated[Actor, Depends(RECORDS_USAGE)]
"""Staff and integration: the service the customer uses reports what was used; a customer
does not report its own billable usage (as it does not declare its own invoice paid). The
portal reads its usage through its subscriptions (``ReadsSubscriptions``)."""
ManagesPeople = Annotated[Actor, Depends(MANAGES_PEOPLE)]
"""Staff only: adding people, listing them, issuing them tokens and disabling them."""

ReadsAuditLog = Annotated[Actor, Depends(READS_AUDIT_LOG)]
"""Staff only: who did what through the API (it names people and keys of every customer)."""
