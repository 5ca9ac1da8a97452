"""The monthly terminations report (JSON and CSV): every termination effective in the month with
its reasons, who recorded and verified it, and the final billed and credited amounts."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.conftest import Api
from tests.lifecycle.helpers import (
    assert_problem,
    bill,
    cancel,
    ok,
    run_scheduler,
    staff_key,
    sub_path,
)


def report(api: Api, month: str, **params: Any) -> Any:
    return api.get("/v1/reports/terminations", params={"month": month, **params})


def test_terminations_report_json_and_csv(api: Api) -> None:
    api.today("2025-04-02")
    customer = api.customer(name="Larm & Lås AB")
    plan = api.plan(unit_amount=24995)
    checked = api.plan(unit_amount=24995, four_eyes=True)
    moved = api.subscription(customer, plan, start_date="2025-04-02")
    verified = api.subscription(customer, checked, start_date="2025-04-02")
    kept = api.subscription(customer, plan, start_date="2025-04-02")
    may = api.subscription(customer, plan, start_date="2025-04-02")
    bill(api, "2025-04-02")

    api.today("2025-04-05")
    cancel(api, moved, mode="on_date", date="2025-04-20", reason="moved abroad")
    cancel(
        api,
        verified,
        mode="immediately",
        reason="cheaper elsewhere",
        competitor_offer=True,
        competitor_details="Securitas, 199 kr",
    )
    other = staff_key(api)
    ok(other.post(sub_path(verified, "/cancel/verify")))
    cancel(api, kept, mode="on_date", date="2025-04-25")
    ok(api.delete(sub_path(kept, "/cancel")))  # undone: not a termination
    cancel(api, may, mode="on_date", date="2025-05-10")
    api.today("2025-04-20")
    run_scheduler(api)

    body = ok(report(api, "2025-04"))
    assert body["month"] == "2025-04"
    rows = {r["subscription_id"]: r for r in body["data"]}
    assert set(rows) == {moved["id"], verified["id"]}
    a, b = rows[moved["id"]], rows[verified["id"]]
    # Served 04-02..04-19 (18 of 30 days): R(24 995 × 18 / 30) = 14 997, 9 998 credited.
    assert {k: a[k] for k in ("end_date", "last_served_day", "reason", "billed", "credited")} == {
        "end_date": "2025-04-20",
        "last_served_day": "2025-04-19",
        "reason": "moved abroad",
        "billed": 24995,
        "credited": 9998,
    }
    assert a["net"] == 14997
    assert a["competitor_offer"] is None
    assert a["recorded_by"].startswith("staff:")
    assert a["verified_by"] is None
    assert (a["customer_name"], a["currency"], a["requested_on"], a["mode"]) == (
        "Larm & Lås AB",
        "SEK",
        "2025-04-05",
        "on_date",
    )
    assert (b["reason"], b["competitor_offer"], b["competitor_details"]) == (
        "cheaper elsewhere",
        True,
        "Securitas, 199 kr",
    )
    assert b["verified_by"] is not None and b["verified_by"] != b["recorded_by"]
    assert (b["end_date"], b["billed"], b["credited"], b["net"]) == (
        "2025-04-05",
        24995,
        22495,
        2500,
    )
    # May holds the third one only.
    assert [r["subscription_id"] for r in ok(report(api, "2025-05"))["data"]] == [may["id"]]
    assert ok(report(api, "2025-06"))["data"] == []

    r = report(api, "2025-04", format="csv")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    parsed = list(csv.DictReader(io.StringIO(r.text)))
    assert {p["subscription_id"] for p in parsed} == set(rows)
    for p in parsed:
        row = rows[p["subscription_id"]]
        for key in ("reason", "recorded_by", "end_date", "customer_name"):
            assert p[key] == row[key]
        assert (int(p["billed"]), int(p["credited"])) == (row["billed"], row["credited"])
        assert p["verified_by"] == (row["verified_by"] or "")
        assert p["competitor_offer"] == ("True" if row["competitor_offer"] else "")


def test_report_month_must_be_valid_and_staff_only(api: Api) -> None:
    api.today("2025-04-02")
    for month in ("2025-13", "2025-4", "april", "2025-00"):
        r = report(api, month)
        assert r.status_code in (400, 422), (month, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    integration = api.as_token(ok(api.post("/v1/api-keys", {"role": "integration"}), 201)["token"])
    assert_problem(report(integration, "2025-04"), 403, "forbidden")
