"""The onboarding pipeline through the API with the test clock (issue 6, "Done when"): a contract
signed, started, welcomed, nudged at day 3 and 7, moved at 30 and 60 days, closed by a booked
meeting, restarted by a no-show, parked; idempotent scheduler passes; refusals with codes and
no state change; the events in the feed, in order."""

from __future__ import annotations

from tests.conftest import Api
from tests.lifecycle.helpers import ok, run_scheduler, sub_path
from tests.onboarding.helpers import act, feed, flow, on, refused, setup, stages, state


def open_calls(api: Api, sub: dict) -> list[tuple[str, str]]:
    return [(t["kind"], t["due_date"]) for t in flow(api, sub)["open_tasks"]]


def test_signed_started_welcomed_nudged_moved_closed_restarted(api: Api) -> None:
    sub = setup(api, start_date="2025-02-03")  # signed on 2025-01-10
    f = flow(api, sub)
    assert (f["stage"], f["welcome_on"], f["cycle_start"]) == ("new", "2025-02-04", None)
    assert f["next_step"] == {
        "kind": "welcome",
        "due": "2025-02-04",
        "day": 0,
        "to_stage": "onboarding",
    }
    assert [h["type"] for h in f["history"]] == ["opened"]

    # Started on the delivery start date, but still new: the welcome comes the day after.
    on(api, "2025-02-03")
    assert flow(api, sub)["stage"] == "new"
    result = on(api, "2025-02-04")
    assert result["onboarding"]["subscriptions"] == [sub["id"]]
    f = flow(api, sub)
    assert (f["stage"], f["cycle_start"]) == ("onboarding", "2025-02-04")
    welcome = [e for e in feed(api, sub) if e["type"] == "onboarding.welcome"]
    assert [e["data"]["on"] for e in welcome] == ["2025-02-04"]
    # Idempotent: a second pass on the same day changes nothing at all.
    before = state(api)
    assert run_scheduler(api)["onboarding"]["steps"] == 0
    assert state(api) == before

    on(api, "2025-02-06")
    assert open_calls(api, sub) == []
    on(api, "2025-02-07")  # day 3: a follow-up call task
    assert open_calls(api, sub) == [("onboarding_call", "2025-02-07")]
    on(api, "2025-02-11")  # day 7: another
    assert open_calls(api, sub) == [
        ("onboarding_call", "2025-02-07"),
        ("onboarding_call", "2025-02-11"),
    ]
    # The first call was made (the shared tasks API); the second stays open.
    first = flow(api, sub)["open_tasks"][0]
    ok(api.post(f"/v1/tasks/{first['id']}/complete"))
    on(api, "2025-03-05")
    assert flow(api, sub)["stage"] == "onboarding"
    on(api, "2025-03-06")  # day 30
    assert flow(api, sub)["stage"] == "needs_follow_up"
    on(api, "2025-04-05")  # day 60
    assert flow(api, sub)["stage"] == "inactive"
    assert flow(api, sub)["next_step"] is None

    # The customer books the start meeting: closed, the open call task is moot.
    api.today("2025-04-07")
    f = act(api, sub, "meeting", {"date": "2025-04-14"})
    assert (f["stage"], f["meeting_on"], f["open_tasks"]) == ("closed", "2025-04-14", [])
    cancelled = ok(
        api.get("/v1/tasks", params={"subscription_id": sub["id"], "status": "cancelled"})
    )
    assert [t["due_date"] for t in cancelled["data"]] == ["2025-02-11"]
    before = state(api)
    on(api, "2025-06-01")  # closed: the automation has stopped
    assert state(api)["onboardings"] == before["onboardings"]

    # A no-show on 2025-04-14, noted on 2025-04-15: the flow restarts from that day.
    api.today("2025-04-15")
    f = act(api, sub, "meeting-missed", {"outcome": "no_show", "reason": "did not answer"})
    assert (f["stage"], f["cycle"], f["cycle_start"], f["meeting_on"]) == (
        "onboarding",
        1,
        "2025-04-15",
        None,
    )
    assert f["next_step"]["due"] == "2025-04-18"
    # The clock jumps far ahead: the new cycle's steps, in order, once each.
    result = on(api, "2025-12-31")
    assert result["onboarding"]["steps"] == 4
    assert open_calls(api, sub) == [
        ("onboarding_call", "2025-04-18"),
        ("onboarding_call", "2025-04-22"),
    ]
    assert flow(api, sub)["stage"] == "inactive"
    assert run_scheduler(api)["onboarding"]["steps"] == 0

    # History: every step and action, with its day, time and who.
    history = flow(api, sub)["history"]
    assert [(h["type"], h["to_stage"], h["effective_date"]) for h in history] == [
        ("opened", "new", "2025-01-10"),
        ("welcomed", "onboarding", "2025-02-04"),
        ("call_task_opened", "onboarding", "2025-02-07"),
        ("call_task_opened", "onboarding", "2025-02-11"),
        ("day_30", "needs_follow_up", "2025-03-06"),
        ("day_60", "inactive", "2025-04-05"),
        ("meeting_booked", "closed", "2025-04-07"),
        ("meeting_no_show", "onboarding", "2025-04-15"),
        ("call_task_opened", "onboarding", "2025-04-18"),
        ("call_task_opened", "onboarding", "2025-04-22"),
        ("day_30", "needs_follow_up", "2025-05-15"),
        ("day_60", "inactive", "2025-06-14"),
    ]
    assert {h["recorded_by"] for h in history if h["type"].startswith("meeting")} == {
        "staff:key_bootstrap_admin"
    }
    assert {h["recorded_by"] for h in history if h["type"].startswith(("day", "call", "wel"))} == {
        "scheduler"
    }
    assert all(h["recorded_at"] for h in history)

    # The feed tells the same story, in order.
    events = feed(api, sub)
    assert stages(events) == [
        ("new", "onboarding", "2025-02-04"),
        ("onboarding", "needs_follow_up", "2025-03-06"),
        ("needs_follow_up", "inactive", "2025-04-05"),
        ("inactive", "closed", "2025-04-07"),
        ("closed", "onboarding", "2025-04-15"),
        ("onboarding", "needs_follow_up", "2025-05-15"),
        ("needs_follow_up", "inactive", "2025-06-14"),
    ]
    assert [e["type"] for e in events][:4] == [
        "onboarding.stage_changed",
        "onboarding.welcome",
        "task.opened",
        "task.opened",
    ]
    assert [e["type"] for e in events].count("task.completed") == 1
    assert [e["type"] for e in events].count("task.cancelled") == 1
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs)


