"""Usage on the ledger and the documents, through the API on SQLite and PostgreSQL.

The licence business's plan: 499.00 per licence and month, billed in advance, with 25 health
checks included per contract year and 450.00 for each one above (VAT exempt: medical care).
Usage is billed in arrears, on the bill run's invoices, one line per metric and tier.
"""

from __future__ import annotations

from typing import Any

from tests.api.helpers import assert_problem, bill, cancel, ledger, ok, setup, sub_path
from tests.conftest import Api

HEALTH = {"code": "health_checks", "name": "Hälsokontroller", "reset": "contract_year",
          "included": 25, "unit_amount": 45_000, "tax_category": "exempt"}  # fmt: skip
ASSIST = {"code": "assist_activations", "name": "Assist sjukvård"}  # included, never charged
DIGITAL = {"code": "digital_users", "name": "Aktivitet i digital", "aggregation": "unique_count",
           "property": "user_id"}  # fmt: skip


class Reporter:
    """Reports health checks with ids of its own."""

    def __init__(self, api: Api, sub: dict[str, Any]) -> None:
        self.api, self.sub, self.n = api, sub, 0

    def events(self, day: str, count: int, metric: str = "health_checks", **kw: Any) -> list[Any]:
        out = []
        for _ in range(count):
            self.n += 1
            out.append({"id": f"ev-{self.n}", "subscription_id": self.sub["id"], "metric": metric,
                        "occurred_at": f"{day}T10:00:00+01:00", **kw})  # fmt: skip
        return out

    def report(self, day: str, count: int, metric: str = "health_checks", **kw: Any) -> None:
        body = {"events": self.events(day, count, metric, **kw)}
        assert ok(self.api.post("/v1/usage-events", body), 201)["recorded"] == count


def licence(api: Api) -> dict[str, Any]:
    return setup(api, today="2025-01-01", start="2025-01-01", unit_amount=49_900,
                 metrics=[HEALTH, ASSIST, DIGITAL], sub={"quantity": 10})  # fmt: skip


def usage_rows(api: Api, sub: dict[str, Any]) -> list[tuple[str, str, str, int, int, int]]:
    return [
        (e["kind"], e["service_start"], e["service_end"], e["quantity"], e["unit_amount"],
         e["amount"])
        for e in ledger(api, sub)["data"]
        if e["item"].startswith("usage:")
    ]  # fmt: skip


def test_health_checks_bill_exactly_with_a_cancellation_and_a_late_event(api: Api) -> None:
    sub = licence(api)
    usage = Reporter(api, sub)
    usage.report("2025-01-10", 20)
    api.today("2025-02-01")
    run = bill(api, "2025-02-01")
    assert usage_rows(api, sub) == []  # 20 of the year's 25 are included

    usage.report("2025-02-12", 8)
    api.today("2025-03-01")
    run = bill(api, "2025-03-01")
    # February adds 8: 5 still included, 3 × 450.00
    assert usage_rows(api, sub) == [("usage", "2025-02-01", "2025-03-01", 3, 45_000, 135_000)]
    (march,) = run["invoices"]
    invoice = ok(api.get(f"/v1/invoices/{march}"))
    line = next(x for x in invoice["lines"] if x["product"] == "Hälsokontroller")
    assert (line["quantity"], line["unit_amount"], line["amount"]) == (3, 45_000, 135_000)
    # The metric's own tax category, not the plan's (the licence line).
    assert line["tax_code"] == "exempt"
    assert {x["tax_code"] for x in invoice["lines"]} == {"exempt", "not_registered"}
    assert invoice["total"] == 10 * 49_900 + 135_000  # March in advance + February's usage

    # A health check of February reported late; the customer then leaves on 2025-03-15.
    api.today("2025-03-10")
    usage.report("2025-02-20", 1)
    usage.report("2025-03-05", 2)
    cancel(api, sub, mode="on_date", date="2025-03-15")
    late = {"events": usage.events("2025-03-16", 1)}
    assert_problem(api.post("/v1/usage-events", late), 422, "usage_events_refused")

    api.today("2025-04-01")
    run = bill(api, "2025-04-01")
    rows = usage_rows(api, sub)
    # The run's invoice first (charges), then the credit note (posting order).
    assert sorted(rows[1:]) == [
        ("credit", "2025-02-01", "2025-03-01", 3, 45_000, -135_000),  # as billed
        ("usage", "2025-02-01", "2025-03-01", 4, 45_000, 180_000),  # 29th of the year: 4
        ("usage", "2025-03-01", "2025-03-15", 2, 45_000, 90_000),  # the shortened last period
    ]
    (note_id,) = run["credit_notes"]
    note = ok(api.get(f"/v1/credit-notes/{note_id}"))
    assert (note["invoice_id"], note["total"]) == (march, 135_000)
    entries = ledger(api, sub)["data"]
    charge = next(e for e in entries if e["kind"] == "usage")
    credit = next(e for e in entries if e["kind"] == "credit" and e["item"].startswith("usage:"))
    assert credit["credits_entry_id"] == charge["id"]
    (april,) = run["invoices"]
    assert ok(api.get(f"/v1/invoices/{april}"))["total"] == 270_000
    # Billing twice posts nothing.
    again = bill(api, "2025-04-01")
    assert (again["invoices"], again["credit_notes"]) == ([], [])
    # The year's 31 health checks: 25 included, 6 charged, to the öre.
    assert sum(r[5] for r in usage_rows(api, sub)) == 6 * 45_000


