"""Who started a bill run: ``bill_runs.started_by``.

The person or API key that started it through the API (``POST /v1/bill-runs``), or
``system:bill-run`` for the command line and the scheduler; the run's documents carry the same
value as ``issued_by`` and its feed events as ``actor``. Runs from before this migration keep
it null (who started them was not recorded; the activity log's entry for an API run names the
caller).

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("bill_runs", sa.Column("started_by", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bill_runs", schema=None) as batch_op:
        batch_op.drop_column("started_by")
