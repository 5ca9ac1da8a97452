"""``billing serve``: migrate, then serve the API with uvicorn."""

from __future__ import annotations

import uvicorn

from billing.http.app import create_app
from billing.settings import get_settings
from billing.storage.migrate import upgrade


def serve(*, host: str, port: int, workers: int = 1) -> int:
    settings = get_settings()
    upgrade(settings.database_url)
    uvicorn.run(
        "billing.http.server:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )
    return 0


def app_factory() -> object:
    return create_app(migrate=False)
