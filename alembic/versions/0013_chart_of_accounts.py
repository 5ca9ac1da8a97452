"""A seller's chart of accounts for the books (SIE export)

Revision ID: 0013
Revises: 0012

* ``chart_of_accounts``: the accounts a seller books to instead of the BAS defaults
  (:mod:`billing.exports.accounts`), one row per key (``receivables``, ``revenue:standard:2500``,
  ``plan:<plan id>``, ``addon:<code>``, ``product:<code>``, ...) with the account number and
  its name. No row: the default. The seller's ``PUT /v1/sellers/{id}/accounts`` replaces them.
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chart_of_accounts",
        sa.Column("seller_id", sa.String(40), sa.ForeignKey("sellers.id"), primary_key=True),
        sa.Column("key", sa.String(120), primary_key=True),
        sa.Column("account", sa.String(10), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("chart_of_accounts")