def test_a_jump_far_ahead_applies_each_stage_once_in_order(api: Api) -> None:
    sub = setup(api, start_date="2025-02-03")
    result = on(api, "2026-01-01")
    assert result["onboarding"]["steps"] == 5
    events = feed(api, sub)
    assert [e["type"] for e in events] == [
        "onboarding.stage_changed",
        "onboarding.welcome",
        "task.opened",
        "task.opened",
        "onboarding.stage_changed",
        "onboarding.stage_changed",
    ]
    assert stages(events) == [
        ("new", "onboarding", "2025-02-04"),
        ("onboarding", "needs_follow_up", "2025-03-06"),
        ("needs_follow_up", "inactive", "2025-04-05"),
    ]
    before = state(api)
    on(api, "2026-01-01")
    on(api, "2026-06-01")
    assert state(api)["onboardings"] == before["onboardings"]
    assert feed(api, sub) == events
    # The clock set back: nothing is undone, nothing repeated.
    on(api, "2025-02-05")
    assert feed(api, sub) == events

    # Meeting booked, held, segment and advisor recorded.
    api.today("2026-01-02")
    act(api, sub, "meeting", {"date": "2026-01-09"})
    refused(
        api, sub, "segment", {"segment": "B", "advisor": "Emelie Larsson"}, 409, "meeting_not_held"
    )
    api.today("2026-01-09")
    f = act(api, sub, "segment", {"segment": "B", "advisor": "Emelie Larsson"})
    assert (f["stage"], f["segment"], f["advisor"]) == ("closed", "B", "Emelie Larsson")
    assert feed(api, sub)[-1]["type"] == "onboarding.segment_recorded"
    assert feed(api, sub)[-1]["data"] == {"segment": "B", "advisor": "Emelie Larsson"}
    # The meeting was held: no restart, no second booking.
    refused(api, sub, "meeting-missed", {"outcome": "rescheduled"}, 409, "meeting_held")
    refused(api, sub, "meeting", {"date": "2026-02-01"}, 409, "onboarding_closed")
    refused(api, sub, "park", None, 409, "onboarding_closed")


