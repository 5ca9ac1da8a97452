"""People (staff accounts), their tokens, signing in, and the activity log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from billing.audit.schemas import AuditEntryOut, AuditPage
from billing.audit.service import page as audit_page
from billing.auth import people
from billing.auth.guard import guard_of
from billing.auth.limiter import client_key
from billing.auth.schemas import PeoplePage, PersonCreate, PersonOut, PersonToken, SignIn
from billing.auth.service import Actor, Role
from billing.errors import Unauthorized
from billing.http.deps import FactoryDep, PageParams, SessionDep, parse_cursor
from billing.http.middleware import refusal
from billing.http.permissions import ManagesPeople, ReadsAuditLog
from billing.http.trail import attribute
from billing.storage.models import Person

router = APIRouter(tags=["people"])


def person_out(person: Person) -> PersonOut:
    return PersonOut(
        id=person.id,
        name=person.name,
        login=person.login,
        role=Role(person.role).value,
        customer_id=person.customer_id,
        has_password=person.password_hash is not None,
        created_at=person.created_at,
        created_by=person.created_by,
        disabled_at=person.disabled_at,
    )


@router.post("/people", status_code=201, response_model=PersonOut)
def post_person(body: PersonCreate, session: SessionDep, actor: ManagesPeople) -> PersonOut:
    """Add a person who signs in as themselves (with a password, or with issued tokens)."""
    new = people.NewPerson(
        name=body.name,
        login=body.login,
        role=Role(body.role),
        customer_id=body.customer_id,
        password=body.password,
    )
    return person_out(people.create_person(session, new, created_by=actor))


@router.get("/people", response_model=PeoplePage)
def list_people(session: SessionDep, actor: ManagesPeople, page: PageParams) -> PeoplePage:
    """Everyone who has been added, disabled people included, in id order."""
    rows = people.list_people(session, after=page.after, limit=page.limit)
    more = len(rows) == page.limit
    return PeoplePage(data=[person_out(p) for p in rows], next_cursor=rows[-1].id if more else None)


@router.get("/people/{person_id}", response_model=PersonOut)
def get_person(person_id: str, session: SessionDep, actor: ManagesPeople) -> PersonOut:
    """One person."""
    return person_out(people.get_person(session, person_id))


@router.post("/people/{person_id}/tokens", status_code=201, response_model=PersonToken)
def post_person_token(person_id: str, session: SessionDep, actor: ManagesPeople) -> PersonToken:
    """Issue a token that acts as the person (for a person without a password, or a script
    run in their name); everything done with it is attributed to them."""
    person = people.get_person(session, person_id)
    key, token = people.issue_token(session, person, created_by=actor.who)
    return PersonToken(key_id=key.id, token=token, person=person_out(person))


@router.post("/people/{person_id}/disable", response_model=PersonOut)
def post_disable_person(
    person_id: str, request: Request, actor: ManagesPeople, logged: FactoryDep
) -> PersonOut:
    """Disable a person (idempotent): every token of theirs stops at once in this process and
    within ``BILLING_AUTH_CACHE_SECONDS`` in every other; they can no longer sign in."""
    # The guard commits on its own; ``logged`` (the factory) adds the activity-log entry.
    return person_out(guard_of(request.app.state).disable(person_id))


@router.post("/sessions", status_code=201, response_model=PersonToken)
def post_session(body: SignIn, request: Request, session: SessionDep) -> Any:
    """Sign in with a login and password for a token of one's own (no bearer token needed).
    A wrong login or password counts against the client's address as an unknown token does:
    past the limit the answer is 429 ``too_many_failed_attempts`` with ``Retry-After``."""
    guard = guard_of(request.app.state)
    try:
        person, key, token = people.sign_in(session, login=body.login, password=body.password)
    except Unauthorized:
        wait = guard.failed(client_key(request.client.host if request.client else None))
        if wait is None:
            raise
        return refusal(wait)  # 429 with Retry-After, as for an unknown token
    attribute(session, Actor(key.id, Role(key.role), key.customer_id, person.id))
    return PersonToken(key_id=key.id, token=token, person=person_out(person))


@router.get("/audit-log", response_model=AuditPage)
def get_audit_log(
    session: SessionDep,
    actor: ReadsAuditLog,
    after: Annotated[
        str | None, Query(max_length=20, description="A cursor from resume_cursor.")
    ] = None,
    customer_id: Annotated[
        str | None, Query(max_length=40, description="Only this customer's entries.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many entries.")] = 100,
) -> AuditPage:
    """Every write made through the API, oldest first: who (person or key), what (operation
    and subject), when; one customer's with ``customer_id``. Read it as the event feed."""
    rows = audit_page(session, after=parse_cursor(after), limit=limit, customer_id=customer_id)
    return AuditPage(
        data=[AuditEntryOut.model_validate(row) for row in rows],
        next_cursor=str(rows[-1].seq) if len(rows) == limit else None,
        resume_cursor=str(rows[-1].seq) if rows else after,
    )
