"""``billing serve``: migrate, then serve the API with uvicorn.

Every accepted connection gets ``TCP_NODELAY``. uvicorn's single process listens on a socket
asyncio made itself (protocol ``IPPROTO_TCP``), and asyncio sets ``TCP_NODELAY`` on what it
accepts; with ``--workers`` uvicorn binds the socket itself without naming the protocol, asyncio
then leaves Nagle's algorithm on, and every keep-alive response (headers, then body: two small
writes) waits for the client's delayed ACK: 48 ms per request, measured, which held two workers
to the throughput of one (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

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
        http="billing.http.server:NoDelayH11Protocol",
    )
    return 0


def app_factory() -> object:
    return create_app(migrate=False)


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol (what ``auto`` picks here: httptools is not installed) with
    ``TCP_NODELAY`` on its connection (module docstring)."""

    def connection_made(self, transport: Any) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
