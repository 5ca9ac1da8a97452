"""The lifecycle tests use the shared fixtures of tests/conftest.py (kept importable here for
test folders that import them from this module)."""

from tests.conftest import PgPool, database, pg_pool, sqlite_template  # noqa: F401
