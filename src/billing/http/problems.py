"""RFC 9457 problem details for every error, each with a ``code`` naming the rule."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from billing.domain.errors import DomainError

PROBLEM = "application/problem+json"


class Problem(BaseModel):
    """RFC 9457 problem details; ``code`` names the rule that refused the request."""

    type: str = Field(description="A URI naming the kind of problem.", examples=["about:blank"])
    title: str = Field(
        description="A short summary of the kind of problem.", examples=["Unprocessable Content"]
    )
    status: int = Field(description="The HTTP status code.", examples=[422])
    detail: str = Field(description="What went wrong with this request, in words.")
    code: str = Field(
        description=(
            "Machine-readable: the rule that refused the request (e.g. validation_error, "
            "minimum_term, notice_period, not_found)."
        ),
        examples=["notice_period"],
    )


#: Documented on every route: errors are problem+json, whatever produced them.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM: {}}, "description": title}
    for status, title in (
        (401, "No or unknown token (code unauthorized)"),
        (403, "The role may not do this (code forbidden)"),
        (404, "Not found, or not this caller's (code not_found)"),
        (409, "A business rule refused the change (e.g. already_ended, overdue_balance)"),
        (412, "If-Match names a stale version (code version_conflict)"),
        (
            422,
            "Invalid input or a broken rule: validation_error (a field; a body that is not "
            "UTF-8 JSON text; a control character in a string, the URL or a header read), "
            "invalid_cursor, minimum_term, …",
        ),
        (429, "Too many failed authentications from this address (too_many_failed_attempts)"),
        (
            503,
            "The database is busy (database_busy: a lock not granted in time) or away "
            "(database_unavailable); nothing was written; retry after Retry-After seconds",
        ),
    )
}
PROBLEM_RESPONSES[503]["headers"] = {
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}
}

#: The 200 of a report answered as JSON or, with ``?format=csv``, as CSV.
JSON_OR_CSV: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report: JSON, or CSV with format=csv",
        "content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}},
    }
}

#: PostgreSQL states of a wait that ended or a transaction the server gave up: retrying helps.
#: lock_not_available (lock_timeout), serialization_failure, deadlock_detected, query_canceled
#: (statement_timeout), too_many_connections.
BUSY_STATES = frozenset({"55P03", "40001", "40P01", "57014", "53300"})
#: PostgreSQL states of a server that is shutting down, starting or not reachable.
AWAY_STATES = frozenset({"57P01", "57P02", "57P03"})
#: ``Retry-After`` of each: a lock is usually free within a second; a restart takes longer.
RETRY_BUSY_SECONDS = 1
RETRY_UNAVAILABLE_SECONDS = 5

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def database_fault(exc: BaseException) -> JSONResponse | None:
    """The 503 answer (``Retry-After``) to a database that is busy or away, if ``exc`` is
    that: SQLite's "database is locked" past the busy timeout, a PostgreSQL lock timeout,
    serialization failure or deadlock, every pooled connection in use, a connection refused
    or lost. The request's transaction is rolled back, so nothing of it was written. Any
    other database error is not the client's to retry (None: it stays a server error)."""
    if isinstance(exc, PoolTimeout):
        return _unavailable("database_busy", "every database connection is in use")
    if not isinstance(exc, DBAPIError) or isinstance(exc, IntegrityError):
        return None
    orig = exc.orig
    state = str(getattr(orig, "sqlstate", None) or "")
    text = str(orig).lower()
    if state in BUSY_STATES or (
        isinstance(orig, sqlite3.OperationalError) and ("locked" in text or "busy" in text)
    ):
        return _unavailable("database_busy", "the database is busy")
    away = (
        exc.connection_invalidated
        or isinstance(exc, InterfaceError)
        or state in AWAY_STATES
        or state.startswith("08")
        or (isinstance(orig, sqlite3.OperationalError) and "unable to open" in text)
        or (isinstance(exc, OperationalError) and not state and not isinstance(orig, sqlite3.Error))
    )
    if away:
        return _unavailable("database_unavailable", "the database cannot be reached")
    return None


def _unavailable(code: str, why: str) -> JSONResponse:
    wait = RETRY_BUSY_SECONDS if code == "database_busy" else RETRY_UNAVAILABLE_SECONDS
    response = problem(503, code, f"{why}; nothing was written; retry in {wait} s")
    response.headers["Retry-After"] = str(wait)
    return response


def _jsonable(errors: list[Any]) -> list[dict[str, Any]]:
    out = []
    for e in errors:
        out.append(
            {
                "loc": [str(x) for x in e.get("loc", ())],
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
        )
    return json.loads(json.dumps(out, default=str))  # type: ignore[no-any-return]


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return problem(exc.status, exc.code, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _jsonable(list(exc.errors()))
        detail = "; ".join(f"{'.'.join(e['loc'][1:]) or 'body'}: {e['msg']}" for e in errors)
        return problem(422, "validation_error", detail or "invalid request", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # FastAPI's only 400: a body it could not read (bytes that are not UTF-8 JSON
            # text). The contract calls bad input validation_error, as a JSON syntax error is.
            return problem(422, "validation_error", "the body must be JSON text in UTF-8")
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(
            exc.status_code, "http_error"
        )
        return problem(exc.status_code, code, str(exc.detail))

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        return problem(409, "conflict", "the request conflicts with stored data; retry")

    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeout)
    async def _database(_: Request, exc: Exception) -> JSONResponse:
        response = database_fault(exc)
        if response is None:
            raise exc
        return response
