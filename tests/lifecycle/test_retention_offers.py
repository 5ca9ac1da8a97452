"""Retention offers and the cancellation brief: each offer's allowed case, each limit's refusal
(with its code and nothing changed), and the brief staff read before calling the customer.

The licence plan: 499 kr per licence and month, floor 429 kr, start-up fee 1 500 kr, a priced
add-on (SSO, 50 kr) and an included one (app, 0 kr); contracts of 36 months.
"""

from __future__ import annotations

from datetime import date
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
    role_key,
    state,
    sub_path,
    tasks,
)

ADDONS = [
    {"code": "sso", "name": "Single sign-on", "unit_amount": 5000},
    {"code": "app", "name": "Mobile app", "unit_amount": 0, "included": True},
]


def licence_plan(api: Api, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "licence",
        "name": "Licence",
        "unit_amount": 49900,
        "min_unit_amount": 42900,
        "setup_fee_amount": 150000,
        "contract": LICENCE,
        "addons": ADDONS,
    }
    body.update(extra)
    return api.plan(**body)


def licence(api: Api, *, today: str = "2024-03-20", n: int = 1, **sub: Any) -> Any:
    """``n`` subscriptions of 20 licences from 2024-03-01 (with the start-up fee)."""
    api.today(today)
    customer = api.customer(name="Hälsopartner AB")
    plan = licence_plan(api)
    sub.setdefault("start_date", "2024-03-01")
    sub.setdefault("quantity", 20)
    made = [api.subscription(customer, plan, **sub) for _ in range(n)]
    return made if n > 1 else made[0]


def offers(sub: dict[str, Any]) -> str:
    return sub_path(sub, "/retention-offers")


def test_price_floor_boundary(api: Api) -> None:
    sub = licence(api)
    refused(api, offers(sub), {"unit_amount": 42899}, 422, "price_floor", sub)
    # Raising the price is no retention offer.
    refused(api, offers(sub), {"unit_amount": 49901}, 422, "not_a_reduction", sub)
    done = offer(api, sub, unit_amount=42900, offered_by="Sara Sales")
    assert (done["unit_amount"], done["version"]) == (42900, 2)
    assert get_sub(api, sub)["unit_amount"] == 42900
    made = events(api, sub)[-2]
    assert made["type"] == "retention_offer_made"
    assert made["data"]["offered_by"] == "Sara Sales"
    assert made["data"]["unit_amount"] == 42900


def test_licence_reduction_limit_boundary(api: Api) -> None:
    sub = licence(api)
    refused(api, offers(sub), {"quantity": 17}, 422, "licence_reduction_limit", sub)
    refused(api, offers(sub), {"quantity": 21}, 422, "not_a_reduction", sub)
    # All-or-nothing: a fine price with a too-large reduction changes nothing either.
    body = {"unit_amount": 45000, "quantity": 17}
    refused(api, offers(sub), body, 422, "licence_reduction_limit", sub)
    assert offer(api, sub, quantity=18)["quantity"] == 18
    assert quote(api, sub)["retention_offers"]["max_licence_reduction"] == 1


def test_ordinary_staff_changes_are_not_limited(api: Api) -> None:
    sub = licence(api)
    r = api.post(
        sub_path(sub, "/changes"),
        {"effective_date": "2024-04-01", "quantity": 5, "unit_amount": 10000},
    )
    changed = ok(r)
    assert (changed["quantity"], changed["unit_amount"]) == (20, 49900)  # not yet in force
    api.today("2024-04-01")
    assert (get_sub(api, sub)["quantity"], get_sub(api, sub)["unit_amount"]) == (5, 10000)


def test_postpone_start_only_before_the_start(api: Api) -> None:
    early, started = licence(api, today="2024-02-20", n=2)
    done = offer(api, early, postpone_start_to="2024-04-01", offered_by="Sara Sales")
    assert (done["start_date"], done["status"]) == ("2024-04-01", "pending")
    assert [e["type"] for e in events(api, early)][-2:] == [
        "retention_offer_made",
        "start_postponed",
    ]
    refused(
        api, offers(early), {"postpone_start_to": "2024-03-15"}, 422, "not_a_postponement", early
    )
    api.today("2024-03-01")
    body = {"postpone_start_to": "2024-05-01"}
    refused(api, offers(started), body, 409, "already_started", started)
    # The postponed one starts later: the first bill run bills from its new start.
    api.today("2024-04-01")
    bill(api, "2024-04-01")
    assert [e[:4] for e in entries(api, early)] == [
        ("main", "charge", "2024-04-01", "2024-05-01"),
        ("setup", "one_off", "2024-04-01", "2024-04-02"),
    ]


