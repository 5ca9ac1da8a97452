"""Usage marks: how far each subscription's usage charges are settled

Revision ID: 0019
Revises: 0018

``usage_marks``: per subscription, the ``as_of`` of the last bill run that posted its usage
difference and the timeline event it was derived against, and the earliest day of the usage
events stored since (with a version the writes of events count up). A bill run then reads only
the events that can still change a charge (docs/usage.md, "What a bill run reads"). No rows at
first: the first run after this migration reads every event, as before, and leaves the marks.
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "usage_marks",
        sa.Column("subscription_id", sa.String(40), sa.ForeignKey("subscriptions.id"),
                  primary_key=True),
        sa.Column("dirty_from", sa.Date(), nullable=True),
        sa.Column("settled_as_of", sa.Date(), nullable=True),
        sa.Column("timeline_seq", sa.Integer(), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("usage_marks")
