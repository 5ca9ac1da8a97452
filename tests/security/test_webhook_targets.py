"""Webhooks cannot be aimed inside: refused at registration (syntax: scheme, credentials, IP
literals in every spelling, local names) and again at delivery (what the name resolves to now),
where the connection goes to the checked address and no redirect is followed."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient

from billing.domain.errors import InvalidInput
from billing.webhooks import service as webhooks
from billing.webhooks.targets import Target, TargetPolicy, TargetRefused, check_url, resolve_target
from tests.conftest import Api, add_test_seller
from tests.security.helpers import assert_problem, snapshot

STRICT = TargetPolicy()
DEV = TargetPolicy(allow_private=True)

#: (url, what the refusal names) — refused under the default policy.
REFUSED = [
    ("http://hooks.example.com/x", "https only"),
    ("https://user:pw@hooks.example.com/x", "credentials"),
    ("https://user@hooks.example.com/x", "credentials"),
    ("https://169.254.169.254/latest/meta-data/", "link-local"),
    ("https://127.0.0.1:5432/", "loopback"),
    ("https://127.8.9.10/", "loopback"),
    ("https://10.0.0.5/", "private"),
    ("https://172.16.3.4/", "private"),
    ("https://192.168.1.1/", "private"),
    ("https://100.64.0.1/", "private"),
    ("https://0.0.0.0/", "unspecified"),
    ("https://224.0.0.1/", "multicast"),
    ("https://240.0.0.1/", "reserved"),
    ("https://255.255.255.255/", "reserved"),
    ("https://192.0.2.10/", "routable"),
    ("https://[::1]/", "loopback"),
    ("https://[::]/", "unspecified"),
    ("https://[fe80::1]/", "link-local"),
    ("https://[fe80::1%25eth0]/", "scoped"),
    ("https://[fd00::1]/", "private"),
    ("https://[ff02::1]/", "multicast"),
    ("https://[::ffff:127.0.0.1]/", "loopback"),
    ("https://[::ffff:169.254.169.254]/", "link-local"),
    ("https://[::ffff:a9fe:a9fe]/", "link-local"),
    ("https://[2002:7f00:1::]/", "loopback"),  # 6to4 of 127.0.0.1
    ("https://[64:ff9b::a00:1]/", "private"),  # NAT64 of 10.0.0.1
    ("https://[2001:db8::1]/", "routable"),
    ("https://2130706433/", "non-standard"),  # 127.0.0.1 as one decimal number
    ("https://0x7f000001/", "non-standard"),
    ("https://0x7f.0.0.1/", "non-standard"),
    ("https://0177.0.0.1/", "non-standard"),  # octal
    ("https://127.1/", "non-standard"),
    ("https://1.2.3.4.5/", "non-standard"),
    ("https://localhost/", "single-label"),
    ("https://localhost./", "single-label"),
    ("https://api.localhost/", "local host name"),
    ("https://db.internal:5432/", "local host name"),
    ("https://metadata.google.internal/", "local host name"),
    ("https://printer.local/", "local host name"),
    ("https://router.home.arpa/", "local host name"),
    ("https://postgres:5432/", "single-label"),
    ("https://metadata/computeMetadata/v1/", "single-label"),
    ("https://bad_host-.example.com/", "valid host name"),
]

INVALID = ["ftp://example.com/x", "https:///x", "//example.com/x", "https://ex ample.com/", "x"]

ACCEPTED = [
    "https://hooks.example.com/billing?x=1",
    "https://hooks.example.com:8443/billing",
    "https://93.184.215.14/hook",
    "https://[2606:4700::6810:84e5]/hook",
    "https://xn--bcher-kva.example/hook",
]


class TestRegistration:
    @pytest.mark.parametrize(("url", "why"), REFUSED)
    def test_refused(self, url: str, why: str) -> None:
        with pytest.raises(InvalidInput) as refused:
            check_url(url, STRICT)
        assert refused.value.code == "webhook_url_not_allowed"
        assert why in refused.value.detail

    @pytest.mark.parametrize("url", INVALID)
    def test_not_a_url(self, url: str) -> None:
        with pytest.raises(InvalidInput) as refused:
            check_url(url, STRICT)
        assert refused.value.code == "invalid_url"

    @pytest.mark.parametrize("url", ACCEPTED)
    def test_public_https_is_accepted(self, url: str) -> None:
        assert check_url(url, STRICT) == url

    def test_development_admits_http_loopback_and_private_but_not_metadata(self) -> None:
        for url in ("http://127.0.0.1:9/x", "http://localhost:8080/", "https://10.1.2.3/"):
            assert check_url(url, DEV) == url
        for url in (
            "http://169.254.169.254/",
            "http://[fe80::1]/",
            "http://0.0.0.0/",
            "http://2130706433/",
            "http://u:p@127.0.0.1/",
        ):
            with pytest.raises(InvalidInput):
                check_url(url, DEV)

    def test_allowed_hosts_are_trusted_but_https_stays_required(self) -> None:
        trusted = TargetPolicy(allowed_hosts=frozenset({"erp.internal", "10.0.0.9"}))
        assert check_url("https://erp.internal/hook", trusted)
        assert check_url("https://10.0.0.9/hook", trusted)
        with pytest.raises(InvalidInput):
            check_url("http://erp.internal/hook", trusted)
        with pytest.raises(InvalidInput):
            check_url("https://other.internal/hook", trusted)


def resolving(table: dict[str, list[str]]) -> Callable[[str, int], list[str]]:
    def resolver(host: str, port: int) -> list[str]:
        return table[host]

    return resolver


class TestDelivery:
    def test_every_address_must_be_public(self) -> None:
        url = "https://hooks.example.com/x"
        target = resolve_target(url, STRICT, resolving({"hooks.example.com": ["93.184.215.14"]}))
        assert (target.host, target.port, target.path) == ("hooks.example.com", 443, "/x")
        assert target.addresses == ("93.184.215.14",)
        for inside in (["10.0.0.7"], ["93.184.215.14", "127.0.0.1"], ["::ffff:169.254.169.254"]):
            with pytest.raises(TargetRefused) as refused:
                resolve_target(url, STRICT, resolving({"hooks.example.com": inside}))
            assert "resolves to" in refused.value.reason

    def test_allowed_hosts_skip_the_address_check(self) -> None:
        trusted = TargetPolicy(allowed_hosts=frozenset({"erp.internal"}))
        target = resolve_target(
            "https://erp.internal/h", trusted, resolving({"erp.internal": ["10.0.0.9"]})
        )
        assert target.addresses == ("10.0.0.9",)


@pytest.fixture
def strict_api(make_app: Callable[..., Any]) -> Iterator[Api]:
    """The API with the default policy (no private targets), whatever the environment says."""
    with TestClient(make_app(webhook_allow_private=False, webhook_allowed_hosts="")) as client:
        api = Api(client)
        add_test_seller(api)
        yield api


def test_refusals_at_registration_are_problems_and_change_nothing(strict_api: Api) -> None:
    api = strict_api
    before = snapshot(api)
    for url, why in REFUSED[:12] + [("http://127.0.0.1:9/x", "https only")]:
        body = assert_problem(
            api.post("/v1/webhook-endpoints", {"url": url}), 422, "webhook_url_not_allowed"
        )
        assert why in body["detail"]
    keyed = {"Idempotency-Key": "k"}
    r = api.post("/v1/webhook-endpoints", {"url": "https://127.0.0.1/"}, headers=keyed)
    assert_problem(r, 422, "webhook_url_not_allowed")
    after = snapshot(api)
    assert after["rows"] == before["rows"]


class Recorder:
    def __init__(self) -> None:
        self.calls: list[Target] = []

    def __call__(self, target: Target, body: bytes, headers: dict[str, str]) -> Any:
        self.calls.append(target)
        return webhooks.Response(204, None)


def _life(api: Api) -> None:
    """Something on the feed (a subscription's start)."""
    api.today("2025-04-02")
    api.subscription(api.customer(), api.plan(), start_date="2025-04-02")


def test_dns_rebinding_is_refused_at_delivery_and_logged(strict_api: Api) -> None:
    api = strict_api
    endpoint = api.post("/v1/webhook-endpoints", {"url": "https://hooks.example.com/x"}).json()
    _life(api)
    factory = api.client.app.state.session_factory
    sender = Recorder()
    result = webhooks.dispatch(
        factory, sender=sender, resolver=resolving({"hooks.example.com": ["10.0.0.7"]})
    )
    assert result["sent"] == 0 and sender.calls == []
    log = api.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries").json()["data"]
    assert [(d["succeeded"], d["status_code"]) for d in log] == [(False, None)]
    assert log[0]["error"].startswith("webhook_url_not_allowed: hooks.example.com resolves to")
    state = api.get(f"/v1/webhook-endpoints/{endpoint['id']}").json()
    assert (state["cursor"], state["failures"]) == ("0", 1)

    # Once the name points outside again, the events go (to the address that was checked).
    later = webhooks.utcnow().replace(year=2100)
    public = resolving({"hooks.example.com": ["93.184.215.14"]})
    assert webhooks.dispatch(factory, now=later, sender=sender, resolver=public)["sent"] == 1
    assert sender.calls[0].addresses == ("93.184.215.14",)


def test_a_stored_internal_url_is_refused_at_delivery(strict_api: Api) -> None:
    """Endpoints registered before the check (or by hand) are checked when they are used."""
    api = strict_api
    factory = api.client.app.state.session_factory
    with factory() as session, session.begin():
        endpoint = webhooks.create_endpoint(
            session, url="https://hooks.example.com/x", description=None, types=None
        )
        endpoint.url = "http://169.254.169.254/latest/meta-data/"
        endpoint_id = endpoint.id
    _life(api)
    sender = Recorder()
    assert webhooks.dispatch(factory, sender=sender)["sent"] == 0
    assert sender.calls == []
    log = api.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries").json()["data"]
    assert log[0]["error"] == "webhook_url_not_allowed: webhooks are sent over https only"


class Receiver:
    """A loopback receiver answering ``status`` (with a Location header for redirects)."""

    def __init__(self, status: int = 204, location: str | None = None) -> None:
        self.requests: list[dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append(dict(self.headers.items()))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:  # noqa: N802
                outer.requests.append(dict(self.headers.items()))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def dev_api(make_app: Callable[..., Any]) -> Iterator[Api]:
    with TestClient(make_app(webhook_allow_private=True)) as client:
        yield Api(client)


def test_the_connection_goes_to_the_checked_address_and_redirects_are_not_followed(
    dev_api: Api,
) -> None:
    api = dev_api
    inside = Receiver()
    redirecting = Receiver(302, location=f"http://127.0.0.1:{inside.port}/stolen")
    try:
        url = f"http://receiver.test.example:{redirecting.port}/hook"
        endpoint = api.post("/v1/webhook-endpoints", {"url": url}).json()
        _life(api)
        factory = api.client.app.state.session_factory
        resolver = resolving({"receiver.test.example": ["127.0.0.1"]})
        assert webhooks.dispatch(factory, resolver=resolver)["sent"] == 0
        # Sent to the pinned address with the registered name as Host; the 302 is a failure.
        host = f"receiver.test.example:{redirecting.port}"
        assert [h["Host"] for h in redirecting.requests] == [host]
        assert inside.requests == []
        log = api.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries").json()["data"]
        assert [(d["status_code"], d["error"]) for d in log] == [(302, "HTTP 302")]
    finally:
        inside.close()
        redirecting.close()