def test_the_brief_and_the_usage_report_answer_the_routine_questions(api: Api) -> None:
    sub = licence(api)
    usage = Reporter(api, sub)
    usage.report("2025-01-10", 20)
    usage.report("2025-02-12", 8)
    usage.report("2025-02-03", 1, "digital_users", properties={"user_id": "anna"})
    usage.report("2025-02-04", 2, "digital_users", properties={"user_id": "bo"})
    api.today("2025-02-20")
    brief = ok(api.get(sub_path(sub, "/cancellation-quote")))
    by_metric = {u["metric"]: u for u in brief["usage"]}
    health = by_metric["health_checks"]
    assert (health["used_this_contract_year"], health["included_this_contract_year"]) == (28, 25)
    assert health["last_activity"] == "2025-02-12"
    assert by_metric["assist_activations"]["ever_used"] is False
    assert (by_metric["digital_users"]["used_this_contract_year"],
            by_metric["digital_users"]["last_activity"]) == (2, "2025-02-04")  # fmt: skip

    report = ok(api.get(sub_path(sub, "/usage"), params={"from": "2025-01-01",
                                                           "to": "2025-03-01",
                                                           "metric": "health_checks"}))  # fmt: skip
    (metric,) = report["metrics"]
    assert metric["total"] == 28
    assert [(p["start"], p["used"], p["billable"], p["amount"]) for p in metric["periods"]] == [
        ("2025-01-01", 20, 0, 0),
        ("2025-02-01", 8, 3, 135_000),
    ]
    assert metric["days"] == [{"date": "2025-01-10", "used": 20}, {"date": "2025-02-12", "used": 8}]
    r = api.get(sub_path(sub, "/usage"), params={"metric": "nope"})
    assert_problem(r, 422, "unknown_metric")
    r = api.get(sub_path(sub, "/usage"), params={"from": "2025-03-01", "to": "2025-01-01"})
    assert_problem(r, 422, "usage_range_empty")


def test_metrics_that_do_not_read_park_their_subscription_alone(api: Api) -> None:
    """Stored metrics a fault made unreadable (written past the API) park the subscriptions
    on that plan; the rest of the batch bills, its usage included."""
    from sqlalchemy import update

    from billing.storage.models import Plan

    sub = licence(api)
    broken = api.subscription(api.customer(name="Other AB"),
                              api.plan(metrics=[HEALTH]), start_date="2025-01-01")  # fmt: skip
    Reporter(api, sub).report("2025-01-10", 26)
    with api.client.app.state.engine.begin() as conn:
        conn.execute(update(Plan).where(Plan.id == broken["plan_id"])
                     .values(usage_metrics=[{"code": "x", "aggregation": "median"}]))  # fmt: skip
    api.today("2025-02-01")
    run = bill(api, "2025-02-01")
    assert [p["subscription_id"] for p in run["parked"]] == [broken["id"]]
    assert usage_rows(api, sub) == [("usage", "2025-01-01", "2025-02-01", 1, 45_000, 45_000)]


def test_a_change_of_plan_prices_each_period_by_the_plan_it_was_on(api: Api) -> None:
    """Periods billed on the old plan keep its price, even when a late event re-bills one
    after the change; periods on the new plan are priced by its metrics."""
    sub = licence(api)
    dearer = api.plan(unit_amount=49_900, metrics=[{**HEALTH, "unit_amount": 50_000}])
    usage = Reporter(api, sub)
    usage.report("2025-01-10", 30)
    api.today("2025-02-01")
    bill(api, "2025-02-01")
    change = {"effective_date": "2025-02-01", "plan_id": dearer["id"]}
    ok(api.post(sub_path(sub, "/changes"), change))
    usage.report("2025-02-10", 2)
    usage.report("2025-01-20", 1)  # late, for January on the old plan
    api.today("2025-03-01")
    bill(api, "2025-03-01")
    assert sorted(usage_rows(api, sub)) == [
        ("credit", "2025-01-01", "2025-02-01", 5, 45_000, -225_000),
        ("usage", "2025-01-01", "2025-02-01", 5, 45_000, 225_000),
        ("usage", "2025-01-01", "2025-02-01", 6, 45_000, 270_000),  # 31 of 25: the old price
        ("usage", "2025-02-01", "2025-03-01", 2, 50_000, 100_000),  # the new plan's price
    ]
