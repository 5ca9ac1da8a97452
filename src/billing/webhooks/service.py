"""Delivering the event feed to webhook endpoints.

Each endpoint has a cursor: the last event it acknowledged (any 2xx). A dispatch pass sends it
the events after its cursor in feed order, one at a time, and stops at the first failure; the
endpoint is retried from there after a backoff (30 s doubling up to an hour). So delivery is
at least once and in order (hence in order per subscription), and a receiver that is down for
an hour loses nothing: the events wait in the feed. Every attempt is logged.

Requests are POSTs of the event as JSON, signed: ``Billing-Signature: t=<unix time>,v1=<hex>``
where the hex is HMAC-SHA256 over ``"<t>.<body>"`` with the endpoint's secret.

Receivers are public https URLs (:mod:`billing.webhooks.targets`): checked when registered and
again, after resolving the host, at each pass; a pass connects to the addresses it checked,
sends through no proxy and follows no redirect (a 3xx is a failure). A target refused at
delivery is logged as a failed attempt (``webhook_url_not_allowed: …``) and nothing is sent.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import secrets
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from billing.clock import utcnow
from billing.errors import NotFound
from billing.events.service import event_out, page
from billing.ids import new_id
from billing.storage.db import is_postgres, unit_of_work
from billing.storage.models import OutboxEvent, WebhookDelivery, WebhookEndpoint
from billing.webhooks.targets import (
    Resolver,
    Target,
    TargetPolicy,
    TargetRefused,
    check_url,
    resolve_target,
    system_resolver,
)

BATCH = 100
TIMEOUT_SECONDS = 5.0
FIRST_BACKOFF = 30
MAX_BACKOFF = 3600


@dataclass(frozen=True, slots=True)
class Response:
    status: int | None
    error: str | None


#: How a request is sent: (checked target, body, headers) -> Response. Tests may pass their own.
Sender = Callable[[Target, bytes, dict[str, str]], Response]


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300) -> bool:
    """For receivers (and tests): check a Billing-Signature header."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


@lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


def _connect(target: Target) -> socket.socket:
    """A connection to one of the addresses that were checked (never a fresh lookup)."""
    failure: OSError = OSError(f"{target.host}: no address to connect to")
    for address in target.addresses:
        try:
            return socket.create_connection((address, target.port), timeout=TIMEOUT_SECONDS)
        except OSError as exc:
            failure = exc
    raise failure


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target) -> None:
        super().__init__(target.host, target.port, timeout=TIMEOUT_SECONDS)
        self.target = target

    def connect(self) -> None:
        self.sock = _connect(self.target)


class _PinnedHTTPS(_PinnedHTTP):
    default_port = 443

    def connect(self) -> None:
        self.sock = _tls().wrap_socket(_connect(self.target), server_hostname=self.target.host)


def http_sender(target: Target, body: bytes, headers: dict[str, str]) -> Response:
    """POST to the target's checked addresses; no proxy, no redirect followed."""
    conn = (_PinnedHTTPS if target.scheme == "https" else _PinnedHTTP)(target)
    try:
        conn.request("POST", target.path, body=body, headers=headers)
        status = conn.getresponse().status
    except (OSError, http.client.HTTPException) as exc:
        return Response(None, (str(exc) or type(exc).__name__)[:500])
    finally:
        conn.close()
    return Response(status, None if 200 <= status < 300 else f"HTTP {status}")


def create_endpoint(
    session: Session, *, url: str, description: str | None, types: list[str] | None
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        id=new_id("whe"),
        url=check_url(url, TargetPolicy.of(session.info)),
        secret="whsec_" + secrets.token_urlsafe(32),
        description=description,
        types=types,
        active=True,
        cursor=0,
        failures=0,
        next_attempt_at=None,
        created_at=utcnow(),
    )
    session.add(endpoint)
    session.flush()
    return endpoint


def endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def get_endpoint(session: Session, endpoint_id: str) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(f"webhook endpoint {endpoint_id} not found")
    return endpoint


def backoff(failures: int) -> timedelta:
    return timedelta(seconds=min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** max(0, failures - 1)))


def _due_endpoints(session: Session, now: datetime) -> list[str]:
    rows = session.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.next_attempt_at)
        .where(WebhookEndpoint.active.is_(True))
        .order_by(WebhookEndpoint.id)
    ).all()
    return [eid for eid, at in rows if at is None or at <= now]


