"""API keys: tokens are shown once and stored only as SHA-256 hashes.

A revoked key keeps its row (who made it, when, its role) but not its hash: ``token_hash``
becomes :data:`REVOKED` and a digest of the old hash, which no token hashes to. Revoking does
not reach a process's memory of recent tokens; :meth:`billing.auth.guard.Guard.revoke` does.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.clock import utcnow
from billing.domain.errors import InvalidInput
from billing.errors import NotFound, Unauthorized
from billing.ids import new_id
from billing.storage.models import ApiKey, Customer

BOOTSTRAP_KEY_ID = "key_bootstrap_admin"
#: The prefix of a revoked key's ``token_hash`` (a SHA-256 hex digest never has a colon).
REVOKED = "revoked:"

log = logging.getLogger(__name__)


class Role(StrEnum):
    STAFF = "staff"
    INTEGRATION = "integration"
    PORTAL = "portal"


@dataclass(frozen=True, slots=True)
class Actor:
    key_id: str
    role: Role
    customer_id: str | None = None
    #: The person the token was issued to (billing.auth.people); ``None`` for a service key.
    person_id: str | None = None

    @property
    def who(self) -> str:
        """Who acts: the person, else the key (what events, documents, payments and the
        activity log record)."""
        return self.person_id or self.key_id

    @property
    def name(self) -> str:
        """``role:who``, as timeline events, tasks and orders record their author (so a
        four-eyes check compares people, not their tokens)."""
        return f"{self.role.value}:{self.who}"

    @property
    def customer_scope(self) -> str | None:
        """The one customer whose rows this caller may see (a portal key's), or ``None`` for
        all; repositories filter by it, so another customer's row is simply not found."""
        return self.customer_id if self.role is Role.PORTAL else None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(authorization: str) -> str:
    """The token of an ``Authorization: Bearer <token>`` header ("" for none or another scheme)."""
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def authenticate(session: Session, token: str | None) -> Actor:
    if not token:
        raise Unauthorized("a bearer token is required")
    key = session.scalar(select(ApiKey).where(ApiKey.token_hash == hash_token(token)))
    if key is None:
        raise Unauthorized("unknown token")
    return Actor(key.id, Role(key.role), key.customer_id, key.person_id)


def revoked_hash(token_hash: str) -> str:
    """What a key's ``token_hash`` becomes when it is revoked (64 characters, unique as the
    hash it replaces)."""
    return REVOKED + hashlib.sha256(token_hash.encode()).hexdigest()[: 64 - len(REVOKED)]


def is_revoked(key: ApiKey) -> bool:
    return key.token_hash.startswith(REVOKED)


def revoke_api_key(session: Session, key_id: str) -> ApiKey:
    """Revoke the key ``key_id`` (idempotent); its token stops working once this commits."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"api key {key_id} not found")
    if not is_revoked(key):
        key.token_hash = revoked_hash(key.token_hash)
        session.flush()
    return key


def create_api_key(
    session: Session, *, role: Role, customer_id: str | None, created_by: Actor
) -> tuple[ApiKey, str]:
    if role is Role.PORTAL:
        if customer_id is None or session.get(Customer, customer_id) is None:
            raise NotFound("a portal key needs an existing customer_id")
    elif customer_id is not None:
        raise InvalidInput("only portal keys are bound to a customer")
    token = "bk_" + secrets.token_urlsafe(32)
    key = ApiKey(
        id=new_id("key"),
        role=role.value,
        customer_id=customer_id,
        token_hash=hash_token(token),
        created_at=utcnow(),
        created_by=created_by.who,
    )
    session.add(key)
    session.flush()
    return key, token


def ensure_bootstrap_key(session: Session, token: str) -> None:
    """The staff key of ``BILLING_ADMIN_TOKEN`` exists from start (idempotent)."""
    digest = hash_token(token)
    if session.scalar(select(ApiKey.id).where(ApiKey.token_hash == digest)) is not None:
        return
    existing = session.get(ApiKey, BOOTSTRAP_KEY_ID)
    if existing is not None and existing.token_hash == revoked_hash(digest):
        # Revoked: a restart with the same admin token does not bring it back.
        log.warning("the bootstrap key of BILLING_ADMIN_TOKEN is revoked; set a new token")
        return
    if existing is not None:
        # The admin token was changed: the old bootstrap key stops working.
        session.delete(existing)
        session.flush()
    session.add(
        ApiKey(
            id=BOOTSTRAP_KEY_ID,
            role=Role.STAFF.value,
            customer_id=None,
            token_hash=digest,
            created_at=utcnow(),
            created_by=None,
        )
    )
