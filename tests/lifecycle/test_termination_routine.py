"""The termination routine (the alarm business) through the API: in termination until the end
date, terminated on it by the scheduler, the customer passive when its last site ends,
follow-up tasks with due dates, four eyes, and an idempotent scheduler (API and CLI)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.lifecycle.helpers import (
    assert_problem,
    bill,
    cancel,
    entries,
    events,
    get_sub,
    ok,
    refused,
    run_scheduler,
    staff_key,
    state,
    sub_path,
    tasks,
)

KINDS = ["deactivate_account", "terminate_sim_cards", "revoke_app_access", "collect_keys"]


def customer_status(api: Api, customer_id: str) -> str:
    return ok(api.get(f"/v1/customers/{customer_id}"))["status"]  # type: ignore[no-any-return]


def open_tasks(api: Api, sub: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (t["kind"], t["due_date"]) for t in tasks(api, subscription_id=sub["id"], status="open")
    )


def test_alarm_customer_with_three_sites_ends_one_by_one(api: Api) -> None:
    api.today("2025-01-10")
    customer = api.customer(name="Larmcentralen Väst AB")
    plan = api.plan(code="alarm", name="Alarm monitoring", unit_amount=39900)
    sites = [api.subscription(customer, plan, start_date="2024-06-01") for _ in range(3)]
    cid = customer["id"]
    assert customer_status(api, cid) == "active"

    # Written cancellations, confirmed with their registered end dates.
    ends = ["2025-02-01", "2025-03-01", "2025-04-01"]
    for site, end, why in zip(sites, ends, ["moved", "price", "competitor"], strict=True):
        done = cancel(
            api,
            site,
            mode="on_date",
            date=end,
            reason=why,
            competitor_offer=why == "competitor",
        )
        assert (done["end_date"], done["status"]) == (end, "in_termination")
        assert open_tasks(api, site) == sorted(
            [(k, end) for k in KINDS[:3]] + [("collect_keys", _plus_14(end))]
        )
    # The third site changes its mind: undoing cancels its tasks.
    undone = ok(api.delete(sub_path(sites[2], "/cancel")))
    assert (undone["end_date"], undone["status"]) == (None, "active")
    assert open_tasks(api, sites[2]) == []
    assert len(tasks(api, subscription_id=sites[2]["id"], status="cancelled")) == 4

    # The day before the first end: nothing ends.
    api.today("2025-01-31")
    assert run_scheduler(api)["terminated"] == []
    assert get_sub(api, sites[0])["status"] == "in_termination"

    api.today("2025-02-01")
    first = run_scheduler(api)
    assert first["terminated"] == [sites[0]["id"]]
    assert first["passive_customers"] == []
    assert [s["status"] for s in (get_sub(api, x) for x in sites)] == [
        "terminated",
        "in_termination",
        "active",
    ]
    assert events(api, sites[0])[-1]["type"] == "terminated"
    assert events(api, sites[0])[-1]["effective_date"] == "2025-02-01"
    assert customer_status(api, cid) == "active"
    # Idempotent: a second pass on the same day changes nothing at all.
    # (Only the activity log records that staff ran it.)
    before = without_activity_log(state(api, *sites))
    second = run_scheduler(api)
    assert (second["terminated"], second["passive_customers"]) == ([], [])
    assert without_activity_log(state(api, *sites)) == before
    last = ok(api.get("/v1/audit-log", params={"limit": 1000}))["data"][-1]
    assert last["operation"] == "POST /v1/scheduler/run"

    # Tasks are completed through the API, once.
    task = next(t for t in tasks(api, subscription_id=sites[0]["id"]) if t["kind"] == KINDS[1])
    other = staff_key(api)
    done_task = ok(other.post(f"/v1/tasks/{task['id']}/complete"))
    assert done_task["status"] == "done"
    assert done_task["completed_by"].startswith("staff:")
    assert done_task["completed_at"]
    assert_problem(api.post(f"/v1/tasks/{task['id']}/complete"), 409, "task_closed")
    assert_problem(api.post("/v1/tasks/task_nope/complete"), 404, "not_found")
    assert [t["id"] for t in tasks(api, subscription_id=sites[0]["id"], status="done")] == [
        task["id"]
    ]

    # The third site gives notice again after all; the second one ends first.
    cancel(api, sites[2], mode="on_date", date="2025-04-01", reason="competitor")
    api.today("2025-03-01")
    assert run_scheduler(api)["terminated"] == [sites[1]["id"]]
    assert customer_status(api, cid) == "active"
    api.today("2025-04-01")
    last = run_scheduler(api)
    assert last["terminated"] == [sites[2]["id"]]
    assert last["passive_customers"] == [cid]
    assert customer_status(api, cid) == "passive"
    assert {get_sub(api, x)["status"] for x in sites} == {"terminated"}
    assert run_scheduler(api) == {
        "checked": 0,
        "terminated": [],
        "passive_customers": [],
        "onboarding": {"checked": 0, "steps": 0, "subscriptions": []},
        "reminders": {"checked": 0, "sent": []},
    }
    # Billed exactly to each end date (8, 9 and 10 months from 2024-06-01), never after it.
    bill(api, "2025-04-01")
    for site, months in zip(sites, (8, 9, 10), strict=True):
        assert sum(e[4] for e in entries(api, site)) == months * 39900
    assert bill(api, "2025-06-01")["invoices"] == []


def _plus_14(day: str) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(day) + timedelta(days=14)).isoformat()


def test_moving_the_end_date_re_dates_the_tasks(api: Api) -> None:
    api.today("2025-01-10")
    customer = api.customer()
    plan = api.plan(
        termination_tasks=[{"kind": "collect_keys", "title": "Collect keys", "due_days": 7}]
    )
    sub = api.subscription(customer, plan, start_date="2024-06-01")
    cancel(api, sub, mode="on_date", date="2025-02-01")
    assert open_tasks(api, sub) == [("collect_keys", "2025-02-08")]
    cancel(api, sub, mode="on_date", date="2025-03-01")
    assert open_tasks(api, sub) == [("collect_keys", "2025-03-08")]
    [cancelled] = tasks(api, subscription_id=sub["id"], status="cancelled")
    assert cancelled["due_date"] == "2025-02-08"


def test_customer_with_a_site_still_running_stays_active(api: Api) -> None:
    api.today("2025-01-10")
    customer = api.customer()
    plan = api.plan()
    ending = api.subscription(customer, plan, start_date="2024-06-01")
    api.subscription(customer, plan, start_date="2024-06-01")
    cancel(api, ending, mode="on_date", date="2025-02-01")
    api.today("2025-06-01")
    assert run_scheduler(api)["terminated"] == [ending["id"]]
    assert customer_status(api, customer["id"]) == "active"


def four_eyes_setup(api: Api) -> dict[str, Any]:
    api.today("2025-04-02")
    customer = api.customer()
    plan = api.plan(unit_amount=24995, four_eyes=True)
    sub = api.subscription(customer, plan, start_date="2025-04-02")
    bill(api, "2025-04-02")
    return sub  # type: ignore[no-any-return]


def test_four_eyes_a_different_staff_member_verifies(api: Api) -> None:
    sub = four_eyes_setup(api)
    api.today("2025-04-05")
    recorded = cancel(api, sub, mode="immediately", reason="closing down")
    # Not final, not billed, no tasks until verified.
    assert (recorded["status"], recorded["end_date"], recorded["pending_end_date"]) == (
        "pending_verification",
        None,
        "2025-04-05",
    )
    assert recorded["documents"] == []
    assert events(api, sub)[-1]["data"]["requires_verification"] is True
    assert [e[1] for e in entries(api, sub)] == ["charge"]
    assert tasks(api, subscription_id=sub["id"]) == []
    # The scheduler does not end an unverified termination.
    run_scheduler(api)
    assert get_sub(api, sub)["status"] == "pending_verification"

    # The same staff member cannot verify it.
    refused(api, sub_path(sub, "/cancel/verify"), {}, 409, "four_eyes", sub)

    other = staff_key(api)
    verified = ok(other.post(sub_path(sub, "/cancel/verify")))
    assert (verified["status"], verified["end_date"], verified["pending_end_date"]) == (
        "terminated",
        "2025-04-05",
        None,
    )
    # Now final: served 3 days, R(24 995 × 3 / 30) = 2 500; 22 495 comes back.
    [note] = verified["documents"]
    assert (note["type"], note["total"]) == ("credit_note", 22495)
    event = events(api, sub)[-1]
    assert event["type"] == "cancellation_verified"
    assert event["recorded_by"] != events(api, sub)[-2]["recorded_by"]
    assert len(tasks(api, subscription_id=sub["id"], status="open")) == 4
    # Nothing left to verify.
    assert_problem(other.post(sub_path(sub, "/cancel/verify")), 409, "nothing_to_verify")


def test_four_eyes_undo_before_verification(api: Api) -> None:
    sub = four_eyes_setup(api)
    cancel(api, sub, mode="on_date", date="2025-06-02")
    undone = ok(api.delete(sub_path(sub, "/cancel")))
    assert (undone["status"], undone["end_date"], undone["pending_end_date"]) == (
        "active",
        None,
        None,
    )
    refused(api, sub_path(sub, "/cancel/verify"), {}, 409, "nothing_to_verify", sub)


def test_four_eyes_off_by_default(api: Api) -> None:
    api.today("2025-04-02")
    sub = api.subscription(api.customer(), api.plan(), start_date="2025-04-02")
    done = cancel(api, sub, mode="on_date", date="2025-06-02")
    assert (done["status"], done["end_date"]) == ("in_termination", "2025-06-02")
    refused(api, sub_path(sub, "/cancel/verify"), {}, 409, "nothing_to_verify", sub)


def test_scheduler_cli_once(api: Api, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    from billing.cli import main
    from billing.settings import get_settings

    api.today("2025-01-10")
    customer = api.customer()
    sub = api.subscription(customer, api.plan(), start_date="2024-06-01")
    cancel(api, sub, mode="on_date", date="2025-02-01")
    api.today("2025-02-01")
    monkeypatch.setenv(
        "BILLING_DATABASE_URL",
        api.client.app.state.engine.url.render_as_string(hide_password=False),
    )
    monkeypatch.setenv("BILLING_TEST_CLOCK", "1")
    get_settings.cache_clear()
    try:
        assert main(["scheduler", "--once"]) == 0
        first = capsys.readouterr().out
        assert main(["scheduler", "--once"]) == 0
        second = capsys.readouterr().out
    finally:
        get_settings.cache_clear()
    assert sub["id"] in first and customer["id"] in first
    assert '"terminated": []' in second
    assert get_sub(api, sub)["status"] == "terminated"
    assert ok(api.get(f"/v1/customers/{customer['id']}"))["status"] == "passive"


def test_clock_moved_back_makes_the_customer_active_again(api: Api) -> None:
    api.today("2025-01-10")
    customer = api.customer()
    sub = api.subscription(customer, api.plan(), start_date="2024-06-01")
    cancel(api, sub, mode="on_date", date="2025-02-01")
    api.today("2025-02-01")
    run_scheduler(api)
    assert customer_status(api, customer["id"]) == "passive"
    # Statuses follow the test clock, backwards too.
    api.today("2025-01-20")
    run_scheduler(api)
    assert get_sub(api, sub)["status"] == "in_termination"
    assert customer_status(api, customer["id"]) == "active"
    api.today("2025-02-01")
    run_scheduler(api)
    assert customer_status(api, customer["id"]) == "passive"
    # Terminated once on the timeline, however often the clock passes the end date.
    assert [e["type"] for e in events(api, sub)].count("terminated") == 1


def without_activity_log(rows: dict[str, Any]) -> dict[str, Any]:
    """Every table but the activity log, and the counters but the log's (AUD)."""
    out = {table: value for table, value in rows.items() if table != "audit_log"}
    out["document_counters"] = [r for r in rows["document_counters"] if r[0] != "AUD"]
    return out