def test_parked_and_refusals_change_nothing(api: Api) -> None:
    sub = setup(api, start_date="2025-02-03")
    # Nothing to book, park or restart before the welcome.
    refused(api, sub, "meeting", {"date": "2025-02-10"}, 409, "onboarding_not_started")
    refused(api, sub, "park", None, 409, "onboarding_not_started")
    refused(api, sub, "meeting-missed", {}, 409, "no_meeting_booked")
    refused(api, sub, "segment", {"segment": "A", "advisor": "Emelie"}, 409, "no_meeting_booked")
    on(api, "2025-02-08")  # welcomed, day-3 call task open
    refused(api, sub, "meeting", {"date": "2025-02-07"}, 422, "meeting_in_past")
    refused(api, sub, "meeting", {"date": "2025-02-31"}, 422, "validation_error")
    refused(api, sub, "segment", {"segment": "E", "advisor": "Emelie"}, 422, "validation_error")
    refused(api, sub, "meeting-missed", {"outcome": "cancelled"}, 422, "validation_error")
    refused(api, sub, "park", {"reason": "x", "extra": 1}, 422, "validation_error")
    assert api.get(sub_path("sub_nope", "/onboarding")).status_code == 404
    refused(api, {"id": "sub_nope"}, "park", None, 404, "not_found")

    # A preview answers the flow as parking would leave it, and changes nothing.
    before = state(api)
    previewed = ok(api.post(sub_path(sub, "/onboarding/park"), params={"preview": "true"}))
    assert previewed["stage"] == "manual_follow_up"
    assert state(api) == before
    # The customer is on sick leave and wants to start later: parked, the automation stops.
    f = act(api, sub, "park", {"reason": "sick leave, call in March"})
    assert (f["stage"], f["next_step"]) == ("manual_follow_up", None)
    assert [t["due_date"] for t in f["open_tasks"]] == ["2025-02-07"]  # staff still call
    refused(api, sub, "park", None, 409, "already_parked")
    before = state(api)
    on(api, "2025-12-31")
    assert state(api)["onboardings"] == before["onboardings"]
    assert flow(api, sub)["stage"] == "manual_follow_up"
    # Booking from manual follow-up closes it.
    assert act(api, sub, "meeting", {"date": "2026-01-05"})["stage"] == "closed"
    assert stages(feed(api, sub)) == [
        ("new", "onboarding", "2025-02-04"),
        ("onboarding", "manual_follow_up", "2025-02-08"),
        ("manual_follow_up", "closed", "2025-12-31"),
    ]
    # Portal and integration keys see no onboarding.
    key = ok(api.post("/v1/api-keys", {"role": "integration"}), 201)["token"]
    assert api.as_token(key).get(sub_path(sub, "/onboarding")).status_code == 403


def test_a_customer_who_gives_notice_gets_no_nudges_until_it_is_undone(api: Api) -> None:
    sub = setup(api, start_date="2025-02-03")
    on(api, "2025-02-04")
    ok(api.post(sub_path(sub, "/cancel"), {"mode": "on_date", "date": "2025-06-01"}))
    on(api, "2025-03-10")
    assert (flow(api, sub)["stage"], flow(api, sub)["open_tasks"]) == ("onboarding", [])
    ok(api.delete(sub_path(sub, "/cancel")))
    on(api, "2025-03-10")  # catches up, in order
    f = flow(api, sub)
    assert f["stage"] == "needs_follow_up"
    assert [t["due_date"] for t in f["open_tasks"]] == ["2025-02-07", "2025-02-11"]


def test_a_contract_recorded_after_its_start_is_welcomed_when_recorded(api: Api) -> None:
    sub = setup(api, start_date="2024-06-01", today="2025-01-10")
    f = flow(api, sub)
    assert f["welcome_on"] == "2025-01-10"
    on(api, "2025-01-10")
    assert (flow(api, sub)["stage"], flow(api, sub)["cycle_start"]) == ("onboarding", "2025-01-10")
