"""Signing in to the console as a person (login and password) or with an API key, and out.

A person's sign-in issues them a token of their own (billing.auth.people), so that the session
and everything done in it is theirs; a wrong password counts against the address as an
unknown token does.

The sign-in form carries a nonce that must match a short-lived cookie (CSRF before there is a
session); a successful sign-in sets the signed session cookie, scoped to the console's path.
An unknown token counts against the client's address as on the API (billing.auth.guard): past
the limit the form answers 429 with ``Retry-After``; a valid token always signs in.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from billing.auth import people
from billing.auth.guard import guard_of
from billing.auth.limiter import client_key
from billing.console.auth import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    SESSION_SECONDS,
    csrf_ok,
    new_login_nonce,
    session_key,
    sign_in,
)
from billing.console.i18n import LANGUAGE_COOKIE, LANGUAGES
from billing.console.problems import refusal
from billing.console.trail import log_change
from billing.console.web import (
    Csrf,
    ReadFactory,
    Staff,
    WriteFactory,
    check_csrf,
    go,
    page,
    prefix_of,
    reading,
    words_of,
)
from billing.domain.errors import DomainError
from billing.errors import Forbidden, Unauthorized
from billing.storage.attribution import attribute
from billing.storage.db import unit_of_work

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request) -> Response:
    return go(request, "/customers" if request.cookies.get(SESSION_COOKIE) else "/login")


@router.get("/login")
def login_form(request: Request) -> Response:
    return _login_page(request, None, 200)


def _login_page(request: Request, error: str | None, status: int) -> Response:
    nonce = new_login_nonce()
    response = page(request, "login.html", {"csrf": nonce, "error": error}, status)
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        max_age=900,
        path=prefix_of(request),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/login")
def login(
    request: Request,
    factory: ReadFactory,
    write: WriteFactory,
    csrf: Csrf,
    token: Annotated[str, Form(max_length=500)] = "",
    login: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Sign in with one's login and password (a token of one's own is issued), or a token."""
    expected = request.cookies.get(LOGIN_COOKIE)
    if not expected or not csrf_ok(expected, csrf):
        message = words_of(request).gettext("The sign-in form expired; please try again.")
        return _login_page(request, message, 403)
    try:
        if login:
            with unit_of_work(write) as session:
                person, _, token = people.sign_in(session, login=login, password=password)
                # Signing in issues the person a token: theirs, and in the log as on the API.
                attribute(session, who=person.id, person_id=person.id)
                log_change(request, session)
        with reading(factory) as session:
            _, cookie = sign_in(
                session, token, secret=session_key(request.app.state.parent.settings)
            )
    except Unauthorized as exc:
        return _failed(request, exc)
    except Forbidden as exc:
        message = words_of(request).gettext(
            "The console is for staff only: sign in with a staff token."
        )
        return _login_page(request, message, exc.status)
    except DomainError as exc:
        return _login_page(request, refusal(words_of(request), exc), exc.status)
    prefix = prefix_of(request)
    response = go(request, "/customers")
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_SECONDS,
        path=prefix,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(LOGIN_COOKIE, path=prefix, httponly=True, samesite="strict")
    return response


def _failed(request: Request, exc: Unauthorized) -> Response:
    """An unknown token: counted against the address; 401, or 429 past the limit."""
    guard = guard_of(request.app.state.parent)
    wait = guard.failed(client_key(request.client.host if request.client else None))
    lang = words_of(request)
    if wait is None:
        return _login_page(request, refusal(lang, exc), exc.status)
    message = lang.gettext(
        "Too many failed sign-ins from this address; try again in %(seconds)s seconds.",
        seconds=wait,
    )
    response = _login_page(request, message, 429)
    response.headers["Retry-After"] = str(wait)
    return response


@router.post("/logout")
def logout(request: Request, staff: Staff, csrf: Csrf) -> Response:
    check_csrf(staff, csrf)
    response = go(request, "/login")
    response.delete_cookie(
        SESSION_COOKIE, path=prefix_of(request), httponly=True, samesite="strict"
    )
    return response


@router.post("/language")
def language(
    request: Request,
    language: Annotated[str, Form(max_length=10)],
    back: Annotated[str, Form(max_length=2000)] = "/customers",
) -> Response:
    """Keep the person's language in a cookie (a year) and go back to the page they were on.

    No CSRF token: the form changes nothing but the language of the pages this browser sees,
    and ``back`` must be a path inside the console (never another site)."""
    prefix = prefix_of(request)
    if not back.startswith(prefix + "/") or "//" in back or "\\" in back:
        back = prefix + "/customers"
    response = RedirectResponse(back, status_code=303)
    if language in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=365 * 24 * 3600,
            path=prefix,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
    return response
