"""``billing serve`` turns Nagle's algorithm off on every connection, also with ``--workers``
(uvicorn's own socket leaves it on there: 48 ms per keep-alive request, measured; see
billing.http.server)."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

from billing.http.server import NoDelayH11Protocol


class _Transport(asyncio.Transport):
    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self.sock = sock

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {
            "socket": self.sock,
            "sockname": self.sock.getsockname(),
            "peername": self.sock.getpeername(),
        }.get(name, default)

    def is_closing(self) -> bool:
        return False

    def close(self) -> None: ...

    def write(self, data: Any) -> None: ...

    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...


async def _accepted_nodelay() -> tuple[int, int]:
    # A listening socket as uvicorn's --workers binds it: no protocol named, so what it
    # accepts has proto 0 and asyncio would not set TCP_NODELAY on it.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    try:
        before = accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)

        async def app(scope: Any, receive: Any, send: Any) -> None: ...

        config = Config(app=app, lifespan="off")
        config.load()
        protocol = NoDelayH11Protocol(config=config, server_state=ServerState(), app_state={})
        protocol.connection_made(_Transport(accepted))
        after = accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        protocol.connection_lost(None)
        return before, after
    finally:
        for s in (client, accepted, listener):
            s.close()


def test_every_connection_gets_tcp_nodelay() -> None:
    before, after = asyncio.run(_accepted_nodelay())
    assert before == 0  # what uvicorn's workers would serve on
    assert after != 0


def test_serve_uses_it() -> None:
    import inspect

    from billing.http import server

    assert '"billing.http.server:NoDelayH11Protocol"' in inspect.getsource(server.serve)
