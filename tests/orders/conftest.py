"""Fresh databases of both kinds, prepared ahead as in the lifecycle tests (fast clones)."""

from tests.lifecycle.conftest import database, pg_pool, sqlite_template  # noqa: F401
