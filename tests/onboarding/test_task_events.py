"""The call tasks' feed events, payload by payload (opened by the scheduler, completed by staff,
cancelled by a booked meeting: all through billing.tasks.service), and the history row that is
each opened task's source."""

from __future__ import annotations

from tests.conftest import Api
from tests.lifecycle.helpers import ok
from tests.onboarding.helpers import act, feed, flow, on, setup

DAY_3 = "Onboarding: call the customer to book a start meeting (day 3)"
DAY_7 = "Onboarding: call the customer again to book a start meeting (day 7)"


def test_call_task_events_carry_what_they_always_carried(api: Api) -> None:
    sub = setup(api, start_date="2025-02-03")
    on(api, "2025-02-04")  # welcomed
    on(api, "2025-02-11")  # days 3 and 7: two call tasks
    first, second = flow(api, sub)["open_tasks"]
    ok(api.post(f"/v1/tasks/{first['id']}/complete"))
    api.today("2025-02-12")
    act(api, sub, "meeting", {"date": "2025-02-20"})  # the second call is moot

    tasks = [e for e in feed(api, sub, ("task.",))]
    assert [(e["type"], e["subject_id"], e["data"]) for e in tasks] == [
        (
            "task.opened",
            first["id"],
            {
                "kind": "onboarding_call",
                "title": DAY_3,
                "due_date": "2025-02-07",
                "onboarding_day": 3,
            },
        ),
        (
            "task.opened",
            second["id"],
            {
                "kind": "onboarding_call",
                "title": DAY_7,
                "due_date": "2025-02-11",
                "onboarding_day": 7,
            },
        ),
        (
            "task.completed",
            first["id"],
            {"kind": "onboarding_call", "completed_by": "staff:key_bootstrap_admin"},
        ),
        ("task.cancelled", second["id"], {"kind": "onboarding_call", "due_date": "2025-02-11"}),
    ]
    assert {e["customer_id"] for e in tasks} == {sub["customer_id"]}

    history = flow(api, sub)["history"]
    opened = [h for h in history if h["type"] == "call_task_opened"]
    assert [(h["data"]["day"], h["data"]["task_id"]) for h in opened] == [
        (3, first["id"]),
        (7, second["id"]),
    ]
    cancelled = ok(api.get("/v1/tasks", params={"subscription_id": sub["id"]}))["data"]
    closed = {t["id"]: (t["status"], t["completed_by"]) for t in cancelled}
    assert closed == {
        first["id"]: ("done", "staff:key_bootstrap_admin"),
        second["id"]: ("cancelled", "system"),
    }


def test_a_cancellation_leaves_the_onboarding_call_tasks_open(api: Api) -> None:
    # Before: sync_tasks took every open task of the subscription for a termination task, so
    # scheduling (or undoing) a cancellation cancelled the onboarding call tasks too.
    sub = setup(api, start_date="2025-02-03")
    on(api, "2025-02-04")
    on(api, "2025-02-07")  # day 3: a call task
    (call,) = flow(api, sub)["open_tasks"]
    api.today("2025-02-08")
    ok(api.post(f"/v1/subscriptions/{sub['id']}/cancel", {"mode": "on_date", "date": "2025-06-01"}))
    ok(api.delete(f"/v1/subscriptions/{sub['id']}/cancel"))
    task = ok(api.get("/v1/tasks", params={"subscription_id": sub["id"], "status": "open"}))
    assert [t["id"] for t in task["data"]] == [call["id"]]
