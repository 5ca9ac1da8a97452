"""Request-size limits, URLs without control characters, the bearer token checked first, and
``Idempotency-Key`` for POSTs.

Authentication comes before anything is stored: the token of a ``/v1`` request is checked
(billing.auth.guard) before its idempotency key is looked at, so an unknown token is 401 (429
``too_many_failed_attempts`` once its address failed too often) and leaves no row behind.

Idempotency: the first request with a key claims it (a row committed before the work starts);
a retry with the same key and body gets the stored response and changes nothing; the same key
with a different body is ``idempotency_conflict`` (422); a retry while the first is still
running gets ``idempotency_in_progress`` (409). Keys are scoped to the caller's API key. A
first request that fails with a server error, or is refused as 401/403 (the route never ran),
releases its key so that nothing is kept and a retry runs. A request without a token claims
no key (the route refuses it, or needs no caller).

A claim outlives no lost database: when the answer cannot be stored (or the key released)
because the database went away meanwhile, the request is answered 503 and the process keeps
the outcome in memory (:class:`billing.http.idempotency.Unsettled`) and writes it at the start
of its next request, once the database is back. So a retry with the same key replays the
first answer (the work was committed) or runs (it was not), never ``idempotency_in_progress``
for ever. (A process that
dies between its claim and its answer still leaves the claim behind.)
"""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import unquote_to_bytes

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from billing.auth.guard import guard_of
from billing.auth.limiter import client_key
from billing.auth.service import Actor, bearer_token
from billing.http import idempotency
from billing.http.problems import database_fault, problem
from billing.schemas_common import has_control

log = logging.getLogger(__name__)

#: The request headers the service reads (authentication, idempotency, versions, content
#: negotiation, body framing): a control character in one of them is refused like one in the URL.
READ_HEADERS = frozenset(
    {
        b"authorization",
        b"idempotency-key",
        b"if-match",
        b"accept",
        b"content-type",
        b"content-length",
    }
)


def _url_problem(scope: Scope) -> str | None:
    """Why the URL or a header the service reads is refused, if it is: a control character
    (NUL, ``%00``, ``%1F``, DEL…) or percent-escapes that are not UTF-8."""
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    try:
        path = unquote_to_bytes(raw_path).decode("utf-8")
        query = unquote_to_bytes(scope.get("query_string", b"")).decode("utf-8")
    except UnicodeDecodeError:
        return "the URL must be UTF-8 text"
    if has_control(path) or has_control(query) or has_control(scope["path"]):
        return "the URL must not contain control characters"
    for name, value in scope.get("headers", ()):
        if name.lower() in READ_HEADERS and has_control(value.decode("latin-1")):
            return f"the {name.decode('latin-1')} header must not contain control characters"
    return None


class UrlCharactersMiddleware:
    """Refuses a path, query or read header (:data:`READ_HEADERS`) holding a control character
    (NUL, ``%00``, ``%1F``…), and a URL whose escapes are not UTF-8, with 422
    ``validation_error`` before any handler or database sees it (api-contract.md, "Bounds": no
    string holds NUL or another control character; PostgreSQL cannot even compare one)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refused = _url_problem(scope)
            if refused is not None:
                await problem(422, "validation_error", refused)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Refuses bodies over ``max_bytes`` with 413 (pure ASGI: no per-request task hand-off)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None:
            if not (length.isascii() and length.isdigit()):
                await problem(400, "validation_error", "invalid Content-Length")(
                    scope, receive, send
                )
                return
            if int(length) > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("POST", "PUT", "PATCH", "DELETE"):
            await self.app(scope, receive, send)
            return
        body = await read_body(receive, limit=self.max_bytes)
        if body is None:
            await self._too_large(scope, receive, send)
            return
        await self.app(scope, replay(body, receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413, "payload_too_large", f"bodies are limited to {self.max_bytes} bytes"
        )
        await response(scope, receive, send)


async def read_body(receive: Receive, *, limit: int | None = None) -> bytes | None:
    """The whole request body; None once it grows past ``limit``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the already read body to the app, then defers to the server."""
    sent = False

    async def _receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return _receive


#: Where :class:`AuthenticationMiddleware` leaves the caller it checked (``scope["state"]``).
ACTOR_STATE = "billing.actor"


class AuthenticationMiddleware:
    """Checks the bearer token of a ``/v1`` request before anything else runs: an unknown or
    revoked token is answered 401 ``unauthorized``, or 429 ``too_many_failed_attempts`` (with
    ``Retry-After``) once its client address failed too often (billing.auth.limiter); a valid
    one goes on with its actor in ``scope["state"]``. A request without a bearer token goes on
    as it is: the route answers 401 if it needs a caller (not counted as a failed attempt)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        token = bearer_token(Headers(scope=scope).get("authorization", ""))
        if not token:
            await self.app(scope, receive, send)
            return
        guard = guard_of(scope["app"].state)
        actor = guard.known(token) or await run_in_threadpool(guard.check, token)
        if actor is None:
            client = scope.get("client")
            wait = guard.failed(client_key(client[0] if client else None))
            await refusal(wait)(scope, receive, send)
            return
        scope.setdefault("state", {})[ACTOR_STATE] = actor
        await self.app(scope, receive, send)


