"""Synthetic subscriptions, written in bulk straight into the tables (for load tests and
benchmarks of bill runs, never for real data).

Each subscription is a valid timeline: a ``started`` event with the plan's terms, and with
``variety`` some billed in arrears, some with a billing anchor day, some with a later price or
licence change. Rows go in with COPY (PostgreSQL) or ``executemany`` (SQLite), in chunks, so a
million subscriptions seed in seconds and in flat memory.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert

from billing.bill_runs import bulk
from billing.clock import utcnow
from billing.ids import new_id
from billing.storage.models import Plan

CHUNK = 50_000
SUBSCRIPTIONS_PER_CUSTOMER = 4


@dataclass(frozen=True, slots=True)
class Seeded:
    plan_id: str
    subscriptions: int
    customers: int
    events: int


def seed(
    engine: Engine,
    count: int,
    *,
    first_start: date,
    last_start: date,
    variety: bool = False,
    seed_value: int = 1,
    tag: str | None = None,
) -> Seeded:
    """``count`` monthly subscriptions starting between ``first_start`` and ``last_start``.

    The same ``seed_value`` and ``tag`` (12 characters of id) give the same rows, ids included.
    """
    rng = random.Random(seed_value)
    now = utcnow()
    tag = tag or new_id("x")[2:14]
    plan_id = f"plan_{tag}"
    _insert_plan(engine, plan_id, now)
    customers = (count + SUBSCRIPTIONS_PER_CUSTOMER - 1) // SUBSCRIPTIONS_PER_CUSTOMER
    _insert_customers(engine, tag, customers, now)
    span = (last_start - first_start).days + 1
    events = 0
    for lo in range(0, count, CHUNK):
        subs: list[tuple[Any, ...]] = []
        evs: list[tuple[Any, ...]] = []
        for i in range(lo, min(count, lo + CHUNK)):
            sid = f"sub_{tag}{i:016x}"
            start = first_start + timedelta(days=rng.randrange(span))
            subs.append(
                (sid, f"cus_{tag}{i // SUBSCRIPTIONS_PER_CUSTOMER:016x}", plan_id, "SEK", 1,
                 "active", start, None, now)
            )  # fmt: skip
            for seq, (etype, eff, data) in enumerate(
                _timeline(rng, plan_id, start, variety), start=1
            ):
                evs.append(
                    (f"evt_{tag}{i:016x}{seq:02x}", sid, seq, etype, eff, now, "synthetic", None,
                     json.dumps(data))
                )  # fmt: skip
        events += len(evs)
        _insert_subscriptions(engine, subs, evs)
    return Seeded(plan_id, count, customers, events)


def _insert_plan(engine: Engine, plan_id: str, now: datetime) -> None:
    """The one monthly plan every synthetic subscription is on (24,995 öre a month)."""
    with engine.begin() as conn:
        conn.execute(
            insert(Plan.__table__).values(  # type: ignore[arg-type]
                id=plan_id,
                code=f"synthetic-{plan_id}",
                name="Synthetic monthly",
                currency="SEK",
                unit_amount=24995,
                interval_months=1,
                billing_timing="in_advance",
                setup_fee_amount=0,
                four_eyes=False,
                created_at=now,
            )
        )


def _insert_customers(engine: Engine, tag: str, customers: int, now: datetime) -> None:
    """``customers`` customers, each holding :data:`SUBSCRIPTIONS_PER_CUSTOMER` subscriptions."""
    for lo in range(0, customers, CHUNK):
        rows = [
            (f"cus_{tag}{i:016x}", f"Customer {i}", "SEK", "sv_SE", "Europe/Stockholm", None,
             "active", now)
            for i in range(lo, min(customers, lo + CHUNK))
        ]  # fmt: skip
        with engine.begin() as conn:
            bulk.insert_rows(
                conn,
                "customers",
                ("id", "name", "currency", "locale", "timezone", "external_ref", "status",
                 "created_at"),
                rows,
            )  # fmt: skip


def _insert_subscriptions(
    engine: Engine, subs: list[tuple[Any, ...]], evs: list[tuple[Any, ...]]
) -> None:
    """One chunk of subscriptions and their timeline events, in one transaction."""
    with engine.begin() as conn:
        bulk.insert_rows(
            conn,
            "subscriptions",
            ("id", "customer_id", "plan_id", "currency", "version", "status", "start_date",
             "end_date", "created_at"),
            subs,
        )  # fmt: skip
        bulk.insert_rows(
            conn,
            "timeline_events",
            ("id", "subscription_id", "seq", "type", "effective_date", "recorded_at",
             "recorded_by", "reason", "data"),
            evs,
        )  # fmt: skip


def _timeline(
    rng: random.Random, plan_id: str, start: date, variety: bool
) -> Iterator[tuple[str, date, dict[str, Any]]]:
    data: dict[str, Any] = {
        "plan_id": plan_id,
        "unit_amount": 24995,
        "quantity": 1,
        "price_months": 1,
        "interval_months": 1,
        "billing_timing": "in_advance",
    }
    if not variety:
        yield "started", start, data
        return
    data["quantity"] = rng.choice((1, 1, 2, 5))
    if rng.random() < 0.2:
        data["billing_timing"] = "in_arrears"
    if rng.random() < 0.1:
        data["anchor_day"] = rng.choice((1, 15, 28, 31))
    yield "started", start, data
    if rng.random() < 0.2:
        yield "price_changed", start + timedelta(days=rng.randrange(10, 80)), {
            "unit_amount": rng.choice((19995, 29995))
        }
    if rng.random() < 0.1:
        yield "quantity_changed", start + timedelta(days=rng.randrange(10, 80)), {
            "quantity": rng.choice((2, 3))
        }
