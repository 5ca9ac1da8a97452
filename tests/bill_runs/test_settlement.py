"""Settlement points in storage: they move as runs post, and a back-dated change re-derives from
its own date (both databases).

Two subscriptions live the same life: bill runs month by month, then a price change back-dated
into a billed period (through the API), then a licence change back-dated by a write straight into
the timeline (as an old release would: no point moved), then more runs. Before every step the
twin's point is deleted, so the twin is always derived from the start: the full derivation, the
oracle. The subscription derived incrementally must end with exactly the twin's ledger.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select

from billing.ids import new_id
from billing.storage.models import LedgerEntry, LedgerSettlement, TimelineEvent
from tests.api.helpers import bill, ok
from tests.conftest import Api

START = "2025-01-01"
points = LedgerSettlement.__table__
entries = LedgerEntry.__table__


def _point(api: Api, sid: str) -> tuple[date, int] | None:
    with api.client.app.state.engine.connect() as conn:
        row = conn.execute(
            select(points.c.settled_through, points.c.timeline_seq).where(
                points.c.subscription_id == sid
            )
        ).first()
    return None if row is None else (row[0], row[1])


def _forget(api: Api, sid: str) -> None:
    """The twin loses its point: its next derivation starts from the beginning."""
    with api.client.app.state.engine.begin() as conn:
        conn.execute(delete(points).where(points.c.subscription_id == sid))


def _ledger(api: Api, sid: str) -> list[tuple[Any, ...]]:
    with api.client.app.state.engine.connect() as conn:
        rows = conn.execute(
            select(
                entries.c.item, entries.c.kind, entries.c.period_start, entries.c.period_end,
                entries.c.service_start, entries.c.service_end, entries.c.amount,
            ).where(entries.c.subscription_id == sid).order_by(entries.c.id)
        ).all()  # fmt: skip
    return [tuple(r) for r in rows]


def _append_quantity(api: Api, sid: str, effective: str, quantity: int) -> int:
    events = TimelineEvent.__table__
    with api.client.app.state.engine.begin() as conn:
        seq = 1 + conn.execute(
            select(func.max(events.c.seq)).where(events.c.subscription_id == sid)
        ).scalar_one()
        conn.execute(
            insert(events).values(
                id=new_id("evt"), subscription_id=sid, seq=seq, type="quantity_changed",
                effective_date=date.fromisoformat(effective), recorded_at=datetime.now(UTC),
                recorded_by="direct write", reason=None, data={"quantity": quantity},
            )
        )  # fmt: skip
    return int(seq)


def test_points_move_with_runs_and_back_dated_changes_re_derive_from_their_date(
    api: Api,
) -> None:
    api.today(START)
    plan = api.plan(unit_amount=31_000)
    customer = api.customer()
    sub = api.subscription(customer, plan, start_date=START)["id"]
    twin = api.subscription(customer, plan, start_date=START)["id"]
    assert _point(api, sub) is None

    def run(day: str) -> None:
        _forget(api, twin)
        api.today(day)
        bill(api, day)

    run(START)
    assert _point(api, sub) == (date(2025, 1, 1), 1)
    # Monthly runs: the point is rewritten once it lags more than a quarter (not every run).
    for day, through in [("2025-02-01", "2025-01-01"), ("2025-03-01", "2025-01-01"),
                         ("2025-04-01", "2025-01-01"), ("2025-05-01", "2025-05-01"),
                         ("2025-06-01", "2025-05-01")]:
        run(day)
        assert _point(api, sub) == (date.fromisoformat(through), 1), day
    assert _ledger(api, sub) == _ledger(api, twin)

    # A price change back-dated to March 10th, through the API: posted at once from the period
    # holding March 10th (a credit from the 10th, a charge on the new price), and the point
    # goes back to that date, against the timeline with the change.
    _forget(api, twin)
    change = {"effective_date": "2025-03-10", "unit_amount": 62_000, "proration": "by_day"}
    for sid in (sub, twin):
        ok(api.post(f"/v1/subscriptions/{sid}/changes", change))
    assert _point(api, sub) == (date(2025, 3, 10), 2)
    after_change = _ledger(api, sub)[6:]
    assert min(e[2] for e in after_change) == date(2025, 3, 1)
    credits = [e for e in after_change if e[1] == "credit"]
    assert credits and credits[0][2:5] == (date(2025, 3, 1), date(2025, 4, 1), date(2025, 3, 10))
    assert _ledger(api, sub) == _ledger(api, twin)

    # A licence change written straight into the timeline, back-dated to April 20th: the stored
    # point knows nothing of it (an older seq), so the next run re-derives from April's period.
    seq = _append_quantity(api, sub, "2025-04-20", 3)
    assert _append_quantity(api, twin, "2025-04-20", 3) == seq
    before = len(_ledger(api, sub))
    run("2025-07-01")
    new = _ledger(api, sub)[before:]
    assert min(e[2] for e in new) == date(2025, 4, 1)  # April credited and charged anew
    assert _point(api, sub) == (date(2025, 7, 1), seq)
    assert _ledger(api, sub) == _ledger(api, twin)

    # And a run that finds nothing new posts nothing, from the point.
    count = len(_ledger(api, sub))
    run("2025-07-01")
    assert len(_ledger(api, sub)) == count
    assert _ledger(api, sub) == _ledger(api, twin)
