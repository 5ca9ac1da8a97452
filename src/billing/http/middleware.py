"""Request-size limits and ``Idempotency-Key`` for every POST.

Idempotency: the first request with a key claims it (a row committed before the work starts);
a retry with the same key and body gets the stored response and changes nothing; the same key
with a different body is ``idempotency_conflict`` (422); a retry while the first is still
running gets ``idempotency_in_progress`` (409). Keys are scoped to the caller's token. A first
request that fails with a server error releases its key so the retry runs.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

from billing.clock import utcnow
from billing.http.problems import problem
from billing.storage.db import unit_of_work
from billing.storage.models import IdempotencyRecord


class BodyLimitMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: object, max_bytes: int) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.max_bytes = max_bytes

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        length = request.headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                return problem(400, "validation_error", "invalid Content-Length")
            if int(length) > self.max_bytes:
                return problem(
                    413, "payload_too_large", f"bodies are limited to {self.max_bytes} bytes"
                )
        elif request.method in ("POST", "PUT", "PATCH", "DELETE"):
            body = await request.body()
            if len(body) > self.max_bytes:
                return problem(
                    413, "payload_too_large", f"bodies are limited to {self.max_bytes} bytes"
                )
        return await call_next(request)


def _claim(
    factory: sessionmaker[Session], actor: str, key: str, request_hash: str
) -> IdempotencyRecord | None:
    """Claim the key; None if claimed now, else the existing record."""
    try:
        with unit_of_work(factory) as session:
            session.add(
                IdempotencyRecord(
                    actor=actor, key=key, request_hash=request_hash, created_at=utcnow()
                )
            )
        return None
    except IntegrityError:
        with unit_of_work(factory) as session:
            found = session.scalar(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.actor == actor, IdempotencyRecord.key == key
                )
            )
            if found is None:  # released meanwhile: claim again
                return _claim(factory, actor, key, request_hash)
            session.expunge(found)
            return found


def _store(
    factory: sessionmaker[Session], actor: str, key: str, response: Response, body: bytes
) -> None:
    with unit_of_work(factory) as session:
        where = (IdempotencyRecord.actor == actor, IdempotencyRecord.key == key)
        if response.status_code >= 500:
            session.execute(delete(IdempotencyRecord).where(*where))
        else:
            session.execute(
                update(IdempotencyRecord)
                .where(*where)
                .values(
                    status_code=response.status_code,
                    response_body=body.decode("utf-8"),
                    content_type=response.headers.get("content-type"),
                )
            )


class IdempotencyMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        key = request.headers.get("idempotency-key")
        if request.method != "POST" or key is None:
            return await call_next(request)
        if not 1 <= len(key) <= 255:
            return problem(422, "validation_error", "Idempotency-Key is 1 to 255 characters")
        factory: sessionmaker[Session] = request.app.state.session_factory
        body = await request.body()
        actor = hashlib.sha256(request.headers.get("authorization", "").encode()).hexdigest()
        digest = hashlib.sha256(
            b"\0".join([request.url.path.encode(), request.url.query.encode(), body])
        ).hexdigest()
        existing = await run_in_threadpool(_claim, factory, actor, key, digest)
        if existing is not None:
            if existing.request_hash != digest:
                return problem(
                    422,
                    "idempotency_conflict",
                    "this Idempotency-Key was used with a different request",
                )
            if existing.status_code is None:
                return problem(
                    409,
                    "idempotency_in_progress",
                    "the first request with this Idempotency-Key is still running",
                )
            return Response(
                existing.response_body or "",
                status_code=existing.status_code,
                media_type=existing.content_type,
                headers={"Idempotent-Replayed": "true"},
            )
        try:
            response = await call_next(request)
        except BaseException:
            await run_in_threadpool(_store, factory, actor, key, Response(status_code=500), b"")
            raise
        chunks = [chunk async for chunk in response.body_iterator]  # type: ignore[attr-defined]
        payload = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks)
        await run_in_threadpool(_store, factory, actor, key, response, payload)
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return Response(payload, status_code=response.status_code, headers=headers)
