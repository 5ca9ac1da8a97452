"""A subscription a bill run cannot bill is parked; every other one of its batch bills.

Two subscriptions are poisoned by rows written straight into the database, past the checks the
API makes: one whose terms (10^12 × 10^6 licences, a monthly price billed yearly) make a
period's amount overflow a 64-bit column — the fault that used to answer 500 for every bill
run — and one with a timeline row the codec refuses. The run bills the healthy ones, parks the
two with their problem codes (in the answer, in ``GET /v1/bill-runs/{id}``, in the feed), and
the next run, once one of them is mended, bills it while the other stays parked.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, insert, select

from billing.bill_runs.parking import BILLING_FAILED, Parking
from billing.domain.errors import InvalidTimeline
from billing.ids import new_id
from billing.storage.models import BillRunParked, LedgerEntry, TimelineEvent
from tests.api.helpers import bill, ok
from tests.conftest import Api, Database

DAY = "2025-04-02"


def _append(api: Api, subscription_id: str, kind: str, data: dict[str, Any]) -> None:
    """An event written straight into the timeline (as an old release or a bug would)."""
    events = TimelineEvent.__table__
    with api.client.app.state.engine.begin() as conn:
        last = conn.execute(
            select(func.max(events.c.seq)).where(events.c.subscription_id == subscription_id)
        ).scalar_one()
        conn.execute(
            insert(events).values(
                id=new_id("evt"),
                subscription_id=subscription_id,
                seq=last + 1,
                type=kind,
                effective_date=date.fromisoformat(DAY),
                recorded_at=datetime.now(UTC),
                recorded_by="direct write",
                reason=None,
                data=data,
            )
        )


def _entries(api: Api, subscription_id: str) -> int:
    entries = LedgerEntry.__table__
    with api.client.app.state.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).where(entries.c.subscription_id == subscription_id)
            ).scalar_one()
        )


def _feed_parked(api: Api) -> list[tuple[str, str, str]]:
    events = ok(api.get("/v1/events", params={"limit": 500}))["data"]
    return [
        (e["data"]["bill_run_id"], e["subscription_id"], e["data"]["code"])
        for e in events
        if e["type"] == "bill_run.subscription_parked"
    ]


def _world(api: Api) -> dict[str, str]:
    """Four subscriptions of two customers: two healthy, one overflowing, one undecodable."""
    api.today(DAY)
    plan = api.plan()
    first, second = api.customer(name="First AB"), api.customer(name="Second AB")
    subs = {
        "healthy": api.subscription(first, plan, start_date=DAY)["id"],
        "overflow": api.subscription(first, plan, start_date=DAY)["id"],
        "undecodable": api.subscription(second, plan, start_date=DAY)["id"],
        "healthy_too": api.subscription(second, plan, start_date=DAY)["id"],
    }
    # 10^12 × 10^6 a month, billed yearly: 1.2 × 10^19 for a period, past 2^63 - 1.
    _append(api, subs["overflow"], "price_changed", {"unit_amount": 10**12})
    _append(api, subs["overflow"], "quantity_changed", {"quantity": 10**6})
    _append(api, subs["overflow"], "interval_changed", {"interval_months": 12})
    _append(api, subs["undecodable"], "price_changed", {"unit_amount": "a lot"})
    return subs


def test_a_poisoned_batch_parks_the_poisoned_and_bills_the_rest(api: Api) -> None:
    subs = _world(api)
    run = bill(api, DAY)  # 201, not 500
    parked = {p["subscription_id"]: p for p in run["parked"]}
    assert set(parked) == {subs["overflow"], subs["undecodable"]}
    assert parked[subs["overflow"]]["code"] == "amount_too_large"
    assert "64-bit" in parked[subs["overflow"]]["detail"]
    assert parked[subs["undecodable"]]["code"] == "invalid_timeline"
    assert "unit_amount" in parked[subs["undecodable"]]["detail"]
    assert run["parked_count"] == 2
    # Every other subscription billed: one invoice each, in the same batch.
    assert run["invoice_count"] == 2
    assert run["subscriptions"] == 4
    for name in ("healthy", "healthy_too"):
        assert _entries(api, subs[name]) == 1
    for name in ("overflow", "undecodable"):
        assert _entries(api, subs[name]) == 0
    assert ok(api.get(f"/v1/bill-runs/{run['id']}")) == run
    assert sorted(_feed_parked(api)) == sorted(
        [
            (run["id"], subs["overflow"], "amount_too_large"),
            (run["id"], subs["undecodable"], "invalid_timeline"),
        ]
    )

    # Mended through the API (the terms set back from the start: a change that makes the
    # amounts smaller is let through), the next run tries both again, bills the mended one and
    # parks only the one still broken.
    mend = {"effective_date": DAY, "unit_amount": 24995, "quantity": 1, "interval_months": 1}
    ok(api.post(f"/v1/subscriptions/{subs['overflow']}/changes", mend))
    rerun = bill(api, DAY)
    assert [p["subscription_id"] for p in rerun["parked"]] == [subs["undecodable"]]
    assert rerun["invoice_count"] == 1  # the mended one; the healthy ones were billed already
    assert _entries(api, subs["overflow"]) == 1
    for name in ("healthy", "healthy_too"):
        assert _entries(api, subs[name]) == 1
    # The first run's record stands as it was.
    assert len(ok(api.get(f"/v1/bill-runs/{run['id']}"))["parked"]) == 2
    with api.client.app.state.engine.connect() as conn:
        rows = conn.execute(select(BillRunParked.__table__)).all()
    assert sorted((r.bill_run_id, r.subscription_id) for r in rows) == sorted(
        [
            (run["id"], subs["overflow"]),
            (run["id"], subs["undecodable"]),
            (rerun["id"], subs["undecodable"]),
        ]
    )


def test_an_unknown_bill_run_is_not_found(api: Api) -> None:
    r = api.get("/v1/bill-runs/br_nope")
    assert r.status_code == 404, r.text
    assert r.json()["code"] == "not_found"


def test_a_run_without_trouble_parks_nothing(api: Api) -> None:
    api.today(DAY)
    api.subscription(api.customer(), api.plan(), start_date=DAY)
    run = bill(api, DAY)
    assert run["parked"] == [] and run["parked_count"] == 0
    assert run["invoice_count"] == 1
    assert _feed_parked(api) == []


def test_the_bill_run_command_names_the_parked(api: Api, database: Database) -> None:
    subs = _world(api)
    done = subprocess.run(
        [sys.executable, "-m", "billing.cli", "bill-run", "--as-of", DAY],
        env={**os.environ, "BILLING_DATABASE_URL": database.url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "2 invoices" in lines[0], done.stdout
    assert lines[1] == "parked 2 subscriptions (the next run tries them again):"
    assert sorted(line.split(":")[0] for line in lines[2:]) == sorted(
        [f"  {subs['overflow']} amount_too_large", f"  {subs['undecodable']} invalid_timeline"]
    )


def test_the_problem_a_failure_parks_with() -> None:
    parking = Parking()
    parking.park("sub_a", InvalidTimeline("price_changed.unit_amount: expected an integer"))
    try:
        {}["missing"]  # a bug: no domain error
    except KeyError as exc:
        parking.park("sub_b", exc)
    parking.park("sub_a", ValueError("a second failure of the same subscription"))
    assert "sub_a" in parking and "sub_c" not in parking
    assert [p.as_dict() for p in parking.parked] == [
        {
            "subscription_id": "sub_a",
            "code": "invalid_timeline",
            "detail": "price_changed.unit_amount: expected an integer",
        },
        {"subscription_id": "sub_b", "code": BILLING_FAILED, "detail": "KeyError: 'missing'"},
    ]
