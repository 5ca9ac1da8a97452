"""The published contract: the OpenAPI document, built without touching a real database.

``billing openapi [--output api/openapi.json]`` writes it; ``tests/test_openapi.py`` fails when
the checked-in copy is stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from billing.http.app import create_app
from billing.settings import Settings

#: Where the checked-in document lives, relative to the repository root.
DEFAULT_OUTPUT = Path("api") / "openapi.json"


def export_openapi() -> dict[str, Any]:
    """The OpenAPI document of the app as ``create_app`` builds it.

    The app is built on an in-memory SQLite URL with no migration and no bootstrap token, and
    with the test clock enabled so that ``/v1/test-clock`` is documented; SQLAlchemy engines
    connect lazily, so no database is opened. Settings are given explicitly, so the result does
    not depend on ``BILLING_*`` variables in the environment.
    """
    settings = Settings(database_url="sqlite:///:memory:", admin_token=None, test_clock=True)
    return create_app(settings, migrate=False).openapi()


def render_openapi(document: dict[str, Any] | None = None) -> str:
    """The document as it is checked in: sorted keys, indent 2, trailing newline."""
    document = export_openapi() if document is None else document
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_openapi(output: str | Path = DEFAULT_OUTPUT) -> Path:
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_openapi(), encoding="utf-8")
    return path
