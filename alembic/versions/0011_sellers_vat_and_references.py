"""Sellers, buyers' legal details, VAT on lines and documents, payment references

Revision ID: 0011
Revises: 0010

* ``sellers``: the legal entities that issue documents, each with its own number series
  (``number_prefix``) and payment reference scheme; ``is_default`` bills customers that name
  none.
* ``customers``: the buyer as documents print it (legal name, address, country, organisation
  and VAT numbers, business or consumer, customer number) and its seller. All nullable: a
  customer made before keeps working and buys from the default seller.
* ``plans.tax_category`` / ``prices_include_vat``, ``order_lines.tax_category``: standard and
  net unless said otherwise.
* ``ledger_entries.tax_code`` / ``vat_rate`` / ``vat_inclusive``: how a line was taxed. Added as
  plain nullable columns (no table rebuild, so the append-only triggers stay); entries posted
  before stay NULL: untaxed, as they were issued.
* ``documents``: seller, net and VAT totals, VAT breakdown, the parties as issued, payment
  reference (unique per seller). Documents issued before get ``net_total = total`` and
  ``vat_total = 0``: exactly as they were issued, no VAT invented for the past.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _customer_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("seller_id", sa.String(40), nullable=True),
        sa.Column("kind", sa.String(20), nullable=True),
        sa.Column("legal_name", sa.String(200), nullable=True),
        sa.Column("address_line1", sa.String(200), nullable=True),
        sa.Column("address_line2", sa.String(200), nullable=True),
        sa.Column("postal_code", sa.String(20), nullable=True),
        sa.Column("city", sa.String(100), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("organisation_number", sa.String(40), nullable=True),
        sa.Column("vat_number", sa.String(40), nullable=True),
        sa.Column("customer_number", sa.String(40), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "sellers",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("legal_name", sa.String(200), nullable=False),
        sa.Column("address_line1", sa.String(200), nullable=False),
        sa.Column("address_line2", sa.String(200), nullable=True),
        sa.Column("postal_code", sa.String(20), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("organisation_number", sa.String(40), nullable=False),
        sa.Column("vat_number", sa.String(40), nullable=True),
        sa.Column("f_skatt", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("foretaksregisteret", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("bank", _json, nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), nullable=True),
        sa.Column("number_prefix", sa.String(10), nullable=False, unique=True),
        sa.Column("reference_scheme", sa.String(20), nullable=True),
        sa.Column("reference_prefix", sa.String(10), nullable=False),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("is_default", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    # customers and documents have no triggers: batch mode may rebuild them on SQLite (the only
    # way it adds a foreign key).
    with op.batch_alter_table("customers") as batch:
        for column in _customer_columns():
            batch.add_column(column)
        batch.create_foreign_key("fk_customers_seller_id_sellers", "sellers", ["seller_id"], ["id"])
    op.add_column(
        "plans",
        sa.Column("tax_category", sa.String(20), server_default="standard", nullable=False),
    )
    op.add_column(
        "plans",
        sa.Column("prices_include_vat", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "order_lines",
        sa.Column("tax_category", sa.String(20), server_default="standard", nullable=False),
    )
    op.add_column("ledger_entries", sa.Column("tax_code", sa.String(20), nullable=True))
    op.add_column("ledger_entries", sa.Column("vat_rate", sa.Integer(), nullable=True))
    op.add_column("ledger_entries", sa.Column("vat_inclusive", sa.Boolean(), nullable=True))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("seller_id", sa.String(40), nullable=True))
        batch.add_column(sa.Column("net_total", sa.BigInteger(), nullable=True))
        batch.add_column(
            sa.Column("vat_total", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("vat_breakdown", _json, nullable=True))
        batch.add_column(sa.Column("parties", _json, nullable=True))
        batch.add_column(sa.Column("payment_reference", sa.String(40), nullable=True))
        batch.create_foreign_key("fk_documents_seller_id_sellers", "sellers", ["seller_id"], ["id"])
        batch.create_index(
            "uq_documents_seller_id_payment_reference",
            ["seller_id", "payment_reference"],
            unique=True,
        )
    op.execute("UPDATE documents SET net_total = total")


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("uq_documents_seller_id_payment_reference")
        batch.drop_constraint("fk_documents_seller_id_sellers", type_="foreignkey")
        for name in (
            "payment_reference", "parties", "vat_breakdown", "vat_total", "net_total", "seller_id",
        ):  # fmt: skip
            batch.drop_column(name)
    # ledger_entries: plain DROP COLUMN (SQLite 3.35+), no rebuild, so its triggers stay.
    for name in ("vat_inclusive", "vat_rate", "tax_code"):
        op.drop_column("ledger_entries", name)
    op.drop_column("order_lines", "tax_category")
    op.drop_column("plans", "prices_include_vat")
    op.drop_column("plans", "tax_category")
    with op.batch_alter_table("customers") as batch:
        batch.drop_constraint("fk_customers_seller_id_sellers", type_="foreignkey")
        for column in reversed(_customer_columns()):
            batch.drop_column(column.name)
    op.drop_table("sellers")
