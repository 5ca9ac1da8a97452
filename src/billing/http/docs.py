"""``/docs`` (Swagger UI) and ``/redoc`` (Redoc), served with their assets by the app itself.

FastAPI's own pages load their scripts, styles and fonts from CDNs, so they are blank on a
machine without internet (a service inside a company network, a laptop on a train). Here the
assets come from the installation: Swagger UI from the ``swagger-ui-bundle`` package, Redoc's
standalone bundle (MIT, ``static/redoc/LICENSE``) from this package, both under ``/static``;
the pages reference nothing outside the app.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

SWAGGER_ASSETS = "/static/swagger-ui"
REDOC_ASSETS = "/static/redoc"
REDOC_DIR = Path(__file__).resolve().parent / "static" / "redoc"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def install(app: FastAPI) -> None:
    """Serve the two documentation pages and their assets (create the app with
    ``docs_url=None, redoc_url=None`` so FastAPI's CDN pages are not there too)."""
    app.mount(
        SWAGGER_ASSETS,
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="swagger-ui",
    )
    app.mount(REDOC_ASSETS, StaticFiles(directory=REDOC_DIR), name="redoc")
    openapi_url = app.openapi_url or "/openapi.json"
    favicon = f"{SWAGGER_ASSETS}/favicon-32x32.png"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} — API",
            swagger_js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
            swagger_favicon_url=favicon,
            oauth2_redirect_url=OAUTH2_REDIRECT,
            # No badge from the public validator (an outside request, blocked offline).
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} — API",
            redoc_js_url=f"{REDOC_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=favicon,
            with_google_fonts=False,
        )
