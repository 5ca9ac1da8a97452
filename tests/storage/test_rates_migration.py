"""Migration 0018 corrects the late-payment rows 0015 seeded, on a database that already ran
0015: the Norwegian fee the migration seeded (70 kr) becomes 35 kr, the Norwegian and Danish
rows of 2024-01-01 are added, and a row staff changed is left as they made it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import create_engine, text

from billing.storage.migrate import upgrade
from tests.conftest import Database
from tests.storage.conftest import empty_database  # noqa: F401


def _rows(url: str) -> dict[tuple[str, str], tuple[int, int, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT country, valid_from, reminder_fee, reference_rate, updated_by"
                    " FROM late_payment_rules"
                )
            ).all()
    finally:
        engine.dispose()
    return {(c, str(v)[:10]): (fee, rate, by) for c, v, fee, rate, by in rows}


def test_0018_corrects_the_seeded_rows_and_keeps_staffs(empty_database: Database) -> None:  # noqa: F811
    url = empty_database.url
    upgrade(url, "0015")
    before = _rows(url)
    assert before[("NO", "2025-01-01")][0] == 7000
    assert ("DK", "2024-01-01") not in before
    engine = create_engine(url)
    with engine.begin() as conn:  # staff put their own Danish row of 2024-01-01 in first
        conn.execute(
            text(
                "INSERT INTO late_payment_rules (country, valid_from, reference_rate, points,"
                " reminder_fee, fee_needs_agreement, max_fees, max_reminders, grace_days,"
                " spacing_days, compensation, source, updated_at, updated_by) VALUES"
                " ('DK', :d, 360, 800, 10000, false, 3, 3, 1, 10, 31000, 'staff', :d, 'staff')"
            ),
            {"d": date(2024, 1, 1)},
        )
    engine.dispose()
    upgrade(url)
    after = _rows(url)
    assert after[("NO", "2025-01-01")] == (3500, 1250, "migration 0018")
    assert after[("NO", "2024-01-01")] == (3500, 1250, "migration 0018")
    assert after[("DK", "2024-01-01")] == (10000, 360, "staff")
    assert after[("SE", "2025-01-01")] == before[("SE", "2025-01-01")]
