"""Storage: SQLAlchemy models, engine and sessions, and Alembic migrations."""
