"""The console's pages and forms, mounted at ``/console`` on the API's app.

Handlers are thin: read the session cookie, check the CSRF token of a form, call one service
function with the staff actor, render a template. Reads run in a read transaction; a change
commits in its own unit of work; a preview runs the very same service call in a transaction
that is rolled back, so what it shows is what Confirm would post.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from billing.clock import Clock
from billing.console import views
from billing.console.auth import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    SESSION_SECONDS,
    ConsoleSession,
    LoginRequired,
    csrf_ok,
    new_login_nonce,
    read_session,
    sign_in,
)
from billing.documents.html import render_html
from billing.documents.pdf import render_pdf
from billing.documents.service import document_view
from billing.domain.errors import DomainError
from billing.storage.db import unit_of_work
from billing.subscriptions import service
from billing.subscriptions.schemas import CancelRequest

TEMPLATES = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES)

Action = Annotated[str, Form(pattern="^(preview|confirm)$")]
Csrf = Annotated[str, Form(max_length=200)]
Version = Annotated[int | None, Form()]


class CsrfRefused(Exception):
    pass


def current(request: Request) -> ConsoleSession:
    """The signed-in staff member (or :class:`LoginRequired`)."""
    factory: sessionmaker[Session] = request.app.state.parent.read_session_factory
    with factory() as session:
        return read_session(session, request.cookies.get(SESSION_COOKIE))


Staff = Annotated[ConsoleSession, Depends(current)]


def create_console(parent: FastAPI, prefix: str = "/console") -> FastAPI:
    """The console as an app of its own (its own error pages), sharing the parent's
    database, clock and settings."""
    console = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    console.state.parent = state = parent.state

    def read_factory() -> sessionmaker[Session]:
        return state.read_session_factory  # type: ignore[no-any-return]

    def write_factory() -> sessionmaker[Session]:
        return state.session_factory  # type: ignore[no-any-return]

    def clock() -> Clock:
        return state.clock  # type: ignore[no-any-return]

    @contextmanager
    def reading() -> Iterator[Session]:
        with read_factory()() as session:
            yield session

    def page(
        request: Request, name: str, context: dict[str, Any], status: int = 200
    ) -> HTMLResponse:
        context = {"prefix": prefix, **context}
        response = templates.TemplateResponse(request, name, context, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; "
            "frame-ancestors 'none'; form-action 'self'"
        )
        return response

    def check_csrf(staff: ConsoleSession, given: str) -> None:
        if not csrf_ok(staff.csrf, given):
            raise CsrfRefused

    def go(path: str) -> RedirectResponse:
        return RedirectResponse(prefix + path, status_code=303)

    # -- errors --------------------------------------------------------------------------------

    @console.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return go("/login")

    @console.exception_handler(CsrfRefused)
    async def _csrf(request: Request, exc: CsrfRefused) -> Response:
        message = "The form was stale or not ours (CSRF check). Reload the page and try again."
        return page(request, "error.html", {"status": 403, "message": message}, 403)

    @console.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        return page(
            request, "error.html", {"status": exc.status, "message": exc.detail}, exc.status
        )

    @console.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        message = "; ".join(str(e.get("msg")) for e in exc.errors()) or "invalid form"
        return page(request, "error.html", {"status": 422, "message": message}, 422)

    # -- signing in and out --------------------------------------------------------------------

    @console.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        return go("/customers" if request.cookies.get(SESSION_COOKIE) else "/login")

    @console.get("/login", include_in_schema=False)
    def login_form(request: Request) -> Response:
        return _login_page(request, None, 200)

    def _login_page(request: Request, error: str | None, status: int) -> Response:
        nonce = new_login_nonce()
        response = page(request, "login.html", {"csrf": nonce, "error": error}, status)
        response.set_cookie(
            LOGIN_COOKIE,
            nonce,
            max_age=900,
            path=prefix,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    @console.post("/login", include_in_schema=False)
    def login(
        request: Request, token: Annotated[str, Form(max_length=500)], csrf: Csrf
    ) -> Response:
        expected = request.cookies.get(LOGIN_COOKIE)
        if not expected or not csrf_ok(expected, csrf):
            return _login_page(request, "The sign-in form expired; please try again.", 403)
        try:
            with reading() as session:
                _, cookie = sign_in(session, token)
        except DomainError as exc:
            return _login_page(request, exc.detail, exc.status)
        response = go("/customers")
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

    @console.post("/logout", include_in_schema=False)
    def logout(staff: Staff, csrf: Csrf) -> Response:
        check_csrf(staff, csrf)
        response = go("/login")
        response.delete_cookie(SESSION_COOKIE, path=prefix, httponly=True, samesite="strict")
        return response

    # -- customers -----------------------------------------------------------------------------

    @console.get("/customers", include_in_schema=False)
    def customers(request: Request, staff: Staff, q: str = "") -> Response:
        with reading() as session:
            found = views.find_customers(session, q[:200])
        return page(request, "customers.html", {"staff": staff, "q": q, "customers": found})

    @console.get("/customers/{customer_id}", include_in_schema=False)
    def customer(request: Request, staff: Staff, customer_id: str) -> Response:
        with reading() as session:
            context = views.customer_page(session, staff.actor, clock(), customer_id)
        return page(request, "customer.html", {"staff": staff, **context})

    # -- subscriptions -------------------------------------------------------------------------

    def subscription_response(
        request: Request,
        staff: ConsoleSession,
        subscription_id: str,
        *,
        status: int = 200,
        **extra: Any,
    ) -> Response:
        with reading() as session:
            context = views.subscription_page(session, staff.actor, clock(), subscription_id)
        notice = request.query_params.get("done")
        return page(
            request,
            "subscription.html",
            {"staff": staff, "notice": notice, "form": {}, **context, **extra},
            status,
        )

    @console.get("/subscriptions/{subscription_id}", include_in_schema=False)
    def subscription(request: Request, staff: Staff, subscription_id: str) -> Response:
        return subscription_response(request, staff, subscription_id)

    def preview_or_confirm(
        request: Request,
        staff: ConsoleSession,
        subscription_id: str,
        *,
        action: str,
        form: dict[str, Any],
        change: Callable[[Session], service.ChangeResult],
        done: str,
    ) -> Response:
        """Run ``change`` and roll it back (preview) or commit it (confirm)."""
        try:
            if action == "confirm":
                with unit_of_work(write_factory()) as session:
                    change(session)
                return go(f"/subscriptions/{subscription_id}?done={done}")
            session = write_factory()()
            try:
                result = change(session)
                fmt = views.formats_for(result.loaded.customer, result.loaded.subscription.currency)
                preview = views.change_preview(session, result, fmt)
            finally:
                session.rollback()
                session.close()
        except DomainError as exc:
            return subscription_response(
                request, staff, subscription_id, status=exc.status, error=exc.detail, form=form
            )
        except ValidationError as exc:
            message = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in exc.errors()
            )
            return subscription_response(
                request, staff, subscription_id, status=422, error=message, form=form
            )
        return subscription_response(
            request, staff, subscription_id, preview=preview, preview_of=done, form=form
        )

    @console.post("/subscriptions/{subscription_id}/cancel", include_in_schema=False)
    def cancel(
        request: Request,
        staff: Staff,
        subscription_id: str,
        csrf: Csrf,
        action: Action,
        mode: Annotated[str, Form(max_length=40)],
        version: Version = None,
        date: Annotated[str, Form(max_length=20)] = "",
        requested_on: Annotated[str, Form(max_length=20)] = "",
        reason: Annotated[str, Form(max_length=2000)] = "",
        competitor_offer: Annotated[str, Form(max_length=10)] = "",
        competitor_details: Annotated[str, Form(max_length=2000)] = "",
        approved_by: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        check_csrf(staff, csrf)
        form = {
            "mode": mode,
            "date": date,
            "requested_on": requested_on,
            "reason": reason,
            "competitor_offer": competitor_offer,
            "competitor_details": competitor_details,
            "approved_by": approved_by,
        }

        def change(session: Session) -> service.ChangeResult:
            body = CancelRequest.model_validate(
                {
                    "mode": mode,
                    "date": date or None,
                    "requested_on": requested_on or None,
                    "reason": reason or None,
                    "competitor_offer": (competitor_offer == "yes") if competitor_offer else None,
                    "competitor_details": competitor_details or None,
                    "approved_by": approved_by or None,
                }
            )
            return service.cancel(
                session, staff.actor, clock(), subscription_id, body, expected_version=version
            )

        return preview_or_confirm(
            request, staff, subscription_id, action=action, form=form, change=change, done="cancel"
        )

    @console.post("/subscriptions/{subscription_id}/undo", include_in_schema=False)
    def undo(
        request: Request,
        staff: Staff,
        subscription_id: str,
        csrf: Csrf,
        action: Action,
        version: Version = None,
        reason: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        check_csrf(staff, csrf)

        def change(session: Session) -> service.ChangeResult:
            return service.undo_cancel(
                session,
                staff.actor,
                clock(),
                subscription_id,
                expected_version=version,
                reason=reason or None,
            )

        return preview_or_confirm(
            request, staff, subscription_id, action=action, form={}, change=change, done="undo"
        )

    # -- documents -----------------------------------------------------------------------------

    @console.get("/documents/{kind}/{document_id}.{fmt}", include_in_schema=False)
    def document(staff: Staff, kind: str, document_id: str, fmt: str) -> Response:
        doc_type = {"invoice": "invoice", "credit-note": "credit_note"}.get(kind)
        if doc_type is None or fmt not in ("html", "pdf"):
            return Response(status_code=404)
        with reading() as session:
            view = document_view(session, staff.actor, document_id, doc_type)
        if fmt == "html":
            return HTMLResponse(render_html(view))
        return Response(
            render_pdf(view),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{view.filename}.pdf"'},
        )

    return console
