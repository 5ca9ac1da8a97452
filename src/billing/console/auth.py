"""Console sign-in: a staff token once, then a signed session cookie; CSRF tokens on forms.

The cookie holds no token: ``key_id.expires.nonce.mac``, where ``mac`` is an HMAC keyed with
the API key's stored hash (a secret that never leaves the server, different per key), so the
session works across workers without a session table, dies with the key, and cannot be forged
without the database. The cookie is HttpOnly and SameSite=Strict (Secure over https).

Every form carries a CSRF token bound to the session (an HMAC of its nonce); the sign-in form,
before there is a session, carries a random token matched against a short-lived cookie (the
double-submit pattern).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from billing.auth.service import Actor, Role, authenticate
from billing.console import repository
from billing.errors import Forbidden

SESSION_COOKIE = "billing_console"
LOGIN_COOKIE = "billing_console_login"
SESSION_SECONDS = 8 * 3600


class LoginRequired(Exception):
    """No valid console session: the console sends the browser to the sign-in page."""


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    actor: Actor
    csrf: str


def _mac(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def sign_in(session: Session, token: str) -> tuple[Actor, str]:
    """The staff actor of ``token`` and a session cookie value for it (401/403 otherwise)."""
    actor = authenticate(session, token.strip() or None)
    if actor.role is not Role.STAFF:
        raise Forbidden("the console is for staff tokens only")
    key = repository.api_key(session, actor.key_id)
    assert key is not None
    expires = int(time.time()) + SESSION_SECONDS
    message = f"{key.id}.{expires}.{secrets.token_urlsafe(16)}"
    return actor, f"{message}.{_mac(key.token_hash, message)}"


def read_session(session: Session, cookie: str | None) -> ConsoleSession:
    """The console session of a cookie value, or :class:`LoginRequired`."""
    if not cookie or cookie.count(".") != 3:
        raise LoginRequired
    key_id, expires, nonce, mac = cookie.split(".")
    if not expires.isdigit() or int(expires) < time.time():
        raise LoginRequired
    key = repository.api_key(session, key_id)
    if key is None or key.role != Role.STAFF.value:
        raise LoginRequired
    if not hmac.compare_digest(mac, _mac(key.token_hash, f"{key_id}.{expires}.{nonce}")):
        raise LoginRequired
    actor = Actor(key.id, Role(key.role), key.customer_id)
    return ConsoleSession(actor, _mac(key.token_hash, f"csrf.{nonce}"))


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected, given or "")


def new_login_nonce() -> str:
    return secrets.token_urlsafe(24)
