"""Payments by reference from bank files

Revision ID: 0012
Revises: 0011

* ``payment_files``: each bank file imported once (unique content hash and file identifiers),
  with the answer its import gave.
* ``bank_payments``: each payment (or deduction) of a file as reported. Append-only.
* ``bank_allocations``: money of a bank payment put to an invoice, paid or kept as customer
  credit. Append-only. What a bank payment still holds is its amount less its allocations.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_bigint_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_when = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "payment_files",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("file_key", sa.String(200), nullable=False, unique=True),
        sa.Column("received_at", _when, nullable=False),
        sa.Column("payment_count", sa.Integer(), nullable=False),
        sa.Column("total_amount", sa.BigInteger(), nullable=False),
        sa.Column("result", _json, nullable=True),
    )
    op.create_table(
        "bank_payments",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("file_id", sa.String(40), sa.ForeignKey("payment_files.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reference", sa.String(200), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("payer", sa.String(200), nullable=True),
        sa.Column("receiver", sa.String(80), nullable=True),
        sa.Column("seller_id", sa.String(40), sa.ForeignKey("sellers.id"), nullable=True),
        sa.Column("reason", sa.String(40), nullable=True),
        sa.Column("created_at", _when, nullable=False),
    )
    op.create_index("ix_bank_payments_file_id", "bank_payments", ["file_id"])
    op.create_table(
        "bank_allocations",
        sa.Column("id", _bigint_id, primary_key=True, autoincrement=True),
        sa.Column(
            "bank_payment_id", sa.String(40), sa.ForeignKey("bank_payments.id"), nullable=False
        ),
        sa.Column("invoice_id", sa.String(40), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("payment_id", sa.String(40), sa.ForeignKey("payments.id"), nullable=True),
        sa.Column("paid", sa.BigInteger(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.Column("allocated_by", sa.String(20), nullable=False),
        sa.Column("created_at", _when, nullable=False),
    )
    op.create_index("ix_bank_allocations_bank_payment_id", "bank_allocations", ["bank_payment_id"])
    op.create_index("ix_bank_allocations_invoice_id", "bank_allocations", ["invoice_id"])
    for table in ("bank_payments", "bank_allocations"):
        _append_only(table)


def _append_only(table: str) -> None:
    """As 0001 and 0004 do: the database refuses UPDATE and DELETE, whoever asks."""
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
    op.drop_index("ix_bank_allocations_invoice_id", table_name="bank_allocations")
    op.drop_index("ix_bank_allocations_bank_payment_id", table_name="bank_allocations")
    op.drop_table("bank_allocations")
    op.drop_index("ix_bank_payments_file_id", table_name="bank_payments")
    op.drop_table("bank_payments")
    op.drop_table("payment_files")
