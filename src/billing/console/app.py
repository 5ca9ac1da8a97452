"""The console's pages and forms, mounted at ``/console`` on the API's app.

Handlers are thin: read the session cookie, check the CSRF token of a form, call one service
function with the staff actor, render a template. Reads run in a read transaction; a change
commits in its own unit of work; a preview runs the very same service call in a transaction
that is rolled back, so what it shows is what Confirm would post.

The routes are module-level routers (:mod:`~billing.console.signin`,
:mod:`~billing.console.pages`, :mod:`~billing.console.changes`) over the dependencies of
:mod:`~billing.console.web`; this module assembles them into the console app with its error
pages.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from billing.console import (
    changes,
    offers,
    onboarding,
    operations,
    orders,
    pages,
    signin,
    tasks,
    unmatched,
)
from billing.console.auth import LoginRequired
from billing.console.problems import form_refusal, refusal
from billing.console.web import CsrfRefused, go, page, words_of
from billing.domain.errors import DomainError


async def _login(request: Request, exc: Exception) -> Response:
    return go(request, "/login")


async def _csrf(request: Request, exc: Exception) -> Response:
    message = words_of(request).gettext(
        "The form was too old or did not come from this console. Reload the page and try again."
    )
    return page(request, "error.html", {"status": 403, "message": message}, 403)


async def _domain(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    message = refusal(words_of(request), exc)
    return page(request, "error.html", {"status": exc.status, "message": message}, exc.status)


async def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    message = form_refusal(words_of(request), exc.errors(), {})
    return page(request, "error.html", {"status": 422, "message": message}, 422)


def create_console(parent: FastAPI, prefix: str = "/console") -> FastAPI:
    """The console as an app of its own (its own error pages), sharing the parent's
    database, clock and settings."""
    console = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    console.state.parent = parent.state
    console.state.prefix = prefix
    console.add_exception_handler(LoginRequired, _login)
    console.add_exception_handler(CsrfRefused, _csrf)
    console.add_exception_handler(DomainError, _domain)
    console.add_exception_handler(RequestValidationError, _invalid)
    for module in (
        signin,
        pages,
        changes,
        operations,
        offers,
        unmatched,
        tasks,
        orders,
        onboarding,
    ):
        console.include_router(module.router)
    return console
