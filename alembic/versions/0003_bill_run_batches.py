"""bill run batches: claimable slices of a bill run, and when a run finished

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bill_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "bill_run_batches",
        sa.Column("bill_run_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("first_id", sa.String(length=40), nullable=True),
        sa.Column("last_id", sa.String(length=40), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("subscriptions", sa.Integer(), nullable=False),
        sa.Column("invoices", sa.Integer(), nullable=False),
        sa.Column("credit_notes", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["bill_run_id"], ["bill_runs.id"]),
        sa.PrimaryKeyConstraint("bill_run_id", "seq"),
    )


def downgrade() -> None:
    op.drop_table("bill_run_batches")
    with op.batch_alter_table("bill_runs", schema=None) as batch_op:
        batch_op.drop_column("finished_at")
