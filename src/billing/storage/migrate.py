"""Bring a database's schema up to date with the Alembic migrations in ``alembic/``."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config

from alembic import command

#: The repository's top-level ``alembic/`` folder (the package is installed in editable mode).
MIGRATIONS = Path(__file__).resolve().parents[3] / "alembic"


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)
