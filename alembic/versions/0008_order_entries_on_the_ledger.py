"""One-off orders on the ledger: order deliveries (and their credits) as ledger entries owned by
the order; order credits; the invoiced lines moved onto the ledger

Revision ID: 0008
Revises: 0007

Ledger entries get an owner that is either a subscription or an order (``order_id``), the order
line they bill (``order_line_id``) and its ``description``. Every existing order invoice line
becomes a ``one_off`` ledger entry on the same invoice, of the same amount, served on its
delivery day, posted when its delivery was recorded (``event_id``: the delivery), and
``order_invoice_lines`` goes. On SQLite the ledger table is rebuilt (batch mode), so its
append-only triggers are made again.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ONE_OWNER = "(subscription_id IS NULL) <> (order_id IS NULL)"

#: Each order invoice line as a ledger entry: one day of service on its delivery day.
COPY_LINES = """
INSERT INTO ledger_entries (
    subscription_id, order_id, order_line_id, description, customer_id, item, kind,
    period_start, period_end, service_start, service_end, unit_amount, quantity,
    period_amount, amount, currency, event_id, credits_entry_id, document_type, document_id,
    posted_at)
SELECT NULL, d.order_id, x.order_line_id, x.description, doc.customer_id,
    CASE WHEN x.code IS NULL THEN 'order' ELSE 'order:' || x.code END, 'one_off',
    x.delivered_on, {next_day}, x.delivered_on, {next_day}, x.unit_amount, x.quantity,
    x.amount, x.amount, x.currency, x.delivery_id, NULL, 'invoice', x.document_id,
    d.recorded_at
FROM order_invoice_lines x
JOIN order_deliveries d ON d.id = x.delivery_id
JOIN documents doc ON doc.id = x.document_id
ORDER BY x.id
"""


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _next_day() -> str:
    return "x.delivered_on + 1" if _postgres() else "date(x.delivered_on, '+1 day')"


def _sqlite_ledger_triggers() -> None:
    """Batch mode rebuilt the table without its triggers (0001): the same again."""
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER ledger_entries_no_{action.lower()} BEFORE {action} ON ledger_entries "
            f"BEGIN SELECT RAISE(ABORT, 'append-only table ledger_entries: {action} refused'); END"
        )


def upgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.alter_column("subscription_id", existing_type=sa.String(40), nullable=True)
        batch_op.add_column(sa.Column("order_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("order_line_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("description", sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(
            "fk_ledger_entries_order_id_orders", "orders", ["order_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_ledger_entries_order_line_id_order_lines", "order_lines", ["order_line_id"], ["id"]
        )
        batch_op.create_check_constraint("ledger_entries_one_owner", ONE_OWNER)
        batch_op.create_index(batch_op.f("ix_ledger_entries_order_id"), ["order_id"], unique=False)
    if not _postgres():
        _sqlite_ledger_triggers()
    op.create_table(
        "order_credits",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("request", JSON, nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "reference"),
    )
    with op.batch_alter_table("order_credits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_credits_order_id"), ["order_id"], unique=False)
    op.execute(COPY_LINES.format(next_day=_next_day()))
    op.drop_table("order_invoice_lines")  # its triggers and index go with it


def downgrade() -> None:
    """Back to invoiced order lines; order credits (and their credit notes' entries) go."""
    op.create_table(
        "order_invoice_lines",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=40), nullable=False),
        sa.Column("delivery_id", sa.String(length=40), nullable=False),
        sa.Column("order_line_id", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=200), nullable=True),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("unit_amount", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["order_deliveries.id"]),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.ForeignKeyConstraint(["order_line_id"], ["order_lines.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("order_invoice_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_invoice_lines_document_id"), ["document_id"], unique=False
        )
    op.execute(
        """
        INSERT INTO order_invoice_lines (document_id, delivery_id, order_line_id, code,
            description, delivered_on, unit_amount, quantity, amount, currency)
        SELECT e.document_id, e.event_id, e.order_line_id, l.code, e.description,
            e.service_start, e.unit_amount, e.quantity, e.amount, e.currency
        FROM ledger_entries e JOIN order_lines l ON l.id = e.order_line_id
        WHERE e.order_id IS NOT NULL AND e.kind = 'one_off'
        ORDER BY e.id
        """
    )
    _take_order_entries_off()
    op.drop_table("order_credits")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_order_id"))
        batch_op.drop_constraint("ledger_entries_one_owner", type_="check")
        batch_op.drop_constraint("fk_ledger_entries_order_line_id_order_lines", type_="foreignkey")
        batch_op.drop_constraint("fk_ledger_entries_order_id_orders", type_="foreignkey")
        batch_op.drop_column("description")
        batch_op.drop_column("order_line_id")
        batch_op.drop_column("order_id")
        batch_op.alter_column("subscription_id", existing_type=sa.String(40), nullable=False)
    if not _postgres():
        op.execute("DROP TRIGGER IF EXISTS ledger_entries_no_update")
        _sqlite_ledger_triggers()
    _order_invoice_lines_triggers()


def _take_order_entries_off() -> None:
    """Delete the orders' ledger entries (a downgrade only)."""
    # The append-only rule stops for the time it takes to take the order entries off.
    if _postgres():
        op.execute("ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only")
        op.execute("DELETE FROM ledger_entries WHERE order_id IS NOT NULL")
        op.execute("ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only")
    else:
        op.execute("DROP TRIGGER ledger_entries_no_delete")
        op.execute("DELETE FROM ledger_entries WHERE order_id IS NOT NULL")


def _order_invoice_lines_triggers() -> None:
    """0007's append-only triggers on order_invoice_lines."""
    if _postgres():
        for trigger, when in (("append_only", "UPDATE OR DELETE"), ("no_truncate", "TRUNCATE")):
            each = "ROW" if when != "TRUNCATE" else "STATEMENT"
            op.execute(
                f"CREATE TRIGGER order_invoice_lines_{trigger} BEFORE {when} ON "
                f"order_invoice_lines FOR EACH {each} EXECUTE FUNCTION billing_append_only()"
            )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER order_invoice_lines_no_{action.lower()} BEFORE {action} ON "
                "order_invoice_lines BEGIN SELECT RAISE(ABORT, "
                f"'append-only table order_invoice_lines: {action} refused'); END"
            )
