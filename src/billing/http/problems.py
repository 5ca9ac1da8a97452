"""RFC 9457 problem details for every error, each with a ``code`` naming the rule."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from billing.domain.errors import DomainError

PROBLEM = "application/problem+json"


class Problem(BaseModel):
    """RFC 9457 problem details; ``code`` names the rule that refused the request."""

    type: str
    title: str
    status: int
    detail: str
    code: str


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
    )
}

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

    @app.exception_handler(OperationalError)
    async def _operational(_: Request, exc: OperationalError) -> JSONResponse:
        return problem(503, "database_busy", "the database is busy; retry")
