"""The API's gatekeeper: which token is whose, failed attempts, and revocation taking effect.

The API checks the bearer token of every ``/v1`` request through the app's :class:`Guard`
before anything else runs (idempotency keys included; billing.http.middleware), and so does the
console's sign-in:

- :meth:`Guard.check`: the actor of a token, from memory if this process checked it less than
  ``BILLING_AUTH_CACHE_SECONDS`` ago (default 2 s), else from the database (one indexed read).
- :meth:`Guard.failed`: an unknown token counts against the client's address
  (:mod:`billing.auth.limiter`); past the limit the answer is 429, never for a valid token.
- :meth:`Guard.revoke`: revokes a key in a transaction of its own and, once that committed,
  forgets the key's tokens here; a check that read the key before the commit does not
  remember what it read. So a revoked key stops at once in this process and within
  ``BILLING_AUTH_CACHE_SECONDS`` in every other (each remembers for that long at most).

Cost of the bound (timing loops on the 2-core development machine, shared with other work):
checking a token in the database takes 0.6-0.9 ms on SQLite and 1.0-1.3 ms on PostgreSQL
(2-8 ms when the machine was overloaded, a quarter to a third of a whole small read request);
a remembered token about 2 µs. At 2 s a busy token costs one check per worker every 2 s;
``BILLING_AUTH_CACHE_SECONDS=0`` checks every request (revocation at once everywhere).

The guard also keeps ``app.state.actor_cache`` (billing.http.deps) in step: it writes the actors
it checked there and removes the tokens it finds unknown or revoked, so the handlers' own
lookup agrees with the gate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, MutableMapping
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from billing.auth.limiter import FailureLimiter
from billing.auth.people import disable_person, keys_of
from billing.auth.service import Actor, authenticate, hash_token, revoke_api_key
from billing.errors import Unauthorized
from billing.storage.db import unit_of_work
from billing.storage.models import ApiKey, Person

#: How many tokens a process remembers at most (past that it forgets the oldest).
MAX_TOKENS = 10_000

#: billing.http.deps' cache: token -> (monotonic expiry, actor).
SharedCache = MutableMapping[str, tuple[float, Actor]]


class Guard:
    """One per application (see :func:`guard_of`); safe to use from any thread."""

    def __init__(
        self,
        *,
        read_factory: sessionmaker[Session],
        write_factory: sessionmaker[Session],
        cache_seconds: float,
        limiter: FailureLimiter,
        shared_cache: SharedCache | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.read_factory = read_factory
        self.write_factory = write_factory
        self.cache_seconds = cache_seconds
        self.limiter = limiter
        self.shared_cache: SharedCache = shared_cache if shared_cache is not None else {}
        self.clock = clock
        self._tokens: dict[str, tuple[float, Actor]] = {}  # token digest -> expiry, actor
        self._revocations = 0  # bumped by each revocation; a check spanning one is not kept
        self._lock = threading.Lock()

    def known(self, token: str) -> Actor | None:
        """The actor of ``token`` if this process checked it recently (no I/O)."""
        hit = self._tokens.get(hash_token(token))
        if hit is None or hit[0] <= self.clock():
            return None
        return hit[1]

    def check(self, token: str) -> Actor | None:
        """The actor of ``token``, or ``None`` if it is unknown or revoked."""
        actor = self.known(token)
        if actor is not None:
            return actor
        revocations = self._revocations
        try:
            with self.read_factory() as session:
                actor = authenticate(session, token)
        except Unauthorized:
            self.shared_cache.pop(token, None)
            return None
        self._remember(token, actor, revocations)
        return actor

    def _remember(self, token: str, actor: Actor, revocations: int) -> None:
        now = self.clock()
        with self._lock:
            if revocations != self._revocations:
                return  # a key was revoked meanwhile: what was read may be stale
            # The handlers' lookup (billing.http.deps) trusts its cache: tell it what was
            # checked. Being the gate's (which checks first), it may trust it a little longer.
            self.shared_cache[token] = (now + max(self.cache_seconds, 5.0), actor)
            if self.cache_seconds <= 0:
                return
            if len(self._tokens) >= MAX_TOKENS:
                del self._tokens[next(iter(self._tokens))]
            self._tokens[hash_token(token)] = (now + self.cache_seconds, actor)

    def failed(self, client: str) -> int | None:
        """An unknown token from ``client``; seconds to wait if it is past its limit."""
        return self.limiter.failed(client)

    def revoke(self, key_id: str) -> ApiKey:
        """Revoke a key (committed here) and forget its tokens in this process."""
        with self._lock:
            self._revocations += 1
        with unit_of_work(self.write_factory) as session:
            key = revoke_api_key(session, key_id)
        self.forget(key_id)
        return key

    def disable(self, person_id: str) -> Person:
        """Disable a person and revoke every key of theirs (committed here), then forget
        those keys' tokens in this process (as :meth:`revoke` does for one key)."""
        with self._lock:
            self._revocations += 1
        with unit_of_work(self.write_factory) as session:
            person = disable_person(session, person_id)
            key_ids = keys_of(session, person_id)
            for key_id in key_ids:
                revoke_api_key(session, key_id)
        for key_id in key_ids:
            self.forget(key_id)
        return person

    def forget(self, key_id: str) -> None:
        """Drop what this process remembers of the key ``key_id`` (after it was revoked,
        here or, when told, elsewhere)."""
        with self._lock:
            self._revocations += 1
            for digest, (_, actor) in list(self._tokens.items()):
                if actor.key_id == key_id:
                    del self._tokens[digest]
            for token, (_, actor) in list(self.shared_cache.items()):
                if actor.key_id == key_id:
                    self.shared_cache.pop(token, None)


_creating = threading.Lock()


def guard_of(state: Any) -> Guard:
    """The guard of an application (made from its settings on first use), given the
    application's ``state``: its settings, session factories and ``actor_cache``."""
    guard: Guard | None = getattr(state, "guard", None)
    if guard is not None:
        return guard
    with _creating:
        guard = getattr(state, "guard", None)
        if guard is None:
            settings = state.settings
            limiter = FailureLimiter(
                limit=settings.auth_failure_limit,
                window=settings.auth_failure_window_seconds,
                max_clients=settings.auth_failure_max_clients,
            )
            guard = Guard(
                read_factory=state.read_session_factory,
                write_factory=state.session_factory,
                cache_seconds=settings.auth_cache_seconds,
                limiter=limiter,
                shared_cache=getattr(state, "actor_cache", None),
            )
            state.guard = guard
    return guard
