"""Typed settings, read from the environment (``BILLING_*``) and validated at start."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: Placeholders a session secret may not contain outside development, however long it is.
_PLACEHOLDERS = ("changethis", "changeme")


def _weak(secret: str) -> bool:
    """A placeholder, or under ~128 bits by a rough estimate (length x bits per distinct
    character): ``openssl rand -hex 32`` gives 256, 40 times ``a`` gives 0."""
    distinct = len(set(secret))
    bits = len(secret) * math.log2(distinct) if distinct > 1 else 0.0
    return any(p in secret.lower() for p in _PLACEHOLDERS) or bits < 128


def _default_database_url() -> str:
    return f"sqlite:///{Path.cwd() / 'billing.sqlite3'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BILLING_", extra="ignore")

    #: Any SQLAlchemy URL; ``sqlite:///…`` (the embedded default) or ``postgresql+psycopg://…``.
    database_url: str = ""
    #: If set, a staff token with this value exists from start (bootstrap).
    admin_token: str | None = None
    #: Enables ``PUT /v1/test-clock``; never on in production.
    test_clock: bool = False
    #: Largest request body accepted, in bytes.
    max_body_bytes: int = 1_000_000
    #: Days from issue to due date on every invoice (requests, bill runs, orders).
    payment_terms_days: int = Field(default=30, ge=0, le=365)
    #: ``development`` and ``test`` allow conveniences that ``production`` refuses: a missing
    #: session secret (a random one per process) and webhooks to private addresses.
    environment: Literal["development", "test", "production"] = "development"
    #: Signs the console's session cookies (HMAC-SHA256); at least 32 characters. Required in
    #: production; in development a random one is made per process (sessions then end with
    #: the process and are not shared between workers).
    session_secret: SecretStr | None = None
    #: Development and tests only: webhooks may use ``http`` and go to loopback and private
    #: addresses (link-local, multicast and reserved ones stay refused). Refused in production.
    webhook_allow_private: bool = False
    #: Host names (comma separated) a deployment trusts as webhook receivers although they are
    #: internal: no address check for them (``https`` is still required).
    webhook_allowed_hosts: Annotated[frozenset[str], NoDecode] = frozenset()
    #: Failed authentications (unknown tokens) one client address may make per window before
    #: it is answered 429 ``too_many_failed_attempts``; a valid token is never refused.
    auth_failure_limit: int = Field(default=20, ge=1, le=100_000)
    auth_failure_window_seconds: int = Field(default=60, ge=1, le=86_400)
    #: How many client addresses the failure limiter tracks (the least recent are forgotten).
    auth_failure_max_clients: int = Field(default=10_000, ge=1, le=10_000_000)
    #: How long a process trusts a token it checked before checking it again: the longest a
    #: key revoked in another process keeps working here (in its own process, at once).
    auth_cache_seconds: float = Field(default=2.0, ge=0, le=30)
    #: How long an API request waits for SQLite's write lock before it is answered 503
    #: ``database_busy`` with ``Retry-After`` (background jobs wait up to a minute).
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0, le=600_000)
    #: SQLite's ``synchronous`` for the API: ``FULL`` (default) syncs every commit, so a power
    #: cut loses no committed transaction; ``NORMAL`` is faster and may lose the last ones.
    sqlite_synchronous: Literal["NORMAL", "FULL", "EXTRA"] = "FULL"
    #: How long an API request waits for a PostgreSQL lock (``lock_timeout``) before it is
    #: answered 503 ``database_busy`` with ``Retry-After``; 0 waits without bound.
    postgres_lock_timeout_ms: int = Field(default=5000, ge=0, le=600_000)

    #: Worker threads of one API process (anyio's limit for sync handlers and dependencies;
    #: anyio's own default is 40). Each database engine of the process gets a pool of as many
    #: connections plus ``db_pool_overflow``, so a thread never waits for a connection that
    #: another thread holds while it waits for a thread (storage.db: pool and threads).
    #: PostgreSQL: workers x (threads + overflow) x 1 engine must stay under max_connections.
    api_threads: int = Field(default=40, ge=1, le=1000)
    #: Connections an engine may open beyond ``api_threads`` (a connection opened while
    #: another is held: a token check, an idempotency record, a job's own transaction).
    db_pool_overflow: int = Field(default=10, ge=0, le=1000)
    #: How long a request waits for a pooled connection before it is answered 503
    #: ``database_busy`` with ``Retry-After`` (SQLAlchemy's default is 30 s).
    db_pool_timeout_seconds: float = Field(default=5.0, gt=0, le=300)
    #: Subscriptions per batch of a bill run started through the API (``POST /v1/bill-runs``;
    #: ``billing bill-run`` has ``--batch-size``): each batch is one transaction, so a run cut
    #: short (the database went away) keeps its done batches and the rerun bills the rest.
    bill_run_batch_size: int = Field(default=1000, ge=1, le=1_000_000)

    @field_validator("database_url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value or _default_database_url()
        if not (value.startswith("sqlite") or value.startswith("postgresql")):
            raise ValueError(
                "BILLING_DATABASE_URL must be a sqlite:// or postgresql+psycopg:// URL"
            )
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @field_validator("admin_token")
    @classmethod
    def _token(cls, value: str | None) -> str | None:
        if value is not None and len(value) < 16:
            raise ValueError("BILLING_ADMIN_TOKEN must be at least 16 characters")
        return value or None

    @field_validator("webhook_allowed_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple | set | frozenset):
            return frozenset(str(h).strip().lower().rstrip(".") for h in value if str(h).strip())
        return value

    @model_validator(mode="after")
    def _production(self) -> Settings:
        """Refuse unsafe defaults outside development (as full-stack-fastapi-template does)."""
        secret = self.session_secret.get_secret_value() if self.session_secret else None
        if secret is not None and len(secret) < 32:
            raise ValueError("BILLING_SESSION_SECRET must be at least 32 characters")
        if self.environment != "production":
            return self
        if secret is None:
            raise ValueError("BILLING_SESSION_SECRET is required in production")
        if _weak(secret):
            raise ValueError("BILLING_SESSION_SECRET is too weak; use e.g. `openssl rand -hex 32`")
        if self.webhook_allow_private:
            raise ValueError("BILLING_WEBHOOK_ALLOW_PRIVATE is for development and tests only")
        return self


def engine_options(settings: Settings) -> dict[str, Any]:
    """The API's database waits, durability and pool (:func:`billing.storage.db.make_engine`)."""
    return {
        "busy_timeout_ms": settings.sqlite_busy_timeout_ms,
        "synchronous": settings.sqlite_synchronous,
        "lock_timeout_ms": settings.postgres_lock_timeout_ms,
        "threads": settings.api_threads,
        "pool_overflow": settings.db_pool_overflow,
        "pool_timeout": settings.db_pool_timeout_seconds,
    }


#: ``Session.info`` key under which an application's sessions carry its payment terms.
PAYMENT_TERMS_DAYS = "payment_terms_days"
#: ``Session.info`` keys of the webhook target policy (:mod:`billing.webhooks.targets`).
WEBHOOK_ALLOW_PRIVATE = "webhook_allow_private"
WEBHOOK_ALLOWED_HOSTS = "webhook_allowed_hosts"


def session_info(settings: Settings) -> dict[str, Any]:
    """What the database sessions of an application carry of its settings, for the services
    that need them (``sessionmaker.configure(info=…)``)."""
    return {
        PAYMENT_TERMS_DAYS: settings.payment_terms_days,
        WEBHOOK_ALLOW_PRIVATE: settings.webhook_allow_private,
        WEBHOOK_ALLOWED_HOSTS: settings.webhook_allowed_hosts,
    }


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
