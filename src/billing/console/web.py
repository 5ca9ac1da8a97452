"""What every console page shares: the signed-in staff member, the CSRF check, the parent
app's database and clock as dependencies, the page's language (:mod:`~billing.console.i18n`),
rendering a page and redirecting within the console.

The console is an app of its own mounted on the API's app (its own error pages); its
``state.parent`` is the API's state and ``state.prefix`` the path it is mounted at.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker

from billing.clock import Clock
from billing.console.auth import (
    SESSION_COOKIE,
    ConsoleSession,
    csrf_ok,
    read_session,
    session_key,
)
from billing.console.i18n import LANGUAGE_COOKIE, LANGUAGES, Words, choose, words

TEMPLATES = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES)

Action = Annotated[str, Form(pattern="^(preview|confirm)$")]
Csrf = Annotated[str, Form(max_length=200)]
Version = Annotated[int | None, Form()]
Previewed = Annotated[str, Form(max_length=100)]


class CsrfRefused(Exception):
    pass


def read_factory(request: Request) -> sessionmaker[Session]:
    return request.app.state.parent.read_session_factory  # type: ignore[no-any-return]


def write_factory(request: Request) -> sessionmaker[Session]:
    return request.app.state.parent.session_factory  # type: ignore[no-any-return]


def get_clock(request: Request) -> Clock:
    return request.app.state.parent.clock  # type: ignore[no-any-return]


def current(request: Request) -> ConsoleSession:
    """The signed-in staff member (or :class:`~billing.console.auth.LoginRequired`)."""
    secret = session_key(request.app.state.parent.settings)
    with read_factory(request)() as session:
        return read_session(session, request.cookies.get(SESSION_COOKIE), secret=secret)


def words_of(request: Request) -> Words:
    """The language of this page: the person's choice (cookie), else Accept-Language."""
    return words(
        choose(request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language"))
    )


Staff = Annotated[ConsoleSession, Depends(current)]
Lang = Annotated[Words, Depends(words_of)]
ReadFactory = Annotated[sessionmaker[Session], Depends(read_factory)]
WriteFactory = Annotated[sessionmaker[Session], Depends(write_factory)]
ConsoleClock = Annotated[Clock, Depends(get_clock)]


@contextmanager
def reading(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A read transaction, closed before the page is sent."""
    with factory() as session:
        yield session


def prefix_of(request: Request) -> str:
    return request.app.state.prefix  # type: ignore[no-any-return]


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    lang = words_of(request)
    context = {
        "prefix": prefix_of(request),
        "_": lang.gettext,
        "ngettext": lang.ngettext,
        "lang": lang,
        "languages": LANGUAGES,
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **context,
    }
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Language"] = lang.language
    response.headers["Vary"] = "Accept-Language, Cookie"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'"
    )
    return response


def go(request: Request, path: str) -> RedirectResponse:
    """A redirect (303, See Other) to a console path."""
    return RedirectResponse(prefix_of(request) + path, status_code=303)


def check_csrf(staff: ConsoleSession, given: str) -> None:
    if not csrf_ok(staff.csrf, given):
        raise CsrfRefused
