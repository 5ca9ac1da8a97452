"""The console's brief shows what the customer has used (docs/usage.md, "Reading usage")."""

from __future__ import annotations

import re

from tests.api.helpers import ok, setup
from tests.conftest import Api
from tests.console.helpers import sign_in

METRICS = [
    {"code": "health_checks", "name": "Hälsokontroller", "reset": "contract_year",
     "included": 25, "unit_amount": 45_000},
    {"code": "assist", "name": "Assist sjukvård"},
]  # fmt: skip


def test_the_brief_shows_usage_this_contract_year(api: Api) -> None:
    sub = setup(api, today="2025-03-01", start="2025-01-01", metrics=METRICS)
    events = [{"id": f"hc-{i}", "subscription_id": sub["id"], "metric": "health_checks",
               "occurred_at": "2025-02-10T09:00:00+01:00"} for i in range(3)]  # fmt: skip
    ok(api.post("/v1/usage-events", {"events": events}), 201)
    sign_in(api.client)
    html = api.client.get(f"/console/subscriptions/{sub['id']}").text
    health = re.search(r'data-metric="health_checks">([^<]*)', html)
    assert health and "3 of 25 included this contract year" in health.group(1)
    assert "last used" in health.group(1)
    assist = re.search(r'data-metric="assist">(.*?)</dd>', html)
    assert assist and "never used" in assist.group(1)
