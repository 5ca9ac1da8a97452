"""Money choices (proration, unused time), customer balance and refunds

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("proration", sa.String(length=20), nullable=False, server_default="by_day")
        )
        batch_op.add_column(
            sa.Column("unused", sa.String(length=20), nullable=False, server_default="credit_note")
        )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("balance_applied", sa.BigInteger(), nullable=False, server_default="0")
        )
    op.create_table(
        "balance_entries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("document_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("balance_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_balance_entries_customer_id"), ["customer_id"], unique=False
        )
    counters = sa.table("document_counters", sa.column("series"), sa.column("last_number"))
    op.bulk_insert(counters, [{"series": "RF", "last_number": 0}])
    _append_only("balance_entries")


def _append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION billing_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: {action} refused'); END"
            )


def downgrade() -> None:
    op.execute("DELETE FROM document_counters WHERE series = 'RF'")
    with op.batch_alter_table("balance_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_balance_entries_customer_id"))
    op.drop_table("balance_entries")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("balance_applied")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("unused")
        batch_op.drop_column("proration")
