"""Usage events and plans' billable metrics

Revision ID: 0016
Revises: 0015

``usage_events``: one row per reported event, keyed by the client's id (idempotent), with the
customer's local day it occurred on; append-only like the timeline and the ledger (triggers).
``plans.usage_metrics``: the plan's billable metrics (JSON; NULL: none). Usage charges are ledger
entries of kind ``usage`` with items ``usage:<metric>:<tier>``: no change to the ledger table.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("plans", sa.Column("usage_metrics", JSON, nullable=True))
    op.create_table(
        "usage_events",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("subscription_id", sa.String(40), sa.ForeignKey("subscriptions.id"),
                  nullable=False),
        sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("metric", sa.String(60), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("properties", JSON, nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )  # fmt: skip
    op.create_index(
        "ix_usage_events_subscription_day", "usage_events", ["subscription_id", "occurred_on"]
    )
    op.create_index("ix_usage_events_customer_id", "usage_events", ["customer_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER usage_events_append_only BEFORE UPDATE OR DELETE ON usage_events "
            "FOR EACH ROW EXECUTE FUNCTION billing_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER usage_events_no_{action.lower()} BEFORE {action} ON "
                f"usage_events BEGIN SELECT RAISE(ABORT, 'append-only table usage_events: "
                f"{action} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS usage_events_append_only ON usage_events")
    else:
        op.execute("DROP TRIGGER IF EXISTS usage_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS usage_events_no_delete")
    op.drop_index("ix_usage_events_customer_id", table_name="usage_events")
    op.drop_index("ix_usage_events_subscription_day", table_name="usage_events")
    op.drop_table("usage_events")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("usage_metrics")
