"""Bill runs read a subscription's usage from its usage mark on (the watermark): the full read of
every event is the oracle. Random scenarios on both databases (events on random served days,
late ones for periods long billed, a pause, a cancellation, runs at random dates, some earlier
than the last): before each run the watermarked derivation posts exactly what the full read
would, and after it the full read finds nothing left to post."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from billing.domain.timeline import Schedule
from billing.storage.models import TimelineEvent, UsageMark
from billing.subscriptions.repository import event_from_row
from billing.usage.bill_run import BatchUsage
from tests.api.helpers import bill, ok, setup, sub_path
from tests.conftest import Api

METRICS = [
    {"code": "checks", "name": "Checks", "reset": "contract_year", "included": 4,
     "unit_amount": 1_000},
    {"code": "calls", "name": "Calls", "aggregation": "sum", "included": 5,
     "tiers": [{"up_to": 10, "unit_amount": 100}, {"up_to": None, "unit_amount": 10}]},
    {"code": "users", "name": "Users", "aggregation": "unique_count", "property": "user",
     "included": 1, "unit_amount": 500},
    {"code": "peak", "name": "Peak", "aggregation": "max", "unit_amount": 7},
]  # fmt: skip


def derivations(api: Api, as_of: date) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each subscription's usage difference at ``as_of``: watermarked, and from every event."""
    engine = api.client.app.state.engine
    with engine.connect() as conn:
        events_of: dict[str, list[Any]] = {}
        q = select(TimelineEvent.__table__).order_by(TimelineEvent.subscription_id,
                                                     TimelineEvent.seq)  # fmt: skip
        for row in conn.execute(q):
            events_of.setdefault(row.subscription_id, []).append(event_from_row(row))
        marked, full = BatchUsage(conn, events_of), BatchUsage(conn, events_of, watermark=False)
        out: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
        for sid, evs in events_of.items():
            schedule = Schedule(evs)
            out[0][sid] = marked.difference(sid, schedule, as_of=as_of)
            out[1][sid] = full.difference(sid, schedule, as_of=as_of)
        return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_watermarked_bill_run_equals_the_full_read(api: Api, seed: int) -> None:
    rng = random.Random(seed)
    today = date(2025, 1, 1)
    subs = [setup(api, today=str(today), start=start, metrics=METRICS)
            for start in ("2025-01-01", "2025-01-17")]  # fmt: skip
    n, windowed, paused, cancelled = 0, 0, False, False
    for _step in range(14):
        for _ in range(rng.randint(0, 3)):  # reports, some late
            sub = rng.choice(subs)
            start = date.fromisoformat(sub["start_date"])
            days = max((today - start).days, 0)
            events = []
            for _ in range(rng.randint(1, 4)):
                n += 1
                day = start + timedelta(days=rng.randint(0, days))
                metric = rng.choice(METRICS)["code"]
                events.append({"id": f"e{n}", "subscription_id": sub["id"], "metric": metric,
                               "quantity": rng.randint(0, 6), "occurred_at": f"{day}T12:00:00Z",
                               "properties": {"user": f"u{rng.randint(1, 3)}"}})  # fmt: skip
            ok(api.post("/v1/usage-events?partial=true", {"events": events}), 201)
        if not paused and rng.random() < 0.25:
            paused = True
            back = rng.choice([25, 10, -2])  # back-dated over billed usage, or ahead
            first = max(today - timedelta(days=back), date(2025, 1, 2))
            pause = {"start_date": str(first), "resume_date": str(first + timedelta(days=10))}
            ok(api.post(sub_path(subs[0], "/pause"), pause))
        if not cancelled and rng.random() < 0.1:
            cancelled = True
            end = {"mode": "on_date", "date": str(today + timedelta(days=rng.randint(1, 40)))}
            ok(api.post(sub_path(subs[1], "/cancel"), end))
        if rng.random() < 0.7:
            as_of = today - timedelta(days=rng.choice([0, 0, 0, 3, 20]))
            marked, full = derivations(api, as_of)
            assert marked == full
            bill(api, str(as_of))
            assert all(not d for d in derivations(api, as_of)[1].values())
            with api.client.app.state.engine.connect() as conn:
                windowed += sum(1 for m in conn.execute(select(UsageMark.__table__))
                                if m.settled_as_of is not None)  # fmt: skip
        today += timedelta(days=rng.randint(3, 40))
        api.today(str(today))
    assert windowed > 0  # the marks were in use: the comparison was not of two full reads


def test_a_change_of_timeline_reads_every_event_again(api: Api) -> None:
    """A pause recorded after its days' usage was billed takes that usage off the bill: the
    mark was made against the older timeline, so the run reads from the start again."""
    sub = setup(api, today="2025-01-01", start="2025-01-01", metrics=METRICS)
    events = [{"id": f"c{i}", "subscription_id": sub["id"], "metric": "calls", "quantity": 6,
               "occurred_at": "2025-01-10T12:00:00Z"} for i in range(3)]  # fmt: skip
    ok(api.post("/v1/usage-events", {"events": events}), 201)
    api.today("2025-02-03")
    bill(api, "2025-02-01")
    ok(api.post(sub_path(sub, "/pause"), {"start_date": "2025-01-05",
                                          "resume_date": "2025-01-15"}))  # fmt: skip
    marked, full = derivations(api, date(2025, 2, 3))
    assert full[sub["id"]]  # the January charge is credited
    assert marked == full
