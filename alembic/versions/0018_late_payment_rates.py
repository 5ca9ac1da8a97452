"""Late-payment tables checked again (2026-12-02): the Norwegian reminder fee and two missing
half-years.

* Norway: the purregebyr cap is 35 kr since the inkasso rules of 2020 (a twentieth of the
  inkassosats of 700 kr), not the 70 kr of the rules before 2020 that 0015 seeded (sergel.no,
  "Salær og gebyr 2020"; kvam.no's fee catalogue). The rows 0015 seeded get 35 kr; a row staff
  have changed since (``updated_by`` is no longer ``migration 0015``) is left as it is.
* Norway from 2024-01-01: forsinkelsesrente 12.50 %, standardkompensasjon 470 kr
  (regjeringen.no, "Forsinkelsesrente og standardkompensasjon fra 1. januar 2024").
* Denmark from 2024-01-01: Nationalbanken's lending rate 3.75 % + 8 points = 11.75 %
  (selandiaadvokater.dk, "Renteoplysninger").

A row for a country and date that already exists (staff added it) is kept.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

BY = "migration 0018"
NO_FEE_SOURCE = "{rate}; purregebyr 35 kr (inkasso rules since 2020; staff confirm yearly)"
NO = {
    "country": "NO", "points": 0, "reminder_fee": 3500, "fee_needs_agreement": False,
    "max_fees": 2, "max_reminders": None, "grace_days": 14, "spacing_days": 14,
    "compensation": 47000,
}  # fmt: skip
DK = {
    "country": "DK", "points": 800, "reminder_fee": 10000, "fee_needs_agreement": False,
    "max_fees": 3, "max_reminders": 3, "grace_days": 1, "spacing_days": 10,
    "compensation": 31000,
}  # fmt: skip
ADDED = [
    {
        **NO,
        "valid_from": date(2024, 1, 1),
        "reference_rate": 1250,
        "source": NO_FEE_SOURCE.format(rate="regjeringen.no: 12,5 % and 470 kr from 2024-01-01"),
    },
    {
        **DK,
        "valid_from": date(2024, 1, 1),
        "reference_rate": 375,
        "source": "renteloven § 5, § 9 b; procesrenten 3,75 % + 8 = 11,75 % pr. 1. januar 2024",
    },
]

rules = sa.table(
    "late_payment_rules",
    *(sa.column(name) for name in (
        "country", "valid_from", "reference_rate", "points", "reminder_fee",
        "fee_needs_agreement", "max_fees", "max_reminders", "grace_days", "spacing_days",
        "compensation", "source", "updated_at", "updated_by",
    )),
)  # fmt: skip


def upgrade() -> None:
    conn = op.get_bind()
    now = datetime(2026, 12, 2, tzinfo=UTC)
    conn.execute(
        rules.update()
        .where(rules.c.country == "NO", rules.c.updated_by == "migration 0015")
        .where(rules.c.reminder_fee == 7000)
        .values(
            reminder_fee=3500,
            source=NO_FEE_SOURCE.format(rate="FOR-2024-12-19-3279"),
            updated_at=now,
            updated_by=BY,
        )
    )
    for row in ADDED:
        exists = conn.execute(
            sa.select(sa.func.count())
            .select_from(rules)
            .where(rules.c.country == row["country"], rules.c.valid_from == row["valid_from"])
        ).scalar_one()
        if not exists:
            conn.execute(rules.insert().values(**row, updated_at=now, updated_by=BY))


def downgrade() -> None:
    conn = op.get_bind()
    for row in ADDED:
        conn.execute(
            rules.delete().where(
                rules.c.country == row["country"],
                rules.c.valid_from == row["valid_from"],
                rules.c.updated_by == BY,
            )
        )
    conn.execute(
        rules.update()
        .where(rules.c.country == "NO", rules.c.updated_by == BY)
        .values(
            reminder_fee=7000,
            source="FOR-2024-12-19-3279; purregebyr 1/10 inkassosats (700 kr, to be confirmed)",
            updated_by="migration 0015",
        )
    )
