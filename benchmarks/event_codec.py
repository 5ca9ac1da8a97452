"""Reading stored timeline events: the typed codec against the untyped reading it replaced.

A bill run reads every event of every subscription in its batch from the database and turns
each row's JSON object into the domain's event. Since the events became typed payloads, that is
:func:`billing.domain.codec.decode` (strict: unknown fields, missing fields and non-integer
amounts are refused). The **baseline**, in the same process, is what the bill run did before:
copy the dict and parse the date fields it knew of, trusting everything else.

The rows are a realistic mix per subscription (a start, a price change with its money choices,
a quantity change, a pause, a cancellation with its answers), stored as JSON text and loaded
with ``json.loads`` in both cases, as the database driver hands them over.

    .venv/bin/python benchmarks/event_codec.py [--subscriptions 20000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date
from typing import Any

from billing.domain import codec

_OLD_DATE_FIELDS = ("resume_date", "end_date", "requested_on", "date", "billing_from")

ROWS: list[tuple[str, str]] = [
    (
        "started",
        '{"plan_id": "plan_1", "unit_amount": 49900, "quantity": 20, "price_months": 1,'
        ' "interval_months": 1, "billing_timing": "in_advance", "anchor_day": null,'
        ' "setup_fee_amount": 150000, "contract": null}',
    ),
    (
        "price_changed",
        '{"proration": "by_day", "unused": "credit_note", "requested_date": null,'
        ' "billing_from": null, "unit_amount": 45000}',
    ),
    (
        "quantity_changed",
        '{"proration": "none", "unused": "credit_note", "requested_date": null,'
        ' "billing_from": "2024-05-01", "quantity": 18}',
    ),
    ("paused", '{"resume_date": "2024-08-01", "unused": "credit_note", "billing_from": null}'),
    (
        "cancellation_scheduled",
        '{"end_date": "2025-03-01", "mode": "on_date", "requested_on": "2024-09-10",'
        ' "competitor_offer": true, "competitor_details": "cheaper", "approved_by": null,'
        ' "previous_end_date": null, "requires_verification": false, "unused": "refund"}',
    ),
]


def old_reading(kind: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The bill run's reading before typed events: dates parsed, the rest as it came."""
    if any(k in data for k in _OLD_DATE_FIELDS):
        data = dict(data)
        for key in _OLD_DATE_FIELDS:
            if isinstance(data.get(key), str):
                data[key] = date.fromisoformat(data[key])
    return kind, data


def run(n: int, reader: Any) -> float:
    rows = ROWS * n
    started = time.perf_counter()
    for kind, text in rows:
        reader(kind, json.loads(text))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscriptions", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    events = args.subscriptions * len(ROWS)
    # Best of --repeat, alternating, so both see the same machine.
    typed = baseline = float("inf")
    for _ in range(args.repeat):
        baseline = min(baseline, run(args.subscriptions, old_reading))
        typed = min(typed, run(args.subscriptions, codec.decode))
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"events read: {events:,} ({args.subscriptions:,} subscriptions × {len(ROWS)})")
    print(f"baseline (untyped, dates only): {events / baseline:,.0f} events/s")
    print(f"typed codec (strict):           {events / typed:,.0f} events/s")
    print(f"ratio typed / baseline time:    {typed / baseline:.2f}")


if __name__ == "__main__":
    main()
