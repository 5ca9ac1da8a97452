"""Ledger settlement points: how far each subscription's ledger is settled against its timeline

Revision ID: 0010
Revises: 0009

One row per subscription (keyed by customer too, like every table a bill run touches):
``settled_through`` (every period ending on or before it is billed exactly as the timeline up to
event ``timeline_seq`` says, see ``billing.domain.settlement``). A bill run or a change derives
the ledger only from there, or from the earliest day an event recorded since reaches, and reads
only the entries of the periods ending after it: hence the index on
``ledger_entries (subscription_id, period_end)``. No row: derive from the start.
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_settlements",
        sa.Column("subscription_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("settled_through", sa.Date(), nullable=False),
        sa.Column("timeline_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.ForeignKeyConstraint(["subscription_id"], ["subscriptions.id"]),
        sa.PrimaryKeyConstraint("subscription_id"),
    )
    with op.batch_alter_table("ledger_settlements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_settlements_customer_id"), ["customer_id"], unique=False
        )
    op.create_index(
        "ix_ledger_entries_subscription_period_end",
        "ledger_entries",
        ["subscription_id", "period_end"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_ledger_entries_subscription_period_end", table_name="ledger_entries")
    op.drop_table("ledger_settlements")  # its index goes with it