def refusal(wait: int | None) -> Response:
    """The answer to an unknown token: 401, or 429 when its address must wait ``wait`` s."""
    if wait is None:
        return problem(401, "unauthorized", "unknown token")
    response = problem(
        429,
        "too_many_failed_attempts",
        f"too many failed authentications from this address; retry in {wait} s",
        title="Too many requests",
    )
    response.headers["Retry-After"] = str(wait)
    return response


class IdempotencyMiddleware:
    """``Idempotency-Key`` on POSTs (pure ASGI: the response is captured and stored), behind
    :class:`AuthenticationMiddleware`: a key is scoped to, and only claimed for, a caller
    whose token was checked. (The gate is part of this middleware so that no installation
    can put idempotency before it.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gate = AuthenticationMiddleware(self._keyed)
        self.unsettled = idempotency.Unsettled()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.gate(scope, receive, send)

    async def _keyed(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.unsettled and scope["type"] == "http":
            await run_in_threadpool(self.unsettled.settle, scope["app"].state.session_factory)
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get("idempotency-key")
        caller: Actor | None = scope.get("state", {}).get(ACTOR_STATE)
        if key is None or caller is None:
            await self.app(scope, receive, send)
            return
        if not 1 <= len(key) <= 255:
            response = problem(422, "validation_error", "Idempotency-Key is 1 to 255 characters")
            await response(scope, receive, send)
            return
        factory: sessionmaker[Session] = scope["app"].state.session_factory
        body = await read_body(receive) or b""
        actor = caller.key_id
        digest = hashlib.sha256(
            b"\0".join([scope["path"].encode(), scope.get("query_string", b""), body])
        ).hexdigest()
        existing = await run_in_threadpool(idempotency.claim, factory, actor, key, digest)
        if existing is not None:
            await idempotency.replayed(existing, digest)(scope, receive, send)
            return
        await self._first_call(scope, replay(body, receive), send, factory, actor, key)

    async def _first_call(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        factory: sessionmaker[Session],
        actor: str,
        key: str,
    ) -> None:
        """Run the request once, store its answer under the key, then send it."""
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, receive, capture)
        except BaseException:
            await self._settle(factory, actor, key, idempotency.Outcome(500, b"", None))
            raise
        payload = b"".join(chunks)
        status = int(start.get("status", 500))
        raw_headers = [
            (k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"
        ]
        content_type = next(
            (v.decode("latin-1") for k, v in raw_headers if k.lower() == b"content-type"), None
        )
        await self._settle(factory, actor, key, idempotency.Outcome(status, payload, content_type))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [*raw_headers, (b"content-length", str(len(payload)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    async def _settle(
        self, factory: sessionmaker[Session], actor: str, key: str, outcome: idempotency.Outcome
    ) -> None:
        """Store the outcome; if the database is away, keep it for later and raise (503)."""
        try:
            await run_in_threadpool(idempotency.store_outcome, factory, actor, key, outcome)
        except Exception as exc:
            if database_fault(exc) is not None:
                self.unsettled.keep(actor, key, outcome)
            raise
