"""Console tests use the API tests' fast databases (SQLite copied from a migrated template)."""

from tests.api.conftest import database, sqlite_template

__all__ = ["database", "sqlite_template"]
