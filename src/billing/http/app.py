"""The FastAPI application: routers under /v1, problem+json errors, middleware, lifecycle."""

from __future__ import annotations

from fastapi import FastAPI, Security
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field

from billing import __version__
from billing.auth.service import ensure_bootstrap_key
from billing.clock import Clock
from billing.console.app import create_console
from billing.http import described, docs, problems
from billing.http.admission import AdmissionMiddleware, thread_limit
from billing.http.faults import DatabaseFaultMiddleware
from billing.http.middleware import (
    BodyLimitMiddleware,
    IdempotencyMiddleware,
    UrlCharactersMiddleware,
)
from billing.http.routers import (
    admin,
    customers,
    documents,
    events,
    exports,
    lifecycle,
    onboarding,
    orders,
    payments,
    people,
    receivables,
    reminders,
    renderings,
    sellers,
    subscriptions,
    usage,
    webhooks,
    xml,
)
from billing.settings import Settings, engine_options, get_settings, session_info
from billing.storage.db import make_engine, make_session_factory, unit_of_work
from billing.storage.migrate import upgrade


class HealthOut(BaseModel):
    """The process is alive."""

    status: str = Field(description="ok while the process serves.", examples=["ok"])


#: Documents the bearer token in the OpenAPI document; authentication itself is
#: billing.http.deps.get_actor (which answers problem+json, not FastAPI's 403).
bearer = HTTPBearer(auto_error=False, description="An API token: staff, integration or portal")

#: The routers under /v1, in the order they match: renderings and xml before documents
#: (/invoices/{id}.pdf is not an invoice id; xml also answers Accept: application/xml).
ROUTERS = (
    admin,
    customers,
    receivables,
    sellers,
    subscriptions,
    lifecycle,
    usage,
    renderings,
    xml,
    documents,
    events,
    webhooks,
    onboarding,
    orders,
    payments,
    exports,
    reminders,
    people,
)


def create_app(settings: Settings | None = None, *, migrate: bool = True) -> FastAPI:
    settings = settings or get_settings()
    if migrate:
        upgrade(settings.database_url)
    engine = make_engine(settings.database_url, **engine_options(settings))

    app = FastAPI(
        lifespan=thread_limit(settings.api_threads),
        title="billing",
        version=__version__,
        docs_url=None,  # served by billing.http.docs, with local assets
        redoc_url=None,
        description=(
            "Subscription billing and proration: one timeline per subscription, one "
            "append-only ledger, exact to the last minor unit."
        ),
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    # Sessions carry the app's payment terms to everything that posts invoices.
    app.state.session_factory.configure(info=session_info(settings))
    if settings.database_url.startswith("sqlite"):
        read_engine = make_engine(settings.database_url, read_only=True, **engine_options(settings))
        app.state.read_session_factory = make_session_factory(read_engine)
    else:
        app.state.read_session_factory = app.state.session_factory
    app.state.clock = Clock(test_clock_enabled=settings.test_clock)
    app.state.actor_cache = {}
    if settings.admin_token:
        with unit_of_work(app.state.session_factory) as session:
            ensure_bootstrap_key(session, settings.admin_token)

    problems.install(app)
    app.add_middleware(IdempotencyMiddleware)
    # Around everything that takes a thread or a connection (the token check and the
    # idempotency records included): no more requests inside than threads.
    app.add_middleware(AdmissionMiddleware, limit=settings.api_threads)
    app.add_middleware(DatabaseFaultMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(UrlCharactersMiddleware)
    for module in ROUTERS:
        app.include_router(
            module.router,
            prefix="/v1",
            responses=problems.PROBLEM_RESPONSES,
            dependencies=[Security(bearer)],
        )

    docs.install(app)
    described.install(app)
    app.mount("/console", create_console(app))  # the staff console (HTML, not in the schema)

    @app.get("/healthz", tags=["admin"], response_model=HealthOut)
    def healthz() -> dict[str, str]:
        """Liveness: answers ok while the process serves (no database call)."""
        return {"status": "ok"}

    return app
