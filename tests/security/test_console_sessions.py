"""Console sessions are signed with the server's secret, not with anything stored: reading the
``api_keys`` table is not enough to forge one; a session dies with its key; production refuses
to start without a strong secret."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from billing.auth.guard import guard_of
from billing.auth.service import BOOTSTRAP_KEY_ID
from billing.console import auth
from billing.settings import Settings
from billing.storage.models import ApiKey
from tests.conftest import Api
from tests.console.helpers import sign_in

SECRET = "k7Qm2vX9pL4tR8wZ1cF6hJ3nB5yD0sGa"


def stored_hash(api: Api, key_id: str) -> str:
    with api.client.app.state.engine.connect() as conn:
        return str(conn.execute(select(ApiKey.token_hash).where(ApiKey.id == key_id)).scalar())


def signed(secret: bytes, key_id: str, token_hash: str, *, old_scheme: bool = False) -> str:
    expires = int(time.time()) + 3600
    message = f"{key_id}.{expires}.nonce"
    if old_scheme:  # what the console used to sign with: the stored hash
        mac = hmac.new(token_hash.encode(), message.encode(), hashlib.sha256)
        return f"{message}.{mac.hexdigest()}"
    mac = hmac.new(secret, f"session.{message}.{token_hash}".encode(), hashlib.sha256)
    return f"{message}.{mac.hexdigest()}"


def signed_in(api: Api, cookie: str) -> bool:
    api.client.cookies.set("billing_console", cookie)
    r = api.client.get("/console/customers", follow_redirects=False)
    return r.status_code == 200


def test_what_the_database_holds_does_not_make_a_session(api: Api) -> None:
    token_hash = stored_hash(api, BOOTSTRAP_KEY_ID)
    assert not signed_in(api, signed(b"", BOOTSTRAP_KEY_ID, token_hash, old_scheme=True))
    assert not signed_in(api, signed(b"guessed-secret", BOOTSTRAP_KEY_ID, token_hash))
    # With the server's secret (which only the server has) it would.
    assert signed_in(api, signed(auth.session_key(), BOOTSTRAP_KEY_ID, token_hash))


@pytest.mark.parametrize(
    "cookie",
    ["a.b.c.d", "key_x.99999999999999999999.n." + "0" * 64, "key\x00.1.n." + "0" * 64, "kéy.1.n.x"],
)
def test_malformed_cookies_are_no_session(api: Api, cookie: str) -> None:
    with api.client.app.state.read_session_factory() as session:
        with pytest.raises(auth.LoginRequired):
            auth.read_session(session, cookie)
    assert not auth.csrf_ok("abc", "åäö")


def test_a_session_dies_with_its_key(api: Api) -> None:
    assert sign_in(api.client).status_code == 303
    assert api.client.get("/console/customers", follow_redirects=False).status_code == 200
    guard_of(api.client.app.state).revoke(BOOTSTRAP_KEY_ID)
    r = api.client.get("/console/customers", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/login"


def test_a_session_is_bound_to_its_secret(api: Api) -> None:
    with api.client.app.state.read_session_factory() as session:
        _, cookie = auth.sign_in(session, "test-admin-token-0123456789", secret=SECRET.encode())
        assert auth.read_session(session, cookie, secret=SECRET.encode()).actor.key_id == (
            BOOTSTRAP_KEY_ID
        )
        with pytest.raises(auth.LoginRequired):
            auth.read_session(session, cookie, secret=b"another-secret-of-the-same-length")


class TestTheSecretSetting:
    def test_production_needs_a_strong_secret(self) -> None:
        for secret in (None, "short", "changethis" * 4, "a" * 40):
            with pytest.raises(ValidationError, match="BILLING_SESSION_SECRET"):
                Settings(environment="production", session_secret=secret)
        assert Settings(environment="production", session_secret=SECRET).session_secret

    def test_production_refuses_private_webhooks(self) -> None:
        with pytest.raises(ValidationError, match="BILLING_WEBHOOK_ALLOW_PRIVATE"):
            Settings(environment="production", session_secret=SECRET, webhook_allow_private=True)

    def test_a_short_secret_is_refused_everywhere(self) -> None:
        with pytest.raises(ValidationError, match="at least 32"):
            Settings(environment="development", session_secret="short")

    def test_development_without_one_makes_a_random_one_and_says_so(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        given = Settings(environment="development", session_secret=SECRET)
        assert auth.session_key(given) == SECRET.encode()
        auth._process_secret.cache_clear()
        with caplog.at_level(logging.WARNING, logger="billing.console.auth"):
            first = auth.session_key(Settings(environment="development"))
        assert len(first) == 32 and first == auth.session_key(Settings(environment="test"))
        assert "BILLING_SESSION_SECRET is not set" in caplog.text
