"""A bill-run scenario on a real database, and the invariants every run must leave behind.

The scenario: a few thousand synthetic subscriptions (some in arrears, anchor days, price and
licence changes) started over four months, billed once up to ``FIRST_AS_OF``; then some are
cancelled back inside a billed period (events written directly, as if recorded before that
bill run was posted), so the next run at ``AS_OF`` posts credit notes as well as invoices.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select, text

from billing.bill_runs import bulk
from billing.bill_runs.batch import entry_from_row, event_from_row
from billing.bill_runs.service import run_bill_run
from billing.bill_runs.synthetic import seed
from billing.domain.ledger import Scope, difference, target_pieces
from billing.domain.posting import document_number
from billing.domain.timeline import Schedule
from billing.storage.db import make_engine, make_session_factory
from billing.storage.models import LedgerEntry, TimelineEvent

FIRST_AS_OF = date(2025, 3, 1)
AS_OF = date(2025, 5, 15)
CANCELLED_ON = date(2025, 2, 20)


def prepare(url: str, count: int) -> None:
    """Seed, bill up to FIRST_AS_OF, then cancel every 10th subscription started before
    February inside its billed February period."""
    engine = make_engine(url)
    try:
        seed(
            engine,
            count,
            first_start=date(2025, 1, 1),
            last_start=date(2025, 4, 30),
            variety=True,
            tag="0000000000aa",
        )
        run_bill_run(make_session_factory(engine), as_of=FIRST_AS_OF)
        with engine.begin() as conn:
            rows = conn.execute(
                text(
                    "SELECT s.id, max(e.seq) FROM subscriptions s JOIN timeline_events e "
                    "ON e.subscription_id = s.id WHERE s.start_date < :feb "
                    "GROUP BY s.id ORDER BY s.id"
                ),
                {"feb": date(2025, 2, 1)},
            ).all()
            now = datetime.now(UTC)
            v = bulk.Values(conn)
            events = [
                (f"evt_cancel{i:030d}", sid, seq + 1, "cancellation_scheduled",
                 v.day(CANCELLED_ON), v.timestamp(now), "test", None, json.dumps({}))
                for i, (sid, seq) in enumerate(rows) if i % 10 == 0
            ]  # fmt: skip
            bulk.insert_rows(
                conn,
                "timeline_events",
                ("id", "subscription_id", "seq", "type", "effective_date", "recorded_at",
                 "recorded_by", "reason", "data"),
                events,
                adapted=True,
            )  # fmt: skip
    finally:
        engine.dispose()


def cli(url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``billing bill-run --as-of AS_OF …`` as a real process."""
    return subprocess.Popen(
        [sys.executable, "-m", "billing.cli", "bill-run", "--as-of", AS_OF.isoformat(), *args],
        env={**os.environ, "BILLING_DATABASE_URL": url, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def assert_numbers_gapless(conn: Any) -> None:
    """Invoice and credit-note numbers run 1..n without a gap."""
    for series in ("INV", "CN"):
        numbers = list(
            conn.execute(
                text("SELECT number FROM documents WHERE series = :s ORDER BY number"),
                {"s": series},
            ).scalars()
        )
        assert numbers == list(range(1, len(numbers) + 1)), f"{series} numbers have gaps"


def check_invariants(engine: Engine, *, subscriptions: int) -> dict[str, int]:
    """Everything a finished run at AS_OF must leave behind; returns a few counts."""
    with engine.connect() as conn:
        # Gapless, unique numbers per series, in the order they were issued.
        assert_numbers_gapless(conn)
        # Numbers are taken last (bill_runs.numbers): no provisional series is ever committed,
        # and each document's feed event names its final number and payment reference, the
        # feed's order being the numbers' order in every series.
        provisional = conn.execute(
            text("SELECT count(*) FROM documents WHERE series LIKE '~%'")
        ).scalar_one()
        assert provisional == 0
        issued = conn.execute(
            text(
                "SELECT d.series, d.number, d.payment_reference, e.data FROM documents d "
                "JOIN events e ON e.subject_id = d.id AND e.type = d.type || '.issued' "
                "WHERE d.bill_run_id IS NOT NULL ORDER BY e.seq"
            )
        ).all()
        assert issued, "the runs announced no documents"
        last: dict[str, int] = {}
        for series, number, reference, data in issued:
            payload = data if isinstance(data, dict) else json.loads(data)
            expected = (document_number(series, number), reference)
            assert (payload["number"], payload.get("payment_reference")) == expected
            assert number > last.get(series, 0), f"{series} {number}: the feed is out of order"
            last[series] = number
        # Every document carries entries adding up to its net total (its lines are net), and
        # its total is net + VAT; credit notes point at an invoice of the same subscription.
        bad = conn.execute(
            text(
                "SELECT d.id FROM documents d LEFT JOIN ledger_entries e ON e.document_id = d.id "
                "GROUP BY d.id, d.type, d.total, d.net_total, d.vat_total HAVING count(e.id) = 0"
                " OR (CASE WHEN d.type = 'invoice' THEN 1 ELSE -1 END) * sum(e.amount)"
                " <> d.net_total OR d.net_total + d.vat_total <> d.total"
            )
        ).all()
        assert bad == [], f"documents without their entries: {bad[:5]}"
        orphans = conn.execute(
            text(
                "SELECT n.id FROM documents n JOIN documents i ON i.id = n.invoice_id "
                "WHERE n.type = 'credit_note' AND (i.type <> 'invoice' "
                "OR i.subscription_id <> n.subscription_id)"
            )
        ).all()
        assert orphans == []
        # One finished run at AS_OF (reruns resumed it), at most one invoice per subscription
        # in it, and its batch counts agree with its documents.
        runs = conn.execute(
            text("SELECT id, finished_at FROM bill_runs WHERE as_of = :d"), {"d": AS_OF}
        ).all()
        assert len(runs) == 1 and runs[0][1] is not None, runs
        run_id = runs[0][0]
        per_sub = conn.execute(
            text(
                "SELECT subscription_id, count(*) FROM documents WHERE bill_run_id = :r "
                "AND type = 'invoice' GROUP BY subscription_id HAVING count(*) > 1"
            ),
            {"r": run_id},
        ).all()
        assert per_sub == [], f"two invoices for one subscription in one run: {per_sub[:5]}"
        counts = conn.execute(
            text(
                "SELECT sum(subscriptions), sum(invoices), sum(credit_notes) "
                "FROM bill_run_batches WHERE bill_run_id = :r"
            ),
            {"r": run_id},
        ).one()
        docs = Counter(
            dict(
                conn.execute(
                    text("SELECT type, count(*) FROM documents WHERE bill_run_id = :r "
                         "GROUP BY type"),
                    {"r": run_id},
                ).all()
            )
        )  # fmt: skip
        assert (counts[1], counts[2]) == (docs["invoice"], docs["credit_note"])
        assert counts[0] == subscriptions
        assert docs["invoice"] > 0 and docs["credit_note"] > 0
        # The ledger equals the target: the difference posts nothing, and each due period
        # of a subscription that never changed has exactly one charge.
        events: dict[str, list[Any]] = defaultdict(list)
        for row in conn.execute(
            select(TimelineEvent.__table__).order_by(
                TimelineEvent.subscription_id, TimelineEvent.seq
            )
        ):
            events[row.subscription_id].append(event_from_row(row))
        posted: dict[str, list[Any]] = defaultdict(list)
        for row in conn.execute(
            select(LedgerEntry.__table__).order_by(LedgerEntry.subscription_id, LedgerEntry.id)
        ):
            posted[row.subscription_id].append(entry_from_row(row))
    assert len(events) == subscriptions
    plain = 0
    for sid, evs in events.items():
        schedule = Schedule(evs)
        entries = posted[sid]
        assert difference(schedule, entries, as_of=AS_OF, scope=Scope.DUE) == [], sid
        if len(evs) == 1:
            plain += 1
            target = target_pieces(schedule, as_of=AS_OF, scope=Scope.DUE)
            charges = Counter(e.key for e in entries if not e.is_credit)
            assert all(e.kind.value != "credit" for e in entries), sid
            assert charges == Counter({k: 1 for k, pieces in target.items() if pieces}), sid
    assert plain > subscriptions // 2
    return {"invoices": docs["invoice"], "credit_notes": docs["credit_note"]}
