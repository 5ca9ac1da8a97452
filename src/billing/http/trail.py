"""What a write through the API leaves in the activity log (billing.audit): who, what, when.

A request's transaction carries its caller (:func:`attribute`); when a write's handler is done,
:func:`record_write` adds the entry in that same transaction (``SessionDep``), or, for the
routes that run transactions of their own (bill runs, the scheduler, revoking keys: they take
the session factory), in one more after them. Reads (GET, HEAD) leave nothing.

``operation`` is the method and route template; ``subject_id`` the resource created (a route
answering 201) or else the last one the path names; the customer is the path's
``customer_id``, else the customer of the first row the write added.
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from billing.audit.service import Write, record
from billing.auth.service import Actor
from billing.storage import attribution
from billing.storage.attribution import ACTOR, CREATED, CUSTOMER, PERSON, WROTE

READS = ("GET", "HEAD", "OPTIONS")
API_PREFIX = "/v1/"


def attribute(session: Session, actor: Actor) -> None:
    """Everything ``session`` writes is ``actor``'s (billing.storage.attribution)."""
    attribution.attribute(session, who=actor.who, person_id=actor.person_id)


def attributed(factory: sessionmaker[Session], actor: Actor) -> sessionmaker[Session]:
    """A factory like ``factory`` whose sessions write as ``actor``."""
    info = {**factory.kw.get("info", {}), ACTOR: actor.who, PERSON: actor.person_id}
    return sessionmaker(**{**factory.kw, "info": info})


def record_write(request: Request, session: Session, *, own_transactions: bool = False) -> None:
    """The activity log's entry for this request, if it is a write with a caller that wrote
    something in ``session``; a route that ran ``own_transactions`` is taken to have."""
    who = session.info.get(ACTOR)
    if request.method in READS or not who:
        return
    source = session
    source.flush()
    if not own_transactions and not session.info.get(WROTE):
        return  # nothing changed (an import seen before, an idempotent no-op): no write
    route = request.scope.get("route")
    template = getattr(route, "path", request.url.path)
    if request.url.path.startswith(API_PREFIX) and not template.startswith(API_PREFIX):
        template = API_PREFIX.rstrip("/") + template  # routers are included under /v1
    params = dict(request.path_params)
    created = source.info.get(CREATED)
    subject = None
    if created is not None and (getattr(route, "status_code", None) == 201 or not params):
        subject = created[1]
    elif params:
        subject = str(list(params.values())[-1])
    write = Write(
        actor=who,
        person_id=session.info.get(PERSON),
        operation=f"{request.method} {template}",
        subject_id=subject,
        customer_id=params.get("customer_id") or source.info.get(CUSTOMER),
    )
    record(session, write)
