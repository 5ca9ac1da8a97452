"""What a change confirmed in the console leaves in the activity log (billing.audit): the
signed-in person, the console's operation, its subject and customer — in the change's own
transaction, as a write through the API does (billing.http.trail), so an entry exists exactly
when the change committed. Previews write nothing: they are rolled back before any entry.

``operation`` is the method and the console's route as mounted, e.g.
``POST /console/subscriptions/{subscription_id}/pause``; ``subject_id`` the last resource the
path names, or the row the change created when it ``creates`` one (a payment) or the path
names none (signing in); the customer is the one given, else that of the first row written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from billing.audit.service import Write, record
from billing.auth.service import Actor
from billing.storage.attribution import ACTOR, CREATED, CUSTOMER, PERSON, WROTE, attribute
from billing.storage.db import unit_of_work


@contextmanager
def confirming(
    request: Request,
    actor: Actor,
    factory: sessionmaker[Session],
    *,
    creates: bool = False,
    customer_id: str | None = None,
) -> Iterator[Session]:
    """A unit of work whose rows are ``actor``'s and which ends with its activity-log entry."""
    with unit_of_work(factory) as session:
        attribute(session, who=actor.who, person_id=actor.person_id)
        yield session
        log_change(request, session, creates=creates, customer_id=customer_id)


def log_change(
    request: Request, session: Session, *, creates: bool = False, customer_id: str | None = None
) -> None:
    """Add the entry for the console change ``request`` made in ``session`` (none when the
    transaction has no caller or wrote nothing, as for an idempotent no-op)."""
    who = session.info.get(ACTOR)
    session.flush()
    if not who or not session.info.get(WROTE):
        return
    route = request.scope.get("route")
    prefix: str = request.app.state.prefix
    template = prefix + getattr(route, "path", request.url.path.removeprefix(prefix))
    params = dict(request.path_params)
    created = session.info.get(CREATED)
    subject = str(list(params.values())[-1]) if params else None
    if created is not None and (creates or not params):
        subject = created[1]
    write = Write(
        actor=who,
        person_id=session.info.get(PERSON),
        operation=f"{request.method} {template}",
        subject_id=subject,
        customer_id=customer_id or params.get("customer_id") or session.info.get(CUSTOMER),
    )
    record(session, write)
