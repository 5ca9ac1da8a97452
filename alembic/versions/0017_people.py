"""People and the activity log: staff accounts, tokens tied to a person, who did what

Revision ID: 0017
Revises: 0016

- ``people``: a member of staff (or an integration's or a customer's named user) with a
  ``login`` (an e-mail address, stored lower-case, unique), a role as API keys have, an
  optional Argon2id ``password_hash`` and ``disabled_at`` (a disabled person keeps the row,
  so every record that names them still resolves).
- ``api_keys.person_id``: a token issued to a person (by an admin, or by signing in) carries
  the person; keys without one are the service's own (integrations, the bootstrap key).
- ``events.actor``, ``documents.issued_by``, ``payments.recorded_by``: who caused the row
  (a person id, else the id of the key; null for the scheduler and the workers).
- ``audit_log``: one row per write made through the API, numbered in commit order (``seq``),
  append-only: the database refuses UPDATE, DELETE and (PostgreSQL) TRUNCATE; numbered
  by the ``AUD`` series of ``document_counters`` (as the feed by ``EVT``).
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("login", sa.String(254), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=True),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
    )
    with op.batch_alter_table("api_keys") as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.String(40), nullable=True))
        batch_op.create_index("ix_api_keys_person_id", ["person_id"])
    # ADD COLUMN only (no table rebuild): the append-only triggers on events stay as they are.
    op.add_column("events", sa.Column("actor", sa.String(40), nullable=True))
    op.add_column("documents", sa.Column("issued_by", sa.String(40), nullable=True))
    op.add_column("payments", sa.Column("recorded_by", sa.String(40), nullable=True))
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("actor", sa.String(40), nullable=False),
        sa.Column("person_id", sa.String(40), nullable=True),
        sa.Column("operation", sa.String(200), nullable=False),
        sa.Column("subject_id", sa.String(200), nullable=True),
        sa.Column("customer_id", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_audit_log_customer_id", "audit_log", ["customer_id", "seq"])
    _append_only("audit_log")
    # Entries are numbered like the event feed: a gapless series whose counter row is locked
    # until commit, so that numbers are issued in commit order.
    counters = sa.table("document_counters", sa.column("series"), sa.column("last_number"))
    op.bulk_insert(counters, [{"series": "AUD", "last_number": 0}])


def _append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        # billing_append_only() is 0001's.
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION billing_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION billing_append_only()"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: {action} refused'); END"
        )


def downgrade() -> None:
    op.execute("DELETE FROM document_counters WHERE series = 'AUD'")
    op.drop_index("ix_audit_log_customer_id", table_name="audit_log")
    op.drop_table("audit_log")  # its triggers go with it
    op.drop_column("payments", "recorded_by")
    op.drop_column("documents", "issued_by")
    op.drop_column("events", "actor")
    with op.batch_alter_table("api_keys") as batch_op:
        batch_op.drop_index("ix_api_keys_person_id")
        batch_op.drop_column("person_id")
    op.drop_table("people")
