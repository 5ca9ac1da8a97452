"""Typed settings, read from the environment (``BILLING_*``) and validated at start."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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


#: ``Session.info`` key under which an application's sessions carry its payment terms.
PAYMENT_TERMS_DAYS = "payment_terms_days"


def session_info(settings: Settings) -> dict[str, Any]:
    """What the database sessions of an application carry of its settings, for the services
    that need them (``sessionmaker.configure(info=…)``)."""
    return {PAYMENT_TERMS_DAYS: settings.payment_terms_days}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
