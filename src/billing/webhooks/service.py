"""Delivering the event feed to webhook endpoints.

Each endpoint has a cursor: the last event it acknowledged (any 2xx). A dispatch pass sends it
the events after its cursor in feed order, one at a time, and stops at the first failure; the
endpoint is retried from there after a backoff (30 s doubling up to an hour). So delivery is
at least once and in order (hence in order per subscription), and a receiver that is down for
an hour loses nothing: the events wait in the feed. Every attempt is logged.

Requests are POSTs of the event as JSON, signed: ``Billing-Signature: t=<unix time>,v1=<hex>``
where the hex is HMAC-SHA256 over ``"<t>.<body>"`` with the endpoint's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from billing.clock import utcnow
from billing.domain.errors import InvalidInput
from billing.errors import NotFound
from billing.events.service import event_out, page
from billing.ids import new_id
from billing.storage.db import is_postgres, unit_of_work
from billing.storage.models import WebhookDelivery, WebhookEndpoint

BATCH = 100
TIMEOUT_SECONDS = 5.0
FIRST_BACKOFF = 30
MAX_BACKOFF = 3600


@dataclass(frozen=True, slots=True)
class Response:
    status: int | None
    error: str | None


#: How a request is sent: (url, body, headers) -> Response. Tests may pass their own.
Sender = Callable[[str, bytes, dict[str, str]], Response]


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


def http_sender(url: str, body: bytes, headers: dict[str, str]) -> Response:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as resp:  # noqa: S310
            return Response(resp.status, None)
    except urllib.error.HTTPError as exc:
        return Response(exc.code, f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        return Response(None, str(getattr(exc, "reason", exc))[:500])


def validate_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput("a webhook url is an absolute http(s) URL", code="invalid_url")
    return url


def create_endpoint(
    session: Session, *, url: str, description: str | None, types: list[str] | None
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        id=new_id("whe"),
        url=validate_url(url),
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
) -> dict[str, Any]:
    """One pass for one endpoint: send what is after its cursor, stop at the first failure.

    The endpoint row stays locked for the pass (``SKIP LOCKED`` on PostgreSQL), so two
    dispatchers never send to one endpoint at once."""
    sent = 0
    failed = False
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
        for event in events:
            body = json.dumps(event_out(event), separators=(",", ":"), sort_keys=True).encode()
            timestamp = int(time.time())
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "billing-webhooks/1",
                "Billing-Event-Id": event.id,
                "Billing-Event-Type": event.type,
                "Billing-Event-Seq": str(event.seq),
                "Billing-Signature": sign(endpoint.secret, timestamp, body),
            }
            started = time.monotonic()
            response = sender(endpoint.url, body, headers)
            ok = response.status is not None and 200 <= response.status < 300
            session.add(
                WebhookDelivery(
                    endpoint_id=endpoint.id,
                    event_seq=event.seq,
                    event_type=event.type,
                    attempt=endpoint.failures + 1,
                    status_code=response.status,
                    error=response.error,
                    succeeded=ok,
                    duration_ms=int((time.monotonic() - started) * 1000),
                    attempted_at=utcnow(),
                )
            )
            if not ok:
                endpoint.failures += 1
                endpoint.next_attempt_at = now + backoff(endpoint.failures)
                failed = True
                break
            endpoint.cursor = event.seq
            endpoint.failures = 0
            endpoint.next_attempt_at = None
            sent += 1
    return {"endpoint_id": endpoint_id, "sent": sent, "failed": failed}


def dispatch(
    factory: sessionmaker[Session], *, now: datetime | None = None, sender: Sender = http_sender
) -> dict[str, Any]:
    """One dispatch pass over every endpoint that is due; bounded (BATCH events each)."""
    now = now or utcnow()
    with unit_of_work(factory) as session:
        ids = _due_endpoints(session, now)
    results = [deliver_endpoint(factory, eid, now=now, sender=sender) for eid in ids]
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