def deliver_endpoint(
    factory: sessionmaker[Session],
    endpoint_id: str,
    *,
    now: datetime,
    sender: Sender = http_sender,
    resolver: Resolver = system_resolver,
) -> dict[str, Any]:
    """One pass for one endpoint: send what is after its cursor, stop at the first failure.

    The endpoint row stays locked for the pass (``SKIP LOCKED`` on PostgreSQL), so two
    dispatchers never send to one endpoint at once. The target is resolved and checked once
    per pass, before anything is sent."""
    with unit_of_work(factory) as session:
        q = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
        if is_postgres(session):
            q = q.with_for_update(skip_locked=True)
        endpoint = session.scalars(q).first()
        if endpoint is None or not endpoint.active:
            return {"endpoint_id": endpoint_id, "sent": 0, "skipped": True}
        if endpoint.next_attempt_at is not None and endpoint.next_attempt_at > now:
            return {"endpoint_id": endpoint_id, "sent": 0, "waiting": True}
        events = page(session, after=endpoint.cursor, limit=BATCH, types=endpoint.types)
        if not events:
            return {"endpoint_id": endpoint_id, "sent": 0, "failed": False}
        try:
            target = resolve_target(endpoint.url, TargetPolicy.of(session.info), resolver)
        except TargetRefused as refused:
            error = f"webhook_url_not_allowed: {refused.reason}"
            _log(session, endpoint, events[0], Response(None, error[:500]), 0, now=now)
            return {"endpoint_id": endpoint_id, "sent": 0, "failed": True}
        except OSError as exc:
            error = f"{endpoint.url}: no address ({exc})"
            _log(session, endpoint, events[0], Response(None, error[:500]), 0, now=now)
            return {"endpoint_id": endpoint_id, "sent": 0, "failed": True}
        sent = _send(session, endpoint, events, target, sender, now=now)
    return {"endpoint_id": endpoint_id, "sent": sent, "failed": sent < len(events)}


def _send(
    session: Session,
    endpoint: WebhookEndpoint,
    events: Sequence[OutboxEvent],
    target: Target,
    sender: Sender,
    *,
    now: datetime,
) -> int:
    """Send ``events`` in order until one fails; how many were acknowledged."""
    for sent, event in enumerate(events):
        body = json.dumps(event_out(event), separators=(",", ":"), sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "billing-webhooks/1",
            "Billing-Event-Id": event.id,
            "Billing-Event-Type": event.type,
            "Billing-Event-Seq": str(event.seq),
            "Billing-Signature": sign(endpoint.secret, int(time.time()), body),
        }
        started = time.monotonic()
        response = sender(target, body, headers)
        if not _log(session, endpoint, event, response, started, now=now):
            return sent
    return len(events)


def _log(
    session: Session,
    endpoint: WebhookEndpoint,
    event: OutboxEvent,
    response: Response,
    started: float,
    *,
    now: datetime,
) -> bool:
    """Record one attempt and move the endpoint on (cursor) or back (backoff); whether it
    succeeded. ``started == 0``: nothing was sent."""
    ok = response.status is not None and 200 <= response.status < 300
    elapsed = int((time.monotonic() - started) * 1000) if started else 0
    session.add(
        WebhookDelivery(
            endpoint_id=endpoint.id,
            event_seq=event.seq,
            event_type=event.type,
            attempt=endpoint.failures + 1,
            status_code=response.status,
            error=response.error,
            succeeded=ok,
            duration_ms=elapsed,
            attempted_at=utcnow(),
        )
    )
    if ok:
        endpoint.cursor = event.seq
        endpoint.failures = 0
        endpoint.next_attempt_at = None
    else:
        endpoint.failures += 1
        endpoint.next_attempt_at = now + backoff(endpoint.failures)
    return ok


def dispatch(
    factory: sessionmaker[Session],
    *,
    now: datetime | None = None,
    sender: Sender = http_sender,
    resolver: Resolver = system_resolver,
) -> dict[str, Any]:
    """One dispatch pass over every endpoint that is due; bounded (BATCH events each)."""
    now = now or utcnow()
    with unit_of_work(factory) as session:
        ids = _due_endpoints(session, now)
    results = [
        deliver_endpoint(factory, eid, now=now, sender=sender, resolver=resolver) for eid in ids
    ]
    return {"endpoints": results, "sent": sum(r["sent"] for r in results)}


def endpoint_out(e: WebhookEndpoint, *, with_secret: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": e.id,
        "url": e.url,
        "description": e.description,
        "types": e.types,
        "active": e.active,
        "cursor": str(e.cursor),
        "failures": e.failures,
        "next_attempt_at": e.next_attempt_at.isoformat() if e.next_attempt_at else None,
        "created_at": e.created_at.isoformat(),
    }
    if with_secret:
        out["secret"] = e.secret
    return out


def deliveries(
    session: Session, endpoint_id: str, *, after: int | None, limit: int
) -> list[WebhookDelivery]:
    q = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.id)
        .limit(limit)
    )
    if after is not None:
        q = q.where(WebhookDelivery.id > after)
    return list(session.scalars(q))


def delivery_out(d: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": str(d.id),
        "event_seq": str(d.event_seq),
        "event_type": d.event_type,
        "attempt": d.attempt,
        "status_code": d.status_code,
        "error": d.error,
        "succeeded": d.succeeded,
        "duration_ms": d.duration_ms,
        "attempted_at": d.attempted_at.isoformat(),
    }
