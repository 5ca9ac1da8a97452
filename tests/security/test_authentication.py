"""Authentication comes first and fails safely: nothing is stored for an unknown token (an
idempotency key included), failed attempts are limited per client address without ever
refusing a valid token, and a revoked key stops at once in its process and within the cache
bound in every other."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from billing.auth.guard import guard_of
from billing.auth.limiter import FailureLimiter, client_key
from billing.auth.service import BOOTSTRAP_KEY_ID, ensure_bootstrap_key
from billing.storage.db import unit_of_work
from billing.storage.models import ApiKey
from tests.api.helpers import api_key, ok
from tests.conftest import ADMIN_TOKEN, Api, add_test_seller
from tests.console.helpers import sign_in
from tests.security.helpers import assert_problem, snapshot

CUSTOMER = {"name": "Acme AB", "currency": "SEK"}


def keyed(key: str, token: str | None = None) -> dict[str, str]:
    headers = {"Idempotency-Key": key}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return headers


class TestIdempotencyAfterAuthentication:
    def test_an_unknown_or_missing_token_stores_nothing(self, api: Api) -> None:
        before = snapshot(api)
        for headers in (keyed("k-1"), keyed("k-1", "wrong-token"), keyed("k-2", "")):
            r = api.client.post("/v1/customers", json=CUSTOMER, headers=headers)
            assert_problem(r, 401, "unauthorized")
        assert snapshot(api) == before
        # The key is not taken: the real caller's first request with it runs.
        first = api.post("/v1/customers", CUSTOMER, headers=keyed("k-1"))
        assert first.status_code == 201 and "idempotent-replayed" not in first.headers

    def test_a_forbidden_request_keeps_no_key(self, api: Api) -> None:
        integration = api_key(api, "integration")
        before = snapshot(api)
        for _ in range(2):
            r = integration.post("/v1/api-keys", {"role": "staff"}, headers=keyed("k-3"))
            assert_problem(r, 403, "forbidden")
            assert "idempotent-replayed" not in r.headers
        assert snapshot(api) == before

    def test_keys_still_replay_for_their_caller(self, api: Api) -> None:
        first = api.post("/v1/customers", CUSTOMER, headers=keyed("k-4"))
        again = api.post("/v1/customers", CUSTOMER, headers=keyed("k-4"))
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json()


def limited_app(make_app: Callable[..., Any], **settings: Any) -> Any:
    return make_app(auth_failure_limit=5, auth_failure_window_seconds=60, **settings)


@pytest.fixture
def limited(make_app: Callable[..., Any]) -> Iterator[Api]:
    with TestClient(limited_app(make_app), client=("203.0.113.7", 50000)) as client:
        api = Api(client)
        add_test_seller(api)
        yield api


class TestFailedAuthenticationLimit:
    def test_past_the_limit_unknown_tokens_are_429_and_valid_ones_still_work(
        self, limited: Api
    ) -> None:
        api = limited
        wrong = api.as_token("not-a-real-token")
        before = snapshot(api)
        for _ in range(5):
            assert_problem(wrong.get("/v1/customers"), 401, "unauthorized")
        for _ in range(3):
            r = wrong.post("/v1/customers", CUSTOMER, headers={"Idempotency-Key": "x"})
            body = assert_problem(r, 429, "too_many_failed_attempts")
            assert 1 <= int(r.headers["Retry-After"]) <= 60
            assert body["title"] == "Too many requests"
        assert snapshot(api) == before
        # A valid token from the same address is never refused.
        assert ok(api.get("/v1/customers"))["data"] == []
        assert api.post("/v1/customers", CUSTOMER).status_code == 201

    def test_the_issues_reproducer_200_wrong_tokens(self, api: Api) -> None:
        """With the default settings (20 a minute): 20 x 401, then 429 for the other 180."""
        before = snapshot(api)
        codes = [api.as_token(f"wrong-{n}").get("/v1/customers").status_code for n in range(200)]
        assert (codes.count(401), codes.count(429)) == (20, 180) and codes[:20] == [401] * 20
        assert snapshot(api) == before
        assert api.get("/v1/customers").status_code == 200

    def test_requests_without_a_token_are_not_counted(self, limited: Api) -> None:
        anonymous = Api(limited.client, token="")
        for _ in range(12):
            assert_problem(anonymous.get("/v1/customers"), 401, "unauthorized")
        assert_problem(limited.as_token("nope").get("/v1/customers"), 401, "unauthorized")

    def test_each_address_has_its_own_limit(self, make_app: Callable[..., Any]) -> None:
        app = limited_app(make_app)
        with (
            TestClient(app, client=("198.51.100.1", 1)) as one,
            TestClient(app, client=("198.51.100.2", 1)) as two,
        ):
            for _ in range(6):
                one.get("/v1/customers", headers={"Authorization": "Bearer nope"})
            r = one.get("/v1/customers", headers={"Authorization": "Bearer nope"})
            assert_problem(r, 429, "too_many_failed_attempts")
            r = two.get("/v1/customers", headers={"Authorization": "Bearer nope"})
            assert_problem(r, 401, "unauthorized")

    def test_the_console_sign_in_is_limited_too(self, limited: Api) -> None:
        for _ in range(5):
            assert sign_in(limited.client, "not-a-token").status_code == 401
        r = sign_in(limited.client, "not-a-token")
        assert r.status_code == 429 and "Too many failed sign-ins" in r.text
        assert int(r.headers["Retry-After"]) >= 1
        assert sign_in(limited.client).status_code == 303  # the staff token still signs in


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TestFailureLimiter:
    def test_sliding_window(self) -> None:
        clock = Clock()
        limiter = FailureLimiter(limit=3, window=60, max_clients=10, clock=clock)
        assert [limiter.failed("a") for _ in range(3)] == [None, None, None]
        assert limiter.failed("a") == 60
        clock.now += 30
        assert limiter.failed("a") == 30  # the oldest kept failure leaves in 30 s
        clock.now += 61
        assert limiter.failed("a") is None

    def test_memory_is_bounded(self) -> None:
        limiter = FailureLimiter(limit=20, window=60, max_clients=100, clock=Clock())
        for n in range(10_000):
            limiter.failed(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}")
        assert limiter.tracked() == 100

    def test_ipv6_clients_count_by_their_64(self) -> None:
        assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::9")
        assert client_key("2001:db8:1:2::1") != client_key("2001:db8:1:3::1")
        assert client_key("::ffff:198.51.100.1") == "198.51.100.1"
        assert client_key(None) == "unknown" and client_key("testclient") == "testclient"


class TestRevocation:
    def test_a_revoked_key_stops_at_once_in_its_process(self, api: Api) -> None:
        key = ok(api.post("/v1/api-keys", {"role": "integration"}), 201)
        caller = api.as_token(key["token"])
        assert caller.get("/v1/invoices").status_code == 200  # now remembered
        guard_of(api.client.app.state).revoke(key["id"])
        assert_problem(caller.get("/v1/invoices"), 401, "unauthorized")
        with api.client.app.state.engine.connect() as conn:
            kept = conn.execute(ApiKey.__table__.select().where(ApiKey.id == key["id"])).one()
        assert kept.role == "integration" and kept.token_hash.startswith("revoked:")

    def test_other_processes_stop_within_the_cache_bound(
        self, api: Api, make_app: Callable[..., Any]
    ) -> None:
        key = ok(api.post("/v1/api-keys", {"role": "integration"}), 201)
        with TestClient(make_app(auth_cache_seconds=0.5)) as other:
            caller = Api(other, key["token"])
            assert caller.get("/v1/invoices").status_code == 200
            guard_of(api.client.app.state).revoke(key["id"])
            revoked_at = time.monotonic()
            while caller.get("/v1/invoices").status_code == 200:
                time.sleep(0.02)
            assert time.monotonic() - revoked_at <= 0.5 + 0.3

    def test_a_revoked_bootstrap_key_is_not_recreated_by_a_restart(self, api: Api) -> None:
        guard_of(api.client.app.state).revoke(BOOTSTRAP_KEY_ID)
        with unit_of_work(api.client.app.state.session_factory) as session:
            ensure_bootstrap_key(session, ADMIN_TOKEN)
        assert_problem(api.get("/v1/customers"), 401, "unauthorized")
