"""Request dependencies: the unit of work (one transaction per request), the caller, options."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

import anyio
from fastapi import Depends, Header, Query, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from billing.auth.service import Actor, authenticate
from billing.clock import Clock
from billing.domain.errors import InvalidInput
from billing.http.middleware import ACTOR_STATE
from billing.http.trail import attribute, attributed, record_write
from billing.invoicing.repository import PREVIEW
from billing.settings import Settings
from billing.storage.db import unit_of_work


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request; committed after the handler unless it is a preview. A
    write's transaction carries its caller and ends with its activity-log entry.

    ``async`` with the end in a worker thread: opening a session touches no database (it
    connects at its first query, in the handler's thread), so only the commit needs a thread,
    and a session that never connected needs none (a hop costs about as much as a short
    query). The end runs shielded from cancellation and outside the shared thread limit, as
    FastAPI runs a sync dependency's exit: a request that holds a connection can always give
    it back, whatever else waits for a thread (storage.db: pool and threads)."""
    # Reads take SQLite's shared lock only; writes queue on BEGIN IMMEDIATE (see storage.db).
    state = request.app.state
    factory: sessionmaker[Session] = (
        state.read_session_factory if request.method in ("GET", "HEAD") else state.session_factory
    )
    session = factory()
    try:
        if request.query_params.get("preview", "").lower() in ("true", "1", "yes", "on"):
            session.info[PREVIEW] = True
        caller = _gate_actor(request)
        if caller is not None:
            attribute(session, caller)
        yield session
    except BaseException:
        await _unshared_thread(_abandon, session)
        raise
    await _unshared_thread(_finish, request, session)


def _finish(request: Request, session: Session) -> None:
    """The end of a request's unit of work that went well (:func:`unit_of_work`'s)."""
    try:
        if getattr(request.state, "rollback", False):
            # A preview undoes what it wrote; the unit of work then commits nothing.
            session.rollback()
        else:
            record_write(request, session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _abandon(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


async def _unshared_thread(end: Callable[..., None], *args: Any) -> None:
    # args[-1] is the session (``_finish(request, session)``, ``_abandon(session)``)
    """``end(*args)`` in a worker thread of its own limit, shielded from cancellation; inline
    when the session never connected (nothing to commit or give back: no I/O)."""
    session = args[-1]
    idle = not (session.in_transaction() or session.new or session.dirty or session.deleted)
    if idle:
        end(*args)
        return
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(end, *args, limiter=anyio.CapacityLimiter(1))


async def read_sessions(request: Request) -> sessionmaker[Session]:
    """The factory of read transactions, for a hot read that runs its one transaction itself
    in the handler's thread (``with unit_of_work(reads)``): no worker-thread hop to open or
    end a session around it (see :func:`get_session`). Reads write nothing, so there is no
    caller to stamp and no activity-log entry."""
    return request.app.state.read_session_factory  # type: ignore[no-any-return]


ReadSessions = Annotated[sessionmaker[Session], Depends(read_sessions)]


def _gate_actor(request: Request) -> Actor | None:
    checked = request.scope.get("state", {}).get(ACTOR_STATE)
    return checked if isinstance(checked, Actor) else None


# scope="function": the transaction commits before the response is sent, so a client that
# got an answer always reads its own write on the next request.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def get_actor(request: Request) -> Actor:
    """The caller. ``async``: the common case (the gate checked the token) is a lookup that
    needs no worker thread (each hop to one costs about as much as a short query; see
    ``benchmarks/RESULTS.md``, api_load). Otherwise the token is looked up in a short read
    transaction of its own, in a worker thread (so handlers that run several transactions,
    like bill runs, hold no lock while they do)."""
    # The authentication gate (billing.http.middleware) checked the token of every /v1 request
    # first, within its revocation bound, and left the caller here.
    checked = _gate_actor(request)
    if checked is not None:
        return checked
    return await run_in_threadpool(_look_up_actor, request)


def _look_up_actor(request: Request) -> Actor:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    factory: sessionmaker[Session] = request.app.state.read_session_factory
    with factory() as session:
        return authenticate(session, token or None)


CurrentActor = Annotated[Actor, Depends(get_actor)]


async def get_clock(request: Request) -> Clock:
    """The service clock (``async``: no worker thread for an attribute read)."""
    return request.app.state.clock  # type: ignore[no-any-return]


ClockDep = Annotated[Clock, Depends(get_clock)]


async def get_settings(request: Request) -> Settings:
    """The app's settings (``async``: no worker thread for an attribute read)."""
    return request.app.state.settings  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_factory(request: Request) -> Iterator[sessionmaker[Session]]:
    """The session factory, for routes that run transactions of their own (bill runs): their
    sessions write as the caller, and a write's activity-log entry follows in one more."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    caller = _gate_actor(request)
    if caller is None:
        yield factory
        return
    yield attributed(factory, caller)
    if request.method not in ("GET", "HEAD"):
        with unit_of_work(factory) as session:
            attribute(session, caller)
            record_write(request, session, own_transactions=True)


FactoryDep = Annotated[sessionmaker[Session], Depends(get_factory, scope="function")]


async def if_match(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="The subscription version you last saw; 412 if it is no longer current.",
            examples=["3"],
        ),
    ] = None,
) -> int | None:
    """``If-Match: 3`` (or ``"3"``, ``W/"3"``): the subscription version the caller last saw."""
    if if_match is None:
        return None
    raw = if_match.strip().removeprefix("W/").strip('"')
    version = ascii_number(raw)
    if version is None:
        raise InvalidInput("If-Match must be a subscription version number")
    return version


def ascii_number(raw: str) -> int | None:
    """``raw`` as a non-negative integer that fits a 64-bit column, if it is one written in
    ASCII digits (``str.isdigit`` also takes ``²`` and ``٣``, which ``int`` refuses or reads)."""
    if not 1 <= len(raw) <= 18 or not raw.isascii() or not raw.isdigit():
        return None
    return int(raw)


def parse_cursor(after: str | None) -> int | None:
    """A feed's ``after``: a cursor it gave out (``next_cursor`` / ``resume_cursor``)."""
    if after is None or after == "":
        return None
    cursor = ascii_number(after)
    if cursor is None:
        raise InvalidInput("after is a cursor from next_cursor", code="invalid_cursor")
    return cursor


IfMatch = Annotated[int | None, Depends(if_match)]


async def preview_flag(
    request: Request,
    preview: Annotated[
        bool, Query(description="Show the change and its money without keeping anything.")
    ] = False,
) -> bool:
    if preview:
        request.state.rollback = True
    return preview


Preview = Annotated[bool, Depends(preview_flag)]


class HasId(Protocol):
    @property
    def id(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Page:
    """A page of a list in id order: at most ``limit`` rows after the row with id ``after``."""

    limit: int
    after: str | None

    def answer(self, rows: Sequence[HasId], data: list[Any]) -> dict[str, Any]:
        """The rows' ``data``; ``next_cursor`` is the last id when the page came back full
        (there may be more), null when the list is drained."""
        return {"data": data, "next_cursor": rows[-1].id if len(rows) == self.limit else None}


async def page_params(
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many rows.")] = 100,
    after: Annotated[
        str | None,
        Query(
            max_length=200, description="The next_cursor of the previous page (leave out first)."
        ),
    ] = None,
) -> Page:
    return Page(limit, after)


PageParams = Annotated[Page, Depends(page_params)]
