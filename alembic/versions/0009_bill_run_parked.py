"""Parked subscriptions: the ones a bill run could not bill, with the problem's code and detail

Revision ID: 0009
Revises: 0008

A bill run that cannot bill one subscription (a fault in its data, an amount past the 64-bit
columns, a bug) parks it in ``bill_run_parked`` and bills the rest of its batch. One row per run
and subscription; the next run tries the subscription again.
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bill_run_parked",
        sa.Column("bill_run_id", sa.String(length=40), nullable=False),
        sa.Column("subscription_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("batch_seq", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("parked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bill_run_id"], ["bill_runs.id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.ForeignKeyConstraint(["subscription_id"], ["subscriptions.id"]),
        sa.PrimaryKeyConstraint("bill_run_id", "subscription_id"),
    )
    with op.batch_alter_table("bill_run_parked", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bill_run_parked_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_bill_run_parked_subscription_id"), ["subscription_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("bill_run_parked")  # its indexes go with it
