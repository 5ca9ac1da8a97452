"""Idempotency keys' rows: the claim a first request takes, the outcome it leaves, what a
retry is answered, and the outcomes kept while the database is away
(billing.http.middleware's ``IdempotencyMiddleware`` uses them; its docstring says how)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import Response

from billing.clock import utcnow
from billing.http.problems import database_fault, problem
from billing.storage.db import unit_of_work
from billing.storage.models import IdempotencyRecord

log = logging.getLogger(__name__)


def claim(
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
                return claim(factory, actor, key, request_hash)
            session.expunge(found)
            return found


def store(
    factory: sessionmaker[Session],
    actor: str,
    key: str,
    *,
    status: int,
    body: bytes,
    content_type: str | None,
) -> None:
    """The first request's outcome under its claim (still unanswered: nobody else's): its
    answer, or the key released (a server error, or refused before the route ran)."""
    with unit_of_work(factory) as session:
        where = (
            IdempotencyRecord.actor == actor,
            IdempotencyRecord.key == key,
            IdempotencyRecord.status_code.is_(None),
        )
        if status >= 500 or status in (401, 403):
            session.execute(delete(IdempotencyRecord).where(*where))
        else:
            session.execute(
                update(IdempotencyRecord)
                .where(*where)
                .values(
                    status_code=status,
                    response_body=body.decode("utf-8"),
                    content_type=content_type,
                )
            )


@dataclass(frozen=True)
class Outcome:
    """What :func:`_store` is to write under a claim."""

    status: int
    body: bytes
    content_type: str | None


def store_outcome(
    factory: sessionmaker[Session], actor: str, key: str, outcome: Outcome
) -> None:
    """:func:`store` of ``outcome``."""
    store(
        factory,
        actor,
        key,
        status=outcome.status,
        body=outcome.body,
        content_type=outcome.content_type,
    )


class Unsettled:
    """Outcomes of claimed keys that could not be stored because the database was away
    (module docstring), written by the process's next request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._outcomes: dict[tuple[str, str], Outcome] = {}

    def __bool__(self) -> bool:
        return bool(self._outcomes)

    def keep(self, actor: str, key: str, outcome: Outcome) -> None:
        with self._lock:
            self._outcomes[(actor, key)] = outcome

    def settle(self, factory: sessionmaker[Session]) -> None:
        """Write them (in a worker thread). While the database is still away they stay (the
        request at hand goes on: it answers for itself); one refused for another reason is
        logged and dropped."""
        with self._lock:
            pending = list(self._outcomes.items())
        for (actor, key), outcome in pending:
            try:
                store_outcome(factory, actor, key, outcome)
            except Exception as exc:
                if database_fault(exc) is not None:
                    return
                log.exception("the outcome of Idempotency-Key %r cannot be stored", key)
            self._forget(actor, key, outcome)

    def _forget(self, actor: str, key: str, outcome: Outcome) -> None:
        with self._lock:
            if self._outcomes.get((actor, key)) is outcome:
                del self._outcomes[(actor, key)]


def replayed(existing: IdempotencyRecord, digest: str) -> Response:
    """The answer to a retry: the first answer, or why there is none to give."""
    if existing.request_hash != digest:
        return problem(
            422, "idempotency_conflict", "this Idempotency-Key was used with a different request"
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
