"""Console sign-in: a staff token once, then a signed session cookie; CSRF tokens on forms.

The cookie holds no token: ``key_id.expires.nonce.mac``, where ``mac`` is an HMAC-SHA256 keyed
with the server's session secret (``BILLING_SESSION_SECRET``) over the key id, the expiry, the
nonce and the key's stored hash. So a session works across workers without a session table,
cannot be forged by whoever can read the database (a stored hash is not the key), and dies
when its key is revoked or re-keyed (the stored hash changes), when the key stops being staff,
or when the secret changes. The cookie is HttpOnly and SameSite=Strict (Secure over https).

The secret comes from the process's settings (:func:`billing.settings.get_settings`), which
refuse to start in production without one; in development and tests a random secret is made
once per process (logged): sessions then end with the process and hold in that worker only.

Every form carries a CSRF token bound to the session (an HMAC of its key and nonce); the
sign-in form, before there is a session, carries a random token matched against a short-lived
cookie (the double-submit pattern).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import re
import secrets
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from billing.auth.service import Actor, Role, authenticate, is_revoked
from billing.console import repository
from billing.errors import Forbidden
from billing.settings import Settings, get_settings

SESSION_COOKIE = "billing_console"
LOGIN_COOKIE = "billing_console_login"
SESSION_SECONDS = 8 * 3600

log = logging.getLogger(__name__)
_COOKIE = re.compile(r"[A-Za-z0-9_-]{1,40}\.[0-9]{1,12}\.[A-Za-z0-9_-]{1,64}\.[0-9a-f]{64}")


class LoginRequired(Exception):
    """No valid console session: the console sends the browser to the sign-in page."""


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    actor: Actor
    csrf: str


@functools.cache
def _process_secret() -> bytes:
    log.warning(
        "BILLING_SESSION_SECRET is not set: console sessions are signed with a random secret "
        "made for this process; they end when it stops and are not valid in other workers"
    )
    return secrets.token_bytes(32)


def session_key(settings: Settings | None = None) -> bytes:
    """The key console sessions are signed with: ``BILLING_SESSION_SECRET`` of ``settings``
    (this process's by default), else a random one made once per process (development)."""
    settings = settings or get_settings()
    if settings.session_secret is not None:
        return settings.session_secret.get_secret_value().encode()
    return _process_secret()


def _mac(secret: bytes, message: str) -> str:
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def sign_in(session: Session, token: str, *, secret: bytes | None = None) -> tuple[Actor, str]:
    """The staff actor of ``token`` and a session cookie value for it (401/403 otherwise)."""
    actor = authenticate(session, token.strip() or None)
    if actor.role is not Role.STAFF:
        raise Forbidden("the console is for staff tokens only")
    key = repository.api_key(session, actor.key_id)
    assert key is not None
    expires = int(time.time()) + SESSION_SECONDS
    message = f"{key.id}.{expires}.{secrets.token_urlsafe(16)}"
    mac = _mac(secret or session_key(), f"session.{message}.{key.token_hash}")
    return actor, f"{message}.{mac}"


def read_session(
    session: Session, cookie: str | None, *, secret: bytes | None = None
) -> ConsoleSession:
    """The console session of a cookie value, or :class:`LoginRequired`."""
    # Only what sign_in writes: compare_digest refuses non-ASCII text and PostgreSQL a NUL.
    if not cookie or not _COOKIE.fullmatch(cookie):
        raise LoginRequired
    key_id, expires, nonce, mac = cookie.split(".")
    if int(expires) < time.time():
        raise LoginRequired
    key = repository.api_key(session, key_id)
    if key is None or key.role != Role.STAFF.value or is_revoked(key):
        raise LoginRequired
    secret = secret or session_key()
    expected = _mac(secret, f"session.{key_id}.{expires}.{nonce}.{key.token_hash}")
    if not hmac.compare_digest(mac, expected):
        raise LoginRequired
    actor = Actor(key.id, Role(key.role), key.customer_id, key.person_id)
    return ConsoleSession(actor, _mac(secret, f"csrf.{key_id}.{nonce}"))


def csrf_ok(expected: str, given: str | None) -> bool:
    if not given or not given.isascii():
        return False
    return hmac.compare_digest(expected, given)


def new_login_nonce() -> str:
    return secrets.token_urlsafe(24)
