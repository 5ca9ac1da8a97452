"""A bound on failed authentication per client address, in this process's memory.

Each client address has a log of its last ``limit`` failures (unknown tokens). A client whose
log is full and whose oldest failure is less than ``window`` seconds old is answered 429
``too_many_failed_attempts`` with ``Retry-After`` (when its oldest failure leaves the window)
instead of 401; its failures keep being logged, so a client that keeps guessing stays refused.
Only failures are limited: a request with a valid token is never refused, whatever its address
did before (callers sharing an address with a guesser keep working).

Memory is bounded: at most ``limit`` timestamps for each of at most ``max_clients`` addresses;
past that the address that failed least recently is forgotten. IPv6 clients are counted by
their /64 network (one host usually holds a whole /64).

The address is the peer of the connection (ASGI ``client``). Behind a reverse proxy that is the
proxy, so every client shares one limit, unless the server is told to trust the proxy's
``X-Forwarded-For``: uvicorn (``billing serve``) does so for proxies on loopback by default and
for others listed in ``FORWARDED_ALLOW_IPS``. Each API worker process counts on its own.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


def client_key(host: str | None) -> str:
    """The address failures are counted by: the IPv4 address, the IPv6 /64, or the name."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class FailureLimiter:
    """Failed attempts per client in a sliding window (see the module docstring)."""

    def __init__(
        self,
        *,
        limit: int,
        window: float,
        max_clients: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_clients = max_clients
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def failed(self, client: str) -> int | None:
        """Log a failure of ``client``; the seconds it must wait (``Retry-After``) if it was
        already at its limit, else ``None`` (answer 401 as usual)."""
        now = self.clock()
        with self._lock:
            log = self._failures.get(client)
            if log is None:
                log = self._failures[client] = deque(maxlen=self.limit)
                while len(self._failures) > self.max_clients:
                    self._failures.popitem(last=False)
            else:
                self._failures.move_to_end(client)
            refused = len(log) == self.limit and log[0] > now - self.window
            log.append(now)
            if not refused:
                return None
            return max(1, math.ceil(log[0] + self.window - now))

    def tracked(self) -> int:
        """How many client addresses are remembered (for tests and metrics)."""
        return len(self._failures)
