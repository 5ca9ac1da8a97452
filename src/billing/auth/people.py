"""People: named users of the service, who sign in as themselves.

A person has a login (an e-mail address, compared lower-case), a role as API keys have (staff,
integration, or portal bound to one customer) and a password, hashed with Argon2id
(argon2-cffi's defaults: memory-hard, salted, its parameters in the hash so they can be raised
later; a hash made with older parameters is re-hashed at the next sign-in). Signing in, or an
admin issuing a token for a person, makes an API key carrying the person (``person_id``), so
the guard, the roles and revocation work for people exactly as for keys, and everything done
with that token is attributed to the person.

Disabling a person revokes every key of theirs (through the guard, so at once in this process
and within its cache bound elsewhere) and refuses them signing in; the row stays, so whatever
names them still resolves. A person is never deleted.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.auth.service import Actor, Role, hash_token, is_revoked
from billing.clock import utcnow
from billing.domain.errors import InvalidInput
from billing.errors import Conflict, NotFound, Unauthorized
from billing.ids import new_id
from billing.storage.models import ApiKey, Customer, Person

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the login is unknown, so that an unknown login costs as much time
    as a wrong password (no telling which logins exist by the answer's speed). Made on first
    use, not at import: an Argon2 hash takes ~0.15 s and 64 MiB, which every process importing
    this module (bill-run workers, the CLI) would otherwise pay."""
    return _hasher.hash(secrets.token_urlsafe(16))


MIN_PASSWORD = 12


@dataclass(frozen=True, slots=True)
class NewPerson:
    name: str
    login: str
    role: Role
    customer_id: str | None
    password: str | None


def normal_login(login: str) -> str:
    return login.strip().lower()


def create_person(session: Session, new: NewPerson, *, created_by: Actor) -> Person:
    """Add a person; their login must be free (409 ``login_taken``)."""
    if new.role is Role.PORTAL:
        if new.customer_id is None or session.get(Customer, new.customer_id) is None:
            raise NotFound("a portal person needs an existing customer_id")
    elif new.customer_id is not None:
        raise InvalidInput("only portal people are bound to a customer")
    login = normal_login(new.login)
    if session.scalar(select(Person.id).where(Person.login == login)) is not None:
        raise Conflict(f"the login {login} is taken", code="login_taken")
    person = Person(
        id=new_id("person"),
        name=new.name.strip(),
        login=login,
        role=new.role.value,
        customer_id=new.customer_id,
        password_hash=_password_hash(new.password) if new.password is not None else None,
        created_at=utcnow(),
        created_by=created_by.who,
    )
    session.add(person)
    session.flush()
    return person


def _password_hash(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"a password has at least {MIN_PASSWORD} characters", code="password_too_short"
        )
    return _hasher.hash(password)


def list_people(session: Session, *, after: str | None, limit: int) -> list[Person]:
    q = select(Person).order_by(Person.id).limit(limit)
    if after:
        q = q.where(Person.id > after)
    return list(session.scalars(q))


def get_person(session: Session, person_id: str) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"person {person_id} not found")
    return person


def keys_of(session: Session, person_id: str) -> list[str]:
    """The ids of the person's keys not yet revoked."""
    keys = session.scalars(select(ApiKey).where(ApiKey.person_id == person_id))
    return [key.id for key in keys if not is_revoked(key)]


def disable_person(session: Session, person_id: str) -> Person:
    """Mark the person disabled (idempotent); the caller revokes their keys (the guard)."""
    person = get_person(session, person_id)
    if person.disabled_at is None:
        person.disabled_at = utcnow()
        session.flush()
    return person


def issue_token(session: Session, person: Person, *, created_by: str) -> tuple[ApiKey, str]:
    """A new token for ``person`` (shown once), with the person's role."""
    if person.disabled_at is not None:
        raise Conflict(f"person {person.id} is disabled", code="person_disabled")
    token = "bk_" + secrets.token_urlsafe(32)
    key = ApiKey(
        id=new_id("key"),
        role=person.role,
        customer_id=person.customer_id,
        token_hash=hash_token(token),
        created_at=utcnow(),
        created_by=created_by,
        person_id=person.id,
    )
    session.add(key)
    session.flush()
    return key, token


def check_password(session: Session, *, login: str, password: str) -> Person:
    """The person whose ``login`` and ``password`` these are, else :class:`Unauthorized`
    (the same answer for an unknown login, a wrong password and a disabled person)."""
    person = session.scalar(select(Person).where(Person.login == normal_login(login)))
    stored = person.password_hash if person is not None and person.password_hash else None
    try:
        _hasher.verify(stored or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized("unknown login or wrong password") from None
    if person is None or stored is None or person.disabled_at is not None:
        raise Unauthorized("unknown login or wrong password")
    if _hasher.check_needs_rehash(stored):
        person.password_hash = _hasher.hash(password)
    return person


def sign_in(session: Session, *, login: str, password: str) -> tuple[Person, ApiKey, str]:
    """Check the password and issue the person a token of their own."""
    person = check_password(session, login=login, password=password)
    key, token = issue_token(session, person, created_by=person.id)
    return person, key, token
