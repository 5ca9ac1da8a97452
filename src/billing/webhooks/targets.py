"""Where a webhook may be sent: public receivers over https, checked twice.

A webhook makes the server send a request to a URL a caller chose, so a URL aimed inside (the
cloud's metadata service at ``169.254.169.254``, the database's port on ``localhost``, an
internal host) would let the caller reach what only the server can (server-side request
forgery). So:

- At registration (:func:`check_url`, no DNS): an absolute ``https`` URL (``http`` only with
  ``BILLING_WEBHOOK_ALLOW_PRIVATE``, for development and tests), without credentials
  (``user:pass@``), whose host is a DNS name with at least one dot and not a local one
  (``localhost``, ``*.local``, ``*.internal`` …), or an IP address in its standard form that is
  public. Numbers in other forms (``2130706433``, ``0x7f.1``, ``0177.0.0.1``, ``127.1``), which
  some resolvers read as addresses, are refused outright.
- At delivery (:func:`resolve_target`): the host is resolved and *every* address must be
  public, so a name that was public at registration and now points inside (DNS rebinding) is
  refused; the connection then goes to the address that was checked (pinned), so a second
  lookup cannot change it. The delivery is logged as failed with the reason; nothing is sent.

Public means globally routable: not loopback, private (RFC 1918, unique-local ``fc00::/7``),
shared (``100.64.0.0/10``), link-local, multicast, unspecified, reserved or documentation
ranges; an IPv6 address embedding an IPv4 one (mapped ``::ffff:a.b.c.d``, 6to4, NAT64) is
judged by the IPv4 address. ``BILLING_WEBHOOK_ALLOW_PRIVATE`` admits loopback and private
addresses and local names (never link-local, multicast, unspecified or reserved ones);
``BILLING_WEBHOOK_ALLOWED_HOSTS`` names hosts a deployment trusts whatever they resolve to.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from billing.domain.errors import InvalidInput
from billing.settings import WEBHOOK_ALLOW_PRIVATE, WEBHOOK_ALLOWED_HOSTS, get_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Name suffixes that never name a public host (RFC 6761, 6762, 8375 and common practice).
LOCAL_SUFFIXES = (
    "localhost",
    "localdomain",
    "local",
    "internal",
    "intranet",
    "lan",
    "home.arpa",
    "corp",
)

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")
_PRIVATE = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
#: The last label of a host that a URL parser reads as a number (WHATWG "ends in a number").
_NUMERIC_LABEL = re.compile(r"(0x[0-9a-f]*|[0-9]+)")
_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?")


class TargetRefused(Exception):
    """A webhook target that may not be used; ``reason`` says why, for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def as_input_error(self) -> InvalidInput:
        return InvalidInput(
            f"webhook url not allowed: {self.reason}", code="webhook_url_not_allowed"
        )


@dataclass(frozen=True, slots=True)
class TargetPolicy:
    """What a deployment admits beyond public https receivers."""

    allow_private: bool = False
    allowed_hosts: frozenset[str] = frozenset()

    @classmethod
    def of(cls, info: Mapping[str, Any]) -> TargetPolicy:
        """The policy a database session carries (``billing.settings.session_info``), else
        this process's settings."""
        if WEBHOOK_ALLOW_PRIVATE not in info:
            settings = get_settings()
            return cls(settings.webhook_allow_private, settings.webhook_allowed_hosts)
        return cls(bool(info[WEBHOOK_ALLOW_PRIVATE]), frozenset(info[WEBHOOK_ALLOWED_HOSTS]))


