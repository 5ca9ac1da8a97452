"""One way to change a timeline: the same change gives the same answer and the same money
whichever endpoint records it, and the rule fixes that came with it.

The licence plan of ``test_retention_offers``: 499 kr per licence and month, floor 429 kr,
36-month contracts with a 12-month minimum term.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.lifecycle.helpers import (
    LICENCE,
    bill,
    cancel,
    entries,
    events,
    get_sub,
    ok,
    quote,
    refused,
    sub_path,
)
from tests.lifecycle.test_retention_offers import licence_plan


def _two_subscriptions(api: Api, plan: dict[str, Any], **sub: Any) -> list[dict[str, Any]]:
    customer = api.customer(name="Fjällbacka Hälsa AB")
    return [
        api.subscription(customer, plan, start_date="2024-03-01", quantity=20, **sub)
        for _ in range(2)
    ]


def test_a_licence_change_before_the_start_is_refused_by_both_endpoints(api: Api) -> None:
    api.today("2024-02-20")
    plan = licence_plan(api)
    a, b = _two_subscriptions(api, plan)
    change = {"effective_date": "2024-02-25", "quantity": 19}
    refused(api, sub_path(a, "/changes"), change, 422, "before_start", a)
    # Before: a retention offer took it (200) and billed licences before the start.
    refused(api, sub_path(b, "/retention-offers"), change, 422, "before_start", b)


def test_proration_none_posts_the_same_through_changes_and_retention_offers(api: Api) -> None:
    api.today("2024-03-01")
    plan = licence_plan(api, setup_fee_amount=0, proration="none")
    a, b = _two_subscriptions(api, plan)
    bill(api, "2024-03-01")
    api.today("2024-03-15")
    by_change = ok(
        api.post(sub_path(a, "/changes"), {"effective_date": "2024-03-15", "quantity": 18})
    )
    by_offer = ok(
        api.post(sub_path(b, "/retention-offers"), {"effective_date": "2024-03-15", "quantity": 18})
    )
    # "none": the period under way is neither charged nor credited. Before, the offer posted
    # an invoice of 66,000 and a credit note of 73,333 here.
    assert by_change["documents"] == by_offer["documents"] == []
    assert by_change["entries"] == by_offer["entries"] == []
    assert by_change["quantity"] == by_offer["quantity"] == 18
    offer_change = events(api, b)[-1]
    assert (offer_change["type"], offer_change["data"]["billing_from"]) == (
        "quantity_changed",
        "2024-04-01",
    )
    bill(api, "2024-04-01")
    assert [e[1:] for e in entries(api, a)] == [e[1:] for e in entries(api, b)]
    assert entries(api, a)[-1][1:] == ("charge", "2024-04-01", "2024-05-01", 18 * 49900)


def test_one_request_is_one_version_step_however_many_events(api: Api) -> None:
    api.today("2024-03-20")
    plan = licence_plan(api)
    (sub,) = _two_subscriptions(api, plan)[:1]
    before = get_sub(api, sub)["version"]
    n_events = len(events(api, sub))
    offered = ok(
        api.post(
            sub_path(sub, "/retention-offers"),
            {"unit_amount": 45000, "quantity": 19, "waive_setup_fee": True},
        )
    )
    assert offered["version"] == before + 1
    kinds = [e["type"] for e in events(api, sub)[n_events:]]
    assert kinds == [
        "retention_offer_made",
        "setup_fee_waived",
        "price_changed",
        "quantity_changed",
    ]
    changed = ok(
        api.post(
            sub_path(sub, "/changes"),
            {"effective_date": "2024-04-01", "unit_amount": 44000, "quantity": 18},
            headers={"If-Match": str(offered["version"])},
        )
    )
    assert changed["version"] == before + 2


def test_earliest_allowed_with_approval_ends_at_the_earliest_end_with_approval(api: Api) -> None:
    api.today("2024-06-10")
    plan = licence_plan(api, setup_fee_amount=0, contract=LICENCE)
    a, b = _two_subscriptions(api, plan)
    brief = quote(api, a)
    assert brief["contract"]["earliest_with_approval"] == "2025-03-01"  # the minimum term
    assert brief["earliest_allowed_end"] == "2027-03-01"  # the term's end, without approval
    approved = cancel(api, a, mode="earliest_allowed", approved_by="Karin Lind, chef")
    # domain.md: an approved early end waives the notice, never the minimum term. Before,
    # the approval was ignored and the answer was the term's end.
    assert approved["end_date"] == "2025-03-01"
    assert cancel(api, b, mode="earliest_allowed")["end_date"] == "2027-03-01"


def test_the_brief_of_an_ended_subscription_offers_nothing(api: Api) -> None:
    api.today("2025-03-10")
    plan = api.plan(code="monthly", unit_amount=24995)
    sub = api.subscription(api.customer(), plan, start_date="2025-01-01")
    cancel(api, sub, mode="on_date", date="2025-03-15")
    assert quote(api, sub)["retention_offers"]["allowed"] is True  # in termination: still
    api.today("2025-04-01")
    brief = quote(api, sub)
    assert brief["status"] == "terminated"
    assert brief["earliest_allowed_end"] is None
    assert brief["ending_then"] is None
    offers = brief["retention_offers"]
    assert (offers["allowed"], offers["refused_because"]) == (False, "already_ended")
    assert offers["included_addons"] == [] and offers["max_licence_reduction"] == 0
