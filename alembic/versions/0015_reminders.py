"""Reminders and late interest by law: dated late-payment tables, reminders, reminder settings,
disputed invoices, and customer-level ledger entries for fees and interest

Revision ID: 0015
Revises: 0014

**Who owns a reminder's fee and interest.** A ledger entry had exactly one owner, a subscription
or an order (CHECK ``ledger_entries_one_owner``). A reminder fee, a late-payment compensation and
late interest belong to neither: they arise from the *customer's* overdue debt (an invoice of
either kind), and putting them on a subscription's ledger would make its derivation (the ledger
equals the timeline's target) see charges no timeline explains and credit them back. So they
become a third owner kind, the **customer**: an entry with neither owner, whose ``item`` is one
of ``reminder_fee``, ``late_compensation``, ``late_interest`` (``customer_id`` is on every entry
already). The CHECK becomes "one owner, or a customer-level item" and nothing else may be
ownerless. They are posted by the one writer (``post_plan``) on a reminder invoice of the
seller's series (gapless numbers, a payment reference, VAT ``outside_scope``, 0 %), so every
report that reads invoices and entries sees them as it sees any line. On SQLite the ledger table
is rebuilt (batch mode), so its append-only triggers are made again (as 0008 does).

**Seeded tables** (rates in hundredths of a percent; fees in minor units), as sourced on
2026-12-01:

* Sweden: Riksbank reference rate (räntelagen 9 §, set per half-year): 2024-01-01 4.00 %,
  2024-07-01 4.00 %, 2025-01-01 3.00 %, 2025-07-01 2.00 %, 2026-01-01 2.00 % (table at
  https://www.mystep.se/referensranta, citing Sveriges Riksbank; the 2024-01-01 figure also
  https://www.capway.se/2024/01/02/referensrantan-faststalld-till-400/) + 8 points
  (räntelagen 6 §); påminnelseavgift 60 kr where agreed (lag (1981:739) om ersättning för
  inkassokostnader m.m. 5 §); förseningsersättning 450 kr between businesses (same law, 4 a §).
* Norway: forsinkelsesrenten 12.50 % from 2025-01-01 and standardkompensasjon 470 kr
  (FOR-2024-12-19-3279, Finansdepartementet). Later half-years: staff add the Ministry's rows.
  Purregebyr: a tenth of the inkassosats (inkassoforskriften § 1-2), at most two fees per claim
  and not before 14 days after the due date (https://www.opas.no/2015/01/...). The last
  inkassosats found in a source is 700 kr (fees 70 kr; https://www.sticos.no/fagstoff/satser/
  purring-og-inkasso, 2018); the seeded 70 kr is that figure, **to be confirmed by staff**
  against the current inkassosats, which is indexed yearly.
* Denmark: Nationalbanken's lending rate + 8 points (renteloven § 5): 11.25 % from 2023-07-01
  (https://forbrug.dk/regler/opslagsvaerk-forbrugerleksikon/morarenten/), seeded as 3.25 % +
  8.00; later half-years: staff add rows. Rykkergebyr at most 100 kr, at most three, at least
  10 days apart (renteloven § 9 b stk. 1); kompensation 310 kr between businesses (§ 9 b stk. 4;
  https://debtia.dk/ordbog/renteloven/).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

ONE_OWNER = "(subscription_id IS NULL) <> (order_id IS NULL)"
CUSTOMER_ITEMS = "('reminder_fee', 'late_compensation', 'late_interest')"
OWNER_OR_CUSTOMER = (
    f"({ONE_OWNER}) OR (subscription_id IS NULL AND order_id IS NULL AND item IN {CUSTOMER_ITEMS})"
)
BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

SE = {
    "country": "SE", "points": 800, "reminder_fee": 6000, "fee_needs_agreement": True,
    "max_fees": None, "max_reminders": None, "grace_days": 7, "spacing_days": 14,
    "compensation": 45000,
}  # fmt: skip
NO = {
    "country": "NO", "points": 0, "reminder_fee": 7000, "fee_needs_agreement": False,
    "max_fees": 2, "max_reminders": None, "grace_days": 14, "spacing_days": 14,
    "compensation": 47000,
}  # fmt: skip
DK = {
    "country": "DK", "points": 800, "reminder_fee": 10000, "fee_needs_agreement": False,
    "max_fees": 3, "max_reminders": 3, "grace_days": 1, "spacing_days": 10,
    "compensation": 31000,
}  # fmt: skip
SE_SOURCE = "Riksbanken referensränta (mystep.se table), räntelagen 6 §, lag (1981:739) 4 a, 5 §"
SEEDS = [
    {**SE, "valid_from": date(2024, 1, 1), "reference_rate": 400, "source": SE_SOURCE},
    {**SE, "valid_from": date(2024, 7, 1), "reference_rate": 400, "source": SE_SOURCE},
    {**SE, "valid_from": date(2025, 1, 1), "reference_rate": 300, "source": SE_SOURCE},
    {**SE, "valid_from": date(2025, 7, 1), "reference_rate": 200, "source": SE_SOURCE},
    {**SE, "valid_from": date(2026, 1, 1), "reference_rate": 200, "source": SE_SOURCE},
    {
        **NO,
        "valid_from": date(2025, 1, 1),
        "reference_rate": 1250,
        "source": "FOR-2024-12-19-3279; purregebyr 1/10 inkassosats (700 kr, to be confirmed)",
    },
    {
        **DK,
        "valid_from": date(2023, 7, 1),
        "reference_rate": 325,
        "source": "renteloven § 5, § 9 b; forbrug.dk morarenten 11,25 % fra 1. juli 2023",
    },
]


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _sqlite_ledger_triggers() -> None:
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER ledger_entries_no_{action.lower()} BEFORE {action} ON ledger_entries "
            f"BEGIN SELECT RAISE(ABORT, 'append-only table ledger_entries: {action} refused'); END"
        )


def _owner_check(condition: str) -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_constraint("ledger_entries_one_owner", type_="check")
        batch_op.create_check_constraint("ledger_entries_one_owner", condition)
    if not _postgres():
        op.execute("DROP TRIGGER IF EXISTS ledger_entries_no_update")
        op.execute("DROP TRIGGER IF EXISTS ledger_entries_no_delete")
        _sqlite_ledger_triggers()


def _tables() -> None:
    rules = op.create_table(
        "late_payment_rules",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("reference_rate", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reminder_fee", sa.BigInteger(), nullable=False),
        sa.Column("fee_needs_agreement", sa.Boolean(), nullable=False),
        sa.Column("max_fees", sa.Integer(), nullable=True),
        sa.Column("max_reminders", sa.Integer(), nullable=True),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("spacing_days", sa.Integer(), nullable=False),
        sa.Column("compensation", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("country", "valid_from"),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("invoice_id", sa.String(40), nullable=False),
        sa.Column("customer_id", sa.String(40), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("overdue", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("compensation", sa.BigInteger(), nullable=False),
        sa.Column("interest", sa.BigInteger(), nullable=False),
        sa.Column("interest_from", sa.Date(), nullable=False),
        sa.Column("interest_to", sa.Date(), nullable=False),
        sa.Column("rate", sa.Integer(), nullable=False),
        sa.Column("charge_invoice_id", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["documents.id"]),
        sa.ForeignKeyConstraint(["charge_invoice_id"], ["documents.id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("invoice_id", "sequence"),
    )
    for column in ("invoice_id", "customer_id", "charge_invoice_id"):
        op.create_index(f"ix_reminders_{column}", "reminders", [column], unique=False)
    op.create_table(
        "reminder_settings",
        sa.Column("customer_id", sa.String(40), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("fee_agreed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    op.create_table(
        "invoice_disputes",
        sa.Column("invoice_id", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(200), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["invoice_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("invoice_id"),
    )
    now = datetime(2026, 12, 1, tzinfo=UTC)
    op.bulk_insert(
        rules, [{**row, "updated_at": now, "updated_by": "migration 0015"} for row in SEEDS]
    )


def upgrade() -> None:
    _owner_check(OWNER_OR_CUSTOMER)
    _tables()


def downgrade() -> None:
    """The tables go; so do the customer-level entries (the append-only rule stops for it)."""
    op.drop_table("invoice_disputes")
    op.drop_table("reminder_settings")
    op.drop_table("reminders")
    op.drop_table("late_payment_rules")
    ownerless = "DELETE FROM ledger_entries WHERE subscription_id IS NULL AND order_id IS NULL"
    if _postgres():
        op.execute("ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only")
        op.execute(ownerless)
        op.execute("ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only")
    else:
        op.execute("DROP TRIGGER ledger_entries_no_delete")
        op.execute(ownerless)
        _sqlite_ledger_triggers_delete_only()
    _owner_check(ONE_OWNER)


def _sqlite_ledger_triggers_delete_only() -> None:
    """Put back the delete trigger dropped above (the batch rebuild then makes both again)."""
    op.execute(
        "CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries "
        "BEGIN SELECT RAISE(ABORT, 'append-only table ledger_entries: DELETE refused'); END"
    )