def test_included_addon_attached_at_zero(api: Api) -> None:
    sub = licence(api)
    refused(api, offers(sub), {"attach_addon": "sso"}, 422, "addon_not_included", sub)
    refused(api, offers(sub), {"attach_addon": "fax"}, 422, "addon_not_included", sub)
    done = offer(api, sub, attach_addon="app")
    assert done["version"] == 2
    attached = events(api, sub)[-1]
    assert attached["type"] == "addon_attached"
    assert (attached["data"]["code"], attached["data"]["unit_amount"]) == ("app", 0)
    assert attached["effective_date"] == "2024-03-20"
    brief = quote(api, sub)
    assert [(a["code"], a["unit_amount"]) for a in brief["active_addons"]] == [("app", 0)]
    bill(api, "2024-03-20")
    assert sum(e[4] for e in entries(api, sub) if e[0] == "addon:app") == 0
    assert sum(e[4] for e in entries(api, sub)) == 998000 + 150000


def test_waiving_an_invoiced_start_up_fee_issues_a_credit_note(api: Api) -> None:
    sub, fresh = licence(api, today="2024-03-01", n=2)
    [invoice_id, _] = bill(api, "2024-03-01")["invoices"]
    invoice = ok(api.get(f"/v1/invoices/{invoice_id}"))
    assert [(line["item"], line["amount"]) for line in invoice["lines"]] == [
        ("main", 998000),
        ("setup", 150000),
    ]
    done = offer(api, sub, waive_setup_fee=True, reason="stays another year")
    [note] = done["documents"]
    assert (note["type"], note["invoice_id"], note["total"]) == ("credit_note", invoice_id, 150000)
    assert [(line["item"], line["amount"]) for line in note["lines"]] == [("setup", 150000)]
    assert ok(api.get(f"/v1/invoices/{invoice_id}"))["amount_due"] == 998000
    # Waived once: there is no start-up fee left to waive.
    refused(api, offers(sub), {"waive_setup_fee": True}, 422, "no_setup_fee", sub)
    assert quote(api, sub)["retention_offers"]["waive_setup_fee"] is False

    # Waived before the first invoice: the fee is simply never billed.
    api.today("2024-02-01")
    early = api.subscription(
        {"id": sub["customer_id"]}, {"id": sub["plan_id"]}, start_date="2024-03-01"
    )
    offer(api, early, waive_setup_fee=True)
    api.today("2024-03-01")
    bill(api, "2024-03-01")
    assert [e[0] for e in entries(api, early)] == ["main"]
    assert [e[0] for e in entries(api, fresh)] == ["main", "setup"]


def test_offer_withdraws_the_pending_cancellation(api: Api) -> None:
    sub = licence(api, today="2025-03-10")
    cancelled = cancel(api, sub, mode="on_date", date="2025-06-01", approved_by="Maja Manager")
    assert cancelled["status"] == "in_termination"
    assert len(tasks(api, subscription_id=sub["id"], status="open")) == 4

    done = offer(api, sub, interval_months=12, reason="yearly invoice suits them")
    assert (done["end_date"], done["status"], done["version"]) == (None, "active", 3)
    assert done["interval_months"] == 12
    made, revoked, interval = events(api, sub)[-3:]
    assert made["type"] == "retention_offer_made"
    assert made["recorded_by"].startswith("staff:")
    assert made["data"]["offered_by"] == made["recorded_by"]
    assert made["data"]["interval_months"] == 12
    assert made["reason"] == "yearly invoice suits them"
    assert (revoked["type"], revoked["data"]["by_retention_offer"]) == (
        "cancellation_revoked",
        True,
    )
    assert interval["type"] == "interval_changed"
    assert events(api, sub)[1]["revoked_by"] == revoked["id"]
    assert tasks(api, subscription_id=sub["id"], status="open") == []
    assert len(tasks(api, subscription_id=sub["id"], status="cancelled")) == 4


def test_overdue_customer_gets_no_offer_until_paid(api: Api) -> None:
    sub = licence(api, today="2024-03-01")
    [invoice_id] = bill(api, "2024-03-01")["invoices"]
    invoice = ok(api.get(f"/v1/invoices/{invoice_id}"))
    assert (invoice["due_date"], invoice["amount_due"]) == ("2024-03-31", 1148000)

    # On the due date it is not yet overdue.
    api.today("2024-03-31")
    assert quote(api, sub)["overdue_balance"]["amount"] == 0
    assert quote(api, sub)["retention_offers"]["allowed"] is True
    ok(api.post(offers(sub), {"unit_amount": 45000}, params={"preview": "true"}))

    api.today("2024-04-01")
    brief = quote(api, sub)
    assert brief["overdue_balance"]["amount"] == 1148000
    assert brief["retention_offers"]["allowed"] is False
    assert brief["retention_offers"]["refused_because"] == "overdue_balance"
    for body in ({"unit_amount": 45000}, {"waive_setup_fee": True}, {"interval_months": 3}):
        refused(api, offers(sub), body, 409, "overdue_balance", sub)

    integration = role_key(api, "integration")
    ok(
        integration.post(
            f"/v1/invoices/{invoice_id}/payments", {"amount": 1148000, "paid_on": "2024-04-01"}
        ),
        201,
    )
    assert quote(api, sub)["retention_offers"]["allowed"] is True
    assert offer(api, sub, unit_amount=45000)["unit_amount"] == 45000


