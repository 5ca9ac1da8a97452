"""Proration per change: ``by_day``, ``from_next_period`` and ``none``, with exact amounts, and
the preview's alternatives matching what each choice then does.

Monthly plan anchored on the 1st, 300.00 kr a licence; April is 30 days. Today is 04-11 for
every change, which takes effect 04-11 (10 days of April served on the old terms).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.money_choices.helpers import (
    APRIL,
    MAY,
    assert_money_sound,
    bill,
    credit_notes,
    do,
    entries,
    invoices,
    net,
    of_type,
    period_total,
    preview,
    setup,
    snapshot,
    timeline,
    without_ids,
)

TODAY = "2025-04-11"
# Licence increase 2 → 3 at 300.00 kr: April billed 600.00 in advance.
#   by_day: old [04-01, 04-11) = R(60000 × 10/30) = 20000; new [04-11, 05-01) = 90000 −
#   R(90000 × 10/30) = 60000: the period ends up 80000, 20000 more than billed.
INCREASE = {"effective_date": TODAY, "quantity": 3}
INCREASE_ALTERNATIVES = {
    "by_day": (TODAY, 20000, 80000),
    "from_next_period": ("2025-05-01", 0, 60000),
    "none": (TODAY, 0, 60000),
}
# Price drop 300.00 → 200.00, one licence: April billed 300.00.
#   by_day: old 10000 + new 20000 − R(20000 × 10/30) = 20000 − 6667 = 13333: 23333, 6667 back.
DROP = {"effective_date": TODAY, "unit_amount": 20000}
DROP_ALTERNATIVES = {
    "by_day": (TODAY, -6667, 23333),
    "from_next_period": ("2025-05-01", 0, 30000),
    "none": (TODAY, 0, 30000),
}


def started(api: Api, *, quantity: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """April billed in advance by a bill run on 04-01; the clock then at 04-11."""
    cust, sub = setup(api, quantity=quantity)
    [inv] = bill(api, "2025-04-01")["invoices"]
    assert [i["id"] for i in invoices(api, subscription_id=sub["id"])] == [inv]
    api.today(TODAY)
    return cust, sub


def alternatives(out: dict[str, Any]) -> dict[str, tuple[str, int, int]]:
    alts = out["alternatives"]
    assert [a["proration"] for a in alts] == ["by_day", "from_next_period", "none"]
    for a in alts:
        assert a["period"] == {"start": APRIL[0], "end": APRIL[1]}
    return {a["proration"]: (a["effective_date"], a["posts_now"], a["period_billed"]) for a in alts}


def test_licence_increase_from_next_period(api: Api) -> None:
    cust, sub = started(api, quantity=2)
    before = snapshot(api, cust, sub)
    body = {**INCREASE, "proration": "from_next_period"}

    seen = preview(api, sub, "/changes", body)
    assert seen["documents"] == []
    assert alternatives(seen) == INCREASE_ALTERNATIVES
    assert snapshot(api, cust, sub) == before

    done = do(api, sub, "/changes", body)
    assert done["documents"] == []
    assert done["version"] == before["subscription"]["version"] + 1
    # Nothing posted now: April stays billed for 2 licences.
    assert entries(api, sub) == [("charge", "2025-04-01", "2025-05-01", 2, 60000)]
    assert invoices(api, customer_id=cust["id"]) == before["invoices"]
    # The timeline shows both dates: effective at the next period, requested for 04-11.
    [event] = [e for e in timeline(api, sub)["events"] if e["type"] == "quantity_changed"]
    assert event["effective_date"] == "2025-05-01"
    assert event["data"]["requested_date"] == TODAY
    assert event["data"]["proration"] == "from_next_period"
    assert event["data"]["quantity"] == 3
    segments = [(s["start"], s["end"], s["quantity"]) for s in timeline(api, sub)["segments"]]
    assert segments == [("2025-04-01", "2025-05-01", 2), ("2025-05-01", None, 3)]

    # May bills the new quantity in full.
    run = bill(api, "2025-05-01")
    assert run["credit_notes"] == []
    [may] = of_type(invoices(api, subscription_id=sub["id"]), "invoice")[1:]
    assert may["id"] in run["invoices"]
    assert may["total"] == 90000
    assert [(ln["service_start"], ln["quantity"], ln["amount"]) for ln in may["lines"]] == [
        ("2025-05-01", 3, 90000)
    ]
    assert period_total(api, sub, APRIL) == 60000
    assert period_total(api, sub, MAY) == 90000
    assert_money_sound(api, cust)


def test_licence_increase_by_day_for_comparison(api: Api) -> None:
    cust, sub = started(api, quantity=2)
    body = {**INCREASE, "proration": "by_day"}
    seen = preview(api, sub, "/changes", body)
    assert alternatives(seen) == INCREASE_ALTERNATIVES
    done = do(api, sub, "/changes", body)
    assert without_ids(seen["documents"]) == without_ids(done["documents"])
    [inv] = of_type(done["documents"], "invoice")
    [note] = of_type(done["documents"], "credit_note")
    assert (inv["total"], note["total"]) == (60000, 40000)
    assert entries(api, sub) == [
        ("charge", "2025-04-01", "2025-05-01", 2, 60000),
        ("charge", "2025-04-11", "2025-05-01", 3, 60000),
        ("credit", "2025-04-11", "2025-05-01", 2, -40000),
    ]
    [event] = [e for e in timeline(api, sub)["events"] if e["type"] == "quantity_changed"]
    # Every field of a payload is stored (null where unset): no requested date here.
    assert event["effective_date"] == TODAY and event["data"]["requested_date"] is None
    bill(api, "2025-05-01")
    assert period_total(api, sub, APRIL) == 80000
    assert period_total(api, sub, MAY) == 90000
    assert_money_sound(api, cust)


def test_price_drop_none(api: Api) -> None:
    cust, sub = started(api, quantity=1)
    before = snapshot(api, cust, sub)
    body = {**DROP, "proration": "none"}

    seen = preview(api, sub, "/changes", body)
    assert seen["documents"] == []
    assert alternatives(seen) == DROP_ALTERNATIVES
    assert snapshot(api, cust, sub) == before

    done = do(api, sub, "/changes", body)
    assert done["documents"] == []
    assert entries(api, sub) == [("charge", "2025-04-01", "2025-05-01", 1, 30000)]
    assert credit_notes(api, cust["id"]) == []
    # The new price is on the timeline from the requested date; billing follows from May.
    [event] = [e for e in timeline(api, sub)["events"] if e["type"] == "price_changed"]
    assert event["effective_date"] == TODAY
    assert event["data"]["billing_from"] == "2025-05-01"
    assert event["data"]["proration"] == "none"
    assert event["data"]["unit_amount"] == 20000

    run = bill(api, "2025-05-01")
    assert run["credit_notes"] == []
    may = of_type(invoices(api, subscription_id=sub["id"]), "invoice")[-1]
    assert may["id"] in run["invoices"]
    assert may["total"] == 20000
    assert [(ln["service_start"], ln["unit_amount"]) for ln in may["lines"]] == [
        ("2025-05-01", 20000)
    ]
    assert period_total(api, sub, APRIL) == 30000
    assert_money_sound(api, cust)


def test_price_drop_by_day_for_comparison(api: Api) -> None:
    cust, sub = started(api, quantity=1)
    body = {**DROP, "proration": "by_day"}
    seen = preview(api, sub, "/changes", body)
    assert alternatives(seen) == DROP_ALTERNATIVES
    done = do(api, sub, "/changes", body)
    assert without_ids(seen["documents"]) == without_ids(done["documents"])
    # The ledger never edits: the old terms' unused days come back, the new ones are charged.
    assert entries(api, sub)[0] == ("charge", "2025-04-01", "2025-05-01", 1, 30000)
    assert sum(e[4] for e in entries(api, sub)) == 23333
    assert net(done["documents"]) == -6667
    bill(api, "2025-05-01")
    assert period_total(api, sub, MAY) == 20000
    assert_money_sound(api, cust)


@pytest.mark.parametrize("choice", ["by_day", "from_next_period", "none"])
@pytest.mark.parametrize(
    "change,quantity,expected",
    [(INCREASE, 2, INCREASE_ALTERNATIVES), (DROP, 1, DROP_ALTERNATIVES)],
    ids=["increase", "drop"],
)
def test_preview_alternatives_match_what_each_choice_does(
    api: Api, choice: str, change: dict[str, Any], quantity: int, expected: dict[str, Any]
) -> None:
    cust, sub = started(api, quantity=quantity)
    body = {**change, "proration": choice}
    seen = preview(api, sub, "/changes", body)
    alts = alternatives(seen)
    assert alts == expected
    effective, posts_now, period_billed = alts[choice]

    done = do(api, sub, "/changes", body)
    assert without_ids(seen["documents"]) == without_ids(done["documents"])
    # What it posts at once is what the alternative said.
    assert net(done["documents"]) == posts_now
    [event] = [e for e in timeline(api, sub)["events"] if e["id"] == done["event_id"]]
    assert event["effective_date"] == effective
    # And the period under way ends up billed as the alternative said, once bills catch up.
    bill(api, "2025-05-01")
    assert period_total(api, sub, APRIL) == period_billed
    assert_money_sound(api, cust)


def test_price_drop_none_applies_the_new_terms_from_the_date(api: Api) -> None:
    """Issue 8: "none applies the new terms from the date without charging or crediting the
    current period": from 04-11 the subscription is on the new price, only unbilled."""
    cust, sub = started(api, quantity=1)
    do(api, sub, "/changes", {**DROP, "proration": "none"})
    assert api.get(f"/v1/subscriptions/{sub['id']}").json()["unit_amount"] == 20000
    segments = [(s["start"], s["unit_amount"]) for s in timeline(api, sub)["segments"]]
    assert (TODAY, 20000) in segments
