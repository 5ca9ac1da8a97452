"""Contract rules through the API: domain.md's 36-month / 12-month / 6-month example, the
versioned notice rules' cut-over, and the same rules for the portal.

The running contract starts 2024-01-15 (a new customer after 2023-10-21: 6 months' notice):
the term ends 2027-01-15, its notice deadline is 2026-07-15, the minimum term runs until
2025-01-15, and a late notice ends it at the end of the 12-month renewal, 2028-01-15.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.lifecycle.helpers import (
    LICENCE,
    assert_problem,
    cancel,
    events,
    get_sub,
    quote,
    refused,
    role_key,
    state,
    sub_path,
)

START = "2024-01-15"


def licence_contracts(api: Api, n: int, *, today: str, **plan: Any) -> list[dict[str, Any]]:
    api.today(today)
    customer = api.customer(name="Företagshälsan AB")
    p = api.plan(code="licence", name="Licence", unit_amount=49900, contract=LICENCE, **plan)
    return [api.subscription(customer, p, start_date=START, quantity=20) for _ in range(n)]


def test_the_36_12_6_example_end_to_end(api: Api) -> None:
    [sub] = licence_contracts(api, 1, today="2024-08-20")
    path = sub_path(sub, "/cancel")

    # Month 8: inside the minimum term. Not even a manager can end it then.
    p = refused(
        api,
        path,
        {"mode": "on_date", "date": "2024-09-01", "approved_by": "Maja Manager"},
        422,
        "minimum_term",
        sub,
    )
    assert "2025-01-15" in p["detail"]
    refused(api, path, {"mode": "on_date", "date": "2024-09-01"}, 422, "minimum_term", sub)
    refused(api, path, {"mode": "immediately", "approved_by": "Maja"}, 422, "minimum_term", sub)
    # Month 14 is past the minimum term but before the term's end: a manager must approve.
    api.today("2025-02-10")
    refused(api, path, {"mode": "on_date", "date": "2025-03-01"}, 422, "approval_required", sub)
    # A blank approval is no approval: refused as bad input before any rule is looked at.
    body = {"mode": "on_date", "date": "2025-03-01", "approved_by": "   "}
    refused(api, path, body, 422, "validation_error", sub)

    done = cancel(
        api,
        sub,
        mode="on_date",
        date="2025-03-01",
        approved_by="Maja Manager",
        reason="closing the Malmö office",
    )
    assert (done["end_date"], done["status"], done["version"]) == (
        "2025-03-01",
        "in_termination",
        2,
    )
    [_, event] = events(api, sub)
    assert event["type"] == "cancellation_scheduled"
    assert event["effective_date"] == "2025-03-01"
    assert event["data"]["approved_by"] == "Maja Manager"
    assert event["data"]["requested_on"] == "2025-02-10"
    assert event["reason"] == "closing the Malmö office"
    assert event["recorded_by"].startswith("staff:")


def test_earliest_allowed_and_the_notice_deadline(api: Api) -> None:
    in_time, late, on_term_end, earlier = licence_contracts(api, 4, today="2026-07-15")

    # Notice on the deadline day is in time: the contract ends at the term's end.
    brief = quote(api, in_time)
    assert brief["contract"]["notice_months"] == 6
    assert brief["contract"]["notice_deadline"] == "2026-07-15"
    assert brief["contract"]["notice_in_time"] is True
    assert brief["earliest_allowed_end"] == "2027-01-15"
    done = cancel(api, in_time, mode="earliest_allowed")
    assert (done["end_date"], done["status"]) == ("2027-01-15", "in_termination")

    # One day after the deadline: the end of the following (renewal) term.
    api.today("2026-07-16")
    brief = quote(api, late)
    assert brief["contract"]["notice_in_time"] is False
    assert brief["earliest_allowed_end"] == "2028-01-15"
    assert cancel(api, late, mode="earliest_allowed")["end_date"] == "2028-01-15"
    # Staff recording a written notice that arrived on time, entered a day later.
    assert (
        cancel(api, earlier, mode="earliest_allowed", requested_on="2026-07-15")["end_date"]
        == "2027-01-15"
    )

    # The term end whose deadline passed is refused with notice_period, and changes nothing.
    path = sub_path(on_term_end, "/cancel")
    p = refused(
        api, path, {"mode": "on_date", "date": "2027-01-15"}, 422, "notice_period", on_term_end
    )
    assert "2026-07-15" in p["detail"]
    # Late notice for a date that is no term end: the answer names the approval.
    body = {"mode": "on_date", "date": "2027-06-01"}
    refused(api, path, body, 422, "approval_required", on_term_end)
    # Approval waives the notice period.
    body = {"mode": "on_date", "date": "2027-01-15", "approved_by": "Maja Manager"}
    assert cancel(api, on_term_end, **body)["end_date"] == "2027-01-15"
    # The next term end with notice in time needs no approval.
    api.today("2027-07-15")
    assert cancel(api, late, mode="on_date", date="2028-01-15")["end_date"] == "2028-01-15"


def test_end_date_in_past_is_refused_even_approved(api: Api) -> None:
    [sub] = licence_contracts(api, 1, today="2025-06-10")
    body = {"mode": "on_date", "date": "2025-05-01", "approved_by": "Maja Manager"}
    refused(api, sub_path(sub, "/cancel"), body, 422, "end_date_in_past", sub)


@pytest.mark.parametrize(
    ("start", "notice_on", "months", "earliest"),
    [
        # Existing contract, notice before 2023-11-21: the old 3 months.
        ("2023-10-20", "2023-11-20", 3, "2024-04-20"),
        # Existing contract, notice from 2023-11-21: 6 months, so the deadline (2023-10-20)
        # has passed and the contract runs to the end of its renewal.
        ("2023-10-20", "2023-11-21", 6, "2025-04-20"),
        # New contract from 2023-10-21: 6 months whenever the notice comes.
        ("2023-10-21", "2023-11-20", 6, "2025-04-21"),
        ("2023-10-21", "2023-11-21", 6, "2025-04-21"),
    ],
)
def test_notice_rules_cut_over(
    api: Api, start: str, notice_on: str, months: int, earliest: str
) -> None:
    api.today(notice_on)
    customer = api.customer()
    plan = api.plan(contract=LICENCE)
    # The plan's 36-month contract: the quote shows which notice rule applies.
    licence = api.subscription(customer, plan, start_date=start)
    brief = quote(api, licence)
    assert brief["contract"]["notice_months"] == months
    term_end = {"2023-10-20": "2026-10-20", "2023-10-21": "2026-10-21"}[start]
    assert brief["contract"]["current_term_end"] == term_end
    deadline_month = 10 - months
    assert brief["contract"]["notice_deadline"] == f"2026-{deadline_month:02d}-{start[-2:]}"
    # A 6-month term (overriding the plan's) makes the rule decide the end: its 3-month
    # deadline is in January, its 6-month deadline the start day itself.
    short = api.subscription(
        customer,
        plan,
        start_date=start,
        contract={"term_months": 6, "minimum_term_months": 0, "renewal_months": 12},
    )
    assert quote(api, short)["earliest_allowed_end"] == earliest
    assert cancel(api, short, mode="earliest_allowed")["end_date"] == earliest
    # The same notice recorded by staff afterwards, with requested_on, gives the same end.
    other = api.subscription(
        customer,
        plan,
        start_date=start,
        contract={"term_months": 6, "minimum_term_months": 0, "renewal_months": 12},
    )
    api.today("2023-12-01")
    done = cancel(api, other, mode="earliest_allowed", requested_on=notice_on)
    assert done["end_date"] == earliest


def test_subscription_contract_overrides_the_plan(api: Api) -> None:
    api.today("2024-02-01")
    customer = api.customer()
    plan = api.plan(contract=LICENCE)
    own = api.subscription(
        customer,
        plan,
        start_date=START,
        contract={
            "term_months": 12,
            "minimum_term_months": 3,
            "notice_months": 1,
            "renewal_months": 1,
        },
    )
    # Minimum term 3 months: approved ends from 2024-04-15 on.
    body = {"mode": "on_date", "date": "2024-04-14", "approved_by": "Maja"}
    refused(api, sub_path(own, "/cancel"), body, 422, "minimum_term", own)
    brief = quote(api, own)
    assert brief["contract"]["current_term_end"] == "2025-01-15"
    assert brief["contract"]["notice_deadline"] == "2024-12-15"
    assert cancel(api, own, mode="earliest_allowed")["end_date"] == "2025-01-15"
    # A plan without a contract: earliest_allowed is today, any date is fine.
    free = api.subscription(customer, api.plan(), start_date=START)
    assert cancel(api, free, mode="earliest_allowed")["end_date"] == "2024-02-01"


def test_portal_gets_the_same_rules_and_never_an_approval(api: Api) -> None:
    [sub, other] = licence_contracts(api, 2, today="2024-12-01")
    portal = role_key(api, "portal", sub["customer_id"])
    path = sub_path(sub, "/cancel")
    before = state(api, sub)
    for body, status, code in [
        ({"mode": "on_date", "date": "2025-03-01"}, 422, "approval_required"),
        ({"mode": "on_date", "date": "2025-01-01"}, 422, "minimum_term"),
        ({"mode": "on_date", "date": "2025-03-01", "approved_by": "Me"}, 422, None),
        ({"mode": "earliest_allowed", "requested_on": "2024-01-01"}, 422, None),
        ({"mode": "immediately"}, 422, None),
    ]:
        r = portal.post(path, body)
        if code is None:
            assert r.status_code == status, r.text
            assert r.headers["content-type"].startswith("application/problem+json")
        else:
            assert_problem(r, status, code)
    assert state(api, sub) == before
    done = cancel(portal, sub, mode="earliest_allowed")
    assert (done["end_date"], done["status"]) == ("2027-01-15", "in_termination")
    assert events(api, sub)[-1]["recorded_by"].startswith("portal:")
    # The other subscription is the same customer's, so the portal sees it too.
    assert get_sub(portal, other)["status"] == "active"
