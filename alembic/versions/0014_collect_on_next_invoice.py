"""Plans say when a change's difference on billed periods is invoiced

Revision ID: 0014
Revises: 0013

``plans.collect``: ``now`` (at once, on the change's own documents: as every plan did before)
or ``next_invoice`` (on the next bill run's documents). Changes may choose otherwise; the
choice is recorded in the change's event.
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "plans", sa.Column("collect", sa.String(20), server_default="now", nullable=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("collect")
