"""A busy or absent database is a 503 answer, wherever in the request it shows.

Handlers' database errors reach :func:`billing.http.problems.database_fault` through the app's
exception handlers; this middleware catches the same errors where no handler sees them: the
authentication gate's token check and the idempotency records, which run around the routes.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from billing.http.problems import database_fault


class DatabaseFaultMiddleware:
    """Answers 503 problem+json with ``Retry-After`` when the database is busy or away before
    a response has started (after that, the error stays what it is: the answer is already on
    its way)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            response = None if started else database_fault(exc)
            if response is None:
                raise
            await response(scope, receive, send)
