"""At most as many requests in the app at once as it has worker threads, so that pool and
threads cannot deadlock.

A request can hold a database connection while it waits for a worker thread: FastAPI runs a
sync handler's answer validation, and the dependencies after the session, in hops of their
own, and the request's transaction ends only after them (``get_session`` is function-scoped:
it commits before the answer is sent). With more requests in the app than threads, every
thread could be taken by a request waiting for a connection (or, on SQLite, for the write
lock) that a request waiting for a thread holds: nothing moves until the pool's timeout or
the busy timeout answers 503. Admitting at most ``limit`` requests (``BILLING_API_THREADS``)
makes that impossible: an admitted request always finds a thread, each holds at most one
connection of an engine at a time, and each engine's pool has ``limit`` connections and
more (billing.storage.db, "Pool and threads"). Requests past the limit wait here, in the
event loop, holding nothing, in arrival order (as they used to wait for a thread).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar
from starlette.types import ASGIApp, Receive, Scope, Send

#: One semaphore per event loop (uvicorn runs one per worker; each test client its own).
_SLOTS: RunVar[dict[int, anyio.Semaphore]] = RunVar("billing_admission_slots")


class AdmissionMiddleware:
    """Lets at most ``limit`` HTTP requests into ``app`` at once (module docstring)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    def _semaphore(self) -> anyio.Semaphore:
        try:
            slots = _SLOTS.get()
        except LookupError:
            slots = {}
            _SLOTS.set(slots)
        semaphore = slots.get(id(self))
        if semaphore is None:
            semaphore = slots[id(self)] = anyio.Semaphore(self.limit)
        return semaphore

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        async with self._semaphore():
            await self.app(scope, receive, send)


def thread_limit(threads: int) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """The app's lifespan: at start, the event loop's worker-thread limit becomes ``threads``
    (the limit the engines' pools and the admission limit are sized for)."""

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    return lifespan