def test_offers_refused_on_an_ended_subscription(api: Api) -> None:
    sub = licence(api, today="2025-03-10")
    cancel(api, sub, mode="on_date", date="2025-04-01", approved_by="Maja Manager")
    api.today("2025-04-01")
    refused(api, offers(sub), {"unit_amount": 45000}, 409, "already_ended", sub)


def test_offer_preview_changes_nothing(api: Api) -> None:
    sub = licence(api, today="2024-03-01")
    bill(api, "2024-03-01")
    before = state(api, sub)
    r = api.post(offers(sub), {"waive_setup_fee": True}, params={"preview": "true"})
    preview = ok(r)
    assert preview["preview"] is True
    assert [d["total"] for d in preview["documents"]] == [150000]
    assert state(api, sub) == before


def offer(api: Api, sub: dict[str, Any], **body: Any) -> Any:
    return ok(api.post(offers(sub), body))


# -- the cancellation brief --------------------------------------------------------------------


def test_cancellation_brief_has_everything_staff_need(api: Api) -> None:
    sub = licence(api, today="2024-03-01")
    ok(
        api.post(
            sub_path(sub, "/addons"), {"code": "sso", "effective_date": "2024-03-01", "quantity": 2}
        )
    )
    [invoice_id] = bill(api, "2024-03-01")["invoices"]
    # 20 × 499 + 2 × 50 + 1 500 kr start-up fee.
    assert ok(api.get(f"/v1/invoices/{invoice_id}"))["total"] == 998000 + 10000 + 150000
    api.today("2024-04-10")
    brief = quote(api, sub)
    assert brief["status"] == "active"
    assert brief["licences"] == 20
    assert brief["unit_amount"] == {"amount": 49900, "currency": "SEK", "formatted": "499,00\xa0kr"}
    assert brief["interval_months"] == 1
    assert brief["current_period"] == {"start": "2024-04-01", "end": "2024-05-01"}
    assert brief["contract"] == {
        "start": "2024-03-01",
        "current_term_end": "2027-03-01",
        "months_left": 34,
        "days_left": (date(2027, 3, 1) - date(2024, 4, 10)).days,
        "notice_months": 6,
        "notice_deadline": "2026-09-01",
        "notice_in_time": True,
        "minimum_term_end": "2025-03-01",
        "earliest_with_approval": "2025-03-01",
    }
    assert brief["earliest_allowed_end"] == "2027-03-01"
    # Ending then: nothing to credit now; April 2024 to February 2027 (35 months) still to
    # bill at 9 980 + 100 kr a month.
    assert brief["ending_then"]["end_date"] == "2027-03-01"
    assert brief["ending_then"]["credit_now"]["amount"] == 0
    assert brief["ending_then"]["still_to_bill"]["amount"] == 35 * (998000 + 10000)
    assert brief["unpaid_balance"]["amount"] == 1158000
    assert brief["overdue_balance"]["amount"] == 1158000
    assert brief["overdue_balance"]["formatted"] == "11\xa0580,00\xa0kr"
    assert brief["active_addons"] == [
        {"code": "sso", "unit_amount": 5000, "quantity": 2, "since": "2024-03-01"}
    ]
    assert brief["retention_offers"] == {
        "allowed": False,
        "refused_because": "overdue_balance",
        "change_interval": True,
        "postpone_start": False,
        "included_addons": ["app"],
        "waive_setup_fee": True,
        "lowest_unit_amount": 42900,
        "max_licence_reduction": 2,
    }
    # Asking as of a later day: the late-notice answer.
    later = quote(api, sub, "2026-09-02")
    assert later["requested_on"] == "2026-09-02"
    assert later["contract"]["notice_in_time"] is False
    assert later["earliest_allowed_end"] == "2028-03-01"
    # The brief is a read: nothing changed.
    assert get_sub(api, sub)["version"] == 2


def test_cancellation_brief_money_of_ending_inside_a_billed_period(api: Api) -> None:
    # No contract: the earliest end is today. 249.95 kr for [04-02, 05-02), asking on 04-05:
    # served 3 days, R(24995 × 3 / 30) = 2500, so 22495 comes back as a credit note.
    api.today("2025-04-02")
    customer = api.customer()
    sub = api.subscription(customer, api.plan(unit_amount=24995), start_date="2025-04-02")
    bill(api, "2025-04-02")
    api.today("2025-04-05")
    before = state(api, sub)
    brief = quote(api, sub)
    assert brief["contract"] is None
    assert brief["earliest_allowed_end"] == "2025-04-05"
    assert brief["ending_then"]["credit_now"] == {
        "amount": 22495,
        "currency": "SEK",
        "formatted": "224,95\xa0kr",
    }
    assert brief["ending_then"]["still_to_bill"]["amount"] == 0
    assert brief["unpaid_balance"]["amount"] == 24995
    assert brief["overdue_balance"]["amount"] == 0
    assert brief["retention_offers"]["lowest_unit_amount"] is None
    assert state(api, sub) == before
    done = cancel(api, sub, mode="earliest_allowed")
    assert [d["total"] for d in done["documents"]] == [22495]
