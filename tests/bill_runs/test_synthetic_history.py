"""Seeded history is what the bill runs it stands for would have posted.

Two sets of the same synthetic subscriptions (same ``seed_value``: the same timelines, ids apart)
in one database: one seeded with the history of monthly runs at ``BILLED``, one seeded bare and
then billed by the real bill runs at those dates. The runs post nothing for the first set (its
history already is their difference), and both sets' ledgers and invoices agree entry for entry;
the next run then posts the same for both. The seeded set starts that run from the settlement
points its history left, the other from the points its runs left. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from billing.bill_runs.service import run_bill_run
from billing.bill_runs.synthetic import seed
from billing.storage.db import make_engine, make_session_factory
from tests.conftest import Api, Database

COUNT = 240
SEEDED, BILLED_BY_RUNS = "0000000hist1", "0000000hist2"
BILLED = (date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1))
NEXT = date(2025, 5, 1)


def _ledger(engine: Engine, tag: str) -> list[tuple[Any, ...]]:
    """The set's entries and their invoices, ids reduced to what both sets share."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT e.subscription_id, e.item, e.kind, e.period_start, e.period_end, "
                "e.service_start, e.service_end, e.unit_amount, e.quantity, e.period_amount, "
                "e.amount, e.currency, e.event_id, e.credits_entry_id, d.type, d.issue_date, "
                "d.due_date, d.total, d.status "
                "FROM ledger_entries e JOIN documents d ON d.id = e.document_id "
                "WHERE e.subscription_id LIKE :p ORDER BY e.subscription_id, e.id"
            ),
            {"p": f"sub_{tag}%"},
        ).all()
    return [
        (r[0].replace(tag, ""), *r[1:12], r[12] and r[12].replace(tag, ""), *r[13:]) for r in rows
    ]


def test_seeded_history_is_what_the_bill_runs_post(database: Database) -> None:
    engine = make_engine(database.url)
    factory = make_session_factory(engine)
    try:
        common: dict[str, Any] = {
            "first_start": date(2025, 1, 1),
            "last_start": date(2025, 3, 20),
            "variety": True,
            "seed_value": 7,
        }
        seeded = seed(engine, COUNT, tag=SEEDED, billed=BILLED, **common)
        seed(engine, COUNT, tag=BILLED_BY_RUNS, **common)
        history = _ledger(engine, SEEDED)
        assert seeded.entries == len(history) > COUNT * 2
        with engine.connect() as conn:
            last = conn.execute(
                text("SELECT last_number FROM document_counters WHERE series = 'INV'")
            ).scalar_one()
            points = conn.execute(
                text(
                    "SELECT settled_through, count(*) FROM ledger_settlements "
                    "WHERE subscription_id LIKE :p GROUP BY settled_through"
                ),
                {"p": f"sub_{SEEDED}%"},
            ).all()
        assert last == seeded.documents
        # Every subscription has its point: the last run's date, or (in arrears, its first
        # period not yet due, so neither the setup group) its start.
        through = {str(d): n for d, n in points}
        assert sum(through.values()) == COUNT
        assert through[str(BILLED[-1])] > COUNT // 2 and max(through) == str(BILLED[-1])

        for bill_date in BILLED:
            run_bill_run(factory, as_of=bill_date)
        assert _ledger(engine, SEEDED) == history  # the runs found nothing left to post
        assert _ledger(engine, BILLED_BY_RUNS) == history

        result = run_bill_run(factory, as_of=NEXT)
        assert result.invoice_count > COUNT // 2
        assert _ledger(engine, SEEDED) == _ledger(engine, BILLED_BY_RUNS) != history
        with engine.connect() as conn:
            numbers = list(
                conn.execute(
                    text("SELECT number FROM documents WHERE series = 'INV' ORDER BY number")
                ).scalars()
            )
        assert numbers == list(range(1, len(numbers) + 1))
    finally:
        engine.dispose()


def test_the_synthetic_seller_numbers_customers_made_later_through_the_api(
    database: Database, make_app: Callable[..., Any]
) -> None:
    """Seeded on a fresh install, the API can still make customers: the seller it made has its
    customer-number counter (without it, ``POST /v1/customers`` failed with a 500)."""
    engine = make_engine(database.url)
    try:
        seed(engine, 3, first_start=date(2025, 1, 1), last_start=date(2025, 1, 31))
    finally:
        engine.dispose()
    with TestClient(make_app()) as client:
        r = Api(client).post("/v1/customers", {"name": "Later AB", "currency": "SEK"})
    assert r.status_code == 201, r.text
    assert r.json()["customer_number"]