@dataclass(frozen=True, slots=True)
class Target:
    """A checked receiver: the addresses to connect to (in order) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


#: How a host is resolved: (host, port) -> its addresses. Tests pass their own.
Resolver = Callable[[str, int], list[str]]


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True, slots=True)
class _Parts:
    scheme: str
    host: str
    port: int
    path: str


def _parse(url: str) -> _Parts:
    """The parts of an absolute http(s) URL, or ``invalid_url``; credentials are refused."""
    invalid = InvalidInput("a webhook url is an absolute http(s) URL", code="invalid_url")
    if not url.isascii() or any(c.isspace() or not c.isprintable() for c in url):
        raise invalid
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid
    if "@" in parts.netloc:
        raise TargetRefused("credentials in the URL (user:password@) are not allowed")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise invalid from None
    host = unquote(parts.hostname or "").rstrip(".")
    if not host or port == 0:
        raise invalid
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Parts(parts.scheme, host, port, path)


def check_url(url: str, policy: TargetPolicy) -> str:
    """``url`` if it may be registered as a webhook endpoint (see the module docstring);
    ``invalid_url`` or ``webhook_url_not_allowed`` (422) otherwise."""
    try:
        parts = _parse(url)
        if parts.scheme != "https" and not policy.allow_private:
            raise TargetRefused("webhooks are sent over https only")
        _check_host(parts.host, policy)
    except TargetRefused as refused:
        raise refused.as_input_error() from None
    return url


def resolve_target(url: str, policy: TargetPolicy, resolver: Resolver) -> Target:
    """Where a delivery to ``url`` connects: the host's addresses, once every one is allowed
    (:class:`TargetRefused` otherwise; ``OSError`` if the host does not resolve)."""
    try:
        parts = _parse(url)
    except InvalidInput as exc:
        raise TargetRefused(exc.detail) from None
    if parts.scheme != "https" and not policy.allow_private:
        raise TargetRefused("webhooks are sent over https only")
    _check_host(parts.host, policy)
    addresses = tuple(dict.fromkeys(resolver(parts.host, parts.port)))
    if not addresses:
        raise OSError(f"{parts.host} has no address")
    if parts.host.lower() not in policy.allowed_hosts:
        for raw in addresses:
            why = address_refusal(ipaddress.ip_address(raw.split("%", 1)[0]), policy)
            if why is not None:
                raise TargetRefused(f"{parts.host} resolves to {raw}, {why}")
    return Target(parts.scheme, parts.host, parts.port, parts.path, addresses)


def _check_host(host: str, policy: TargetPolicy) -> None:
    name = host.lower()
    if name in policy.allowed_hosts:
        return
    if ":" in name:
        try:
            address: IPAddress = ipaddress.IPv6Address(name)
        except ValueError:
            raise TargetRefused(f"{host} is not an IP address") from None
    else:
        labels = name.split(".")
        if not _NUMERIC_LABEL.fullmatch(labels[-1]):
            _check_name(name, labels, policy)
            return
        try:
            address = ipaddress.IPv4Address(name)
        except ValueError:
            raise TargetRefused(
                f"{host} reads as an IP address in a non-standard form; write a.b.c.d"
            ) from None
    why = address_refusal(address, policy)
    if why is not None:
        raise TargetRefused(f"{host} is {why}")


def _check_name(name: str, labels: list[str], policy: TargetPolicy) -> None:
    if not all(_LABEL.fullmatch(label) for label in labels):
        raise TargetRefused(f"{name} is not a valid host name")
    if policy.allow_private:
        return
    if len(labels) == 1:
        raise TargetRefused(f"{name} is a single-label (internal) host name")
    if any(name == s or name.endswith("." + s) for s in LOCAL_SUFFIXES):
        raise TargetRefused(f"{name} is a local host name")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


def address_refusal(address: IPAddress, policy: TargetPolicy) -> str | None:
    """Why a webhook may not go to ``address`` ("a loopback address", …), or ``None``."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            return "a scoped (link-local) address"
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return address_refusal(embedded, policy)
    for test, what in (
        (address.is_unspecified, "the unspecified address"),
        (address.is_link_local, "a link-local address (metadata services live there)"),
        (address.is_multicast, "a multicast address"),
    ):
        if test:
            return what
    if address.is_loopback:
        return None if policy.allow_private else "a loopback address"
    if any(address in net for net in _PRIVATE) or address in _SHARED:
        return None if policy.allow_private else "a private address"
    if address.is_reserved:
        return "a reserved address"
    if not address.is_global:
        return "not a globally routable address"
    return None
