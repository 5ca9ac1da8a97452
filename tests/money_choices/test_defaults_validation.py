"""The plan's default money choices, used when a request gives none (and overridden when it
does); and unknown choices refused with 422 ``validation_error``, nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.money_choices.helpers import (
    assert_money_sound,
    assert_problem,
    balance,
    bill,
    counts,
    do,
    entries,
    of_type,
    pay,
    refunds,
    setup,
    snapshot,
    timeline,
)

TODAY = "2025-04-11"


def paid_april(api: Api, **kw: Any) -> tuple[dict[str, Any], dict[str, Any], str]:
    cust, sub = setup(api, **kw)
    [inv] = bill(api, "2025-04-01")["invoices"]
    pay(api, inv, 30000 * kw.get("quantity", 1), "2025-04-05")
    api.today(TODAY)
    return cust, sub, inv


def event(api: Api, sub: dict[str, Any], event_id: str) -> dict[str, Any]:
    [e] = [e for e in timeline(api, sub)["events"] if e["id"] == event_id]
    return e


def test_plan_defaults_by_day_and_credit_note(api: Api) -> None:
    plan = api.plan()
    assert (plan["proration"], plan["unused"]) == ("by_day", "credit_note")
    cust, sub, inv = paid_april(api, quantity=2)
    done = do(api, sub, "/changes", {"effective_date": TODAY, "quantity": 3})
    assert event(api, sub, done["event_id"])["data"]["proration"] == "by_day"
    assert (of_type(done["documents"], "invoice")[0]["total"]) == 60000
    done = do(api, sub, "/cancel", {"mode": "immediately"})
    assert event(api, sub, done["event_id"])["data"]["unused"] == "credit_note"
    assert [d["type"] for d in done["documents"]] == ["credit_note"]
    # What April's paid invoice gave back beyond what was owed is kept as customer credit.
    assert refunds(api, cust["id"]) == [] and balance(api, cust)["balance"] == 40000
    assert_money_sound(api, cust)


def test_plan_defaults_from_next_period_and_balance(api: Api) -> None:
    cust, sub, inv = paid_april(api, quantity=2, proration="from_next_period", unused="balance")
    plan = api.get(f"/v1/plans/{sub['plan_id']}").json()
    assert (plan["proration"], plan["unused"]) == ("from_next_period", "balance")

    done = do(api, sub, "/changes", {"effective_date": TODAY, "quantity": 3})
    assert done["documents"] == []
    e = event(api, sub, done["event_id"])
    assert e["effective_date"] == "2025-05-01" and e["data"]["requested_date"] == TODAY
    assert (e["data"]["proration"], e["data"]["unused"]) == ("from_next_period", "balance")

    # The cancellation keeps [04-11, 05-01) at 600.00 = 400.00 as balance, as the plan says.
    done = do(api, sub, "/cancel", {"mode": "immediately"})
    assert event(api, sub, done["event_id"])["data"]["unused"] == "balance"
    [note] = done["documents"]
    assert (note["type"], note["total"]) == ("credit_note", 40000)
    assert balance(api, cust)["balance"] == 40000
    assert_money_sound(api, cust)


def test_request_choices_override_the_plan(api: Api) -> None:
    cust, sub, inv = paid_april(api, proration="from_next_period", unused="balance")
    done = do(
        api,
        sub,
        "/changes",
        {"effective_date": TODAY, "unit_amount": 20000, "proration": "by_day", "unused": "refund"},
    )
    # by_day: 200.00 back, 133.33 charged; the paid invoice's 200.00 overpaid is refunded.
    assert [(d["type"], d["total"]) for d in done["documents"]] == [
        ("invoice", 13333),
        ("credit_note", 20000),
        ("refund", 20000),
    ]
    assert balance(api, cust)["balance"] == 0
    done = do(api, sub, "/cancel", {"mode": "immediately", "unused": "credit_note"})
    assert [(d["type"], d["total"]) for d in done["documents"]] == [("credit_note", 13333)]
    assert balance(api, cust)["balance"] == 0
    assert len(refunds(api, cust["id"])) == 1
    assert_money_sound(api, cust)


def test_plan_default_refund(api: Api) -> None:
    cust, sub, inv = paid_april(api, unused="refund")
    done = do(api, sub, "/cancel", {"mode": "immediately"})
    assert [(d["type"], d["total"]) for d in done["documents"]] == [
        ("credit_note", 20000),
        ("refund", 20000),
    ]
    assert [r["total"] for r in refunds(api, cust["id"])] == [20000]
    assert_money_sound(api, cust)


@pytest.mark.parametrize("plan_choice", [{"unused": "none"}, {"proration": "none"}])
def test_plan_default_none(api: Api, plan_choice: dict[str, str]) -> None:
    cust, sub, inv = paid_april(api, **plan_choice)
    done = do(api, sub, "/changes", {"effective_date": TODAY, "unit_amount": 20000})
    assert done["documents"] == []
    assert event(api, sub, done["event_id"])["data"]["billing_from"] == "2025-05-01"
    if plan_choice.get("unused") == "none":
        done = do(api, sub, "/pause", {"start_date": "2025-04-21"})
        assert done["documents"] == []
        assert event(api, sub, done["event_id"])["data"]["unused"] == "none"
        done = do(api, sub, "/cancel", {"mode": "on_date", "date": "2025-04-25"})
        assert done["documents"] == []
    assert entries(api, sub) == [("charge", "2025-04-01", "2025-05-01", 1, 30000)]
    assert_money_sound(api, cust)


BAD = [
    ("/changes", {"effective_date": TODAY, "quantity": 2, "proration": "weekly"}),
    ("/changes", {"effective_date": TODAY, "quantity": 2, "proration": "BY_DAY"}),
    ("/changes", {"effective_date": TODAY, "quantity": 2, "unused": "shred"}),
    ("/changes", {"effective_date": TODAY, "quantity": 2, "proration": 1}),
    ("/cancel", {"mode": "immediately", "unused": "shred"}),
    ("/cancel", {"mode": "immediately", "unused": ""}),
    ("/cancel", {"mode": "immediately", "proration": "none"}),
    ("/pause", {"start_date": TODAY, "unused": "later"}),
    ("/pause", {"start_date": TODAY, "unused": ["refund"]}),
]


@pytest.mark.parametrize("suffix,body", BAD, ids=[f"{s[1:]}-{i}" for i, (s, _) in enumerate(BAD)])
def test_unknown_choice_is_a_validation_error_and_changes_nothing(
    api: Api, suffix: str, body: dict[str, Any]
) -> None:
    cust, sub, inv = paid_april(api, quantity=2)
    before = snapshot(api, cust, sub)
    for params in (None, {"preview": "true"}):
        r = api.post(f"/v1/subscriptions/{sub['id']}{suffix}", body, params=params)
        assert_problem(r, 422, "validation_error")
    assert snapshot(api, cust, sub) == before


@pytest.mark.parametrize("choice", [{"proration": "monthly"}, {"unused": "cash"}])
def test_plan_with_an_unknown_choice_is_refused(api: Api, choice: dict[str, str]) -> None:
    api.today(TODAY)
    before = counts(api)
    body = {"code": "p1", "name": "Monthly", "currency": "SEK", "unit_amount": 100}
    r = api.post("/v1/plans", {**body, "interval": "month", **choice})
    assert_problem(r, 422, "validation_error")
    assert counts(api) == before
