"""One-off charges on a subscription: recorded on its timeline, invoiced on delivery through the
one recording path, refused outside the service or in the future, with nothing changed."""

from __future__ import annotations

from tests.conftest import Api
from tests.lifecycle.helpers import cancel, entries, events, ok, refused, sub_path


def test_a_one_off_delivered_is_invoiced_at_once(api: Api) -> None:
    api.today("2025-04-10")
    plan = api.plan(code="monthly", unit_amount=24995)
    sub = api.subscription(api.customer(), plan, start_date="2025-04-02")
    body = {"delivered_on": "2025-04-09", "description": "Hälsokontroll", "unit_amount": 95000}
    preview = ok(api.post(sub_path(sub, "/one-offs?preview=true"), {**body, "quantity": 2}))
    done = ok(api.post(sub_path(sub, "/one-offs"), {**body, "quantity": 2}))
    assert [(e["kind"], e["amount"]) for e in preview["entries"]] == [("one_off", 190000)]
    (invoice,) = done["documents"]
    assert (invoice["type"], invoice["total"]) == ("invoice", 190000)
    assert entries(api, sub)[-1][1:] == ("one_off", "2025-04-09", "2025-04-10", 190000)
    last = events(api, sub)[-1]
    assert (last["type"], last["effective_date"], last["data"]["description"]) == (
        "one_off_delivered",
        "2025-04-09",
        "Hälsokontroll",
    )
    # Billed once: a bill run does not bill it again.
    run = ok(api.post("/v1/bill-runs", {"as_of": "2025-04-10"}), 201)
    assert [e[1] for e in entries(api, sub)].count("one_off") == 1
    assert invoice["id"] not in run["invoices"]


def test_one_offs_outside_the_service_or_in_the_future_are_refused(api: Api) -> None:
    api.today("2025-04-10")
    plan = api.plan(code="monthly", unit_amount=24995)
    sub = api.subscription(api.customer(), plan, start_date="2025-04-02")
    line = {"description": "Hälsokontroll", "unit_amount": 95000}
    path = sub_path(sub, "/one-offs")
    refused(api, path, {**line, "delivered_on": "2025-04-01"}, 422, "before_start", sub)
    refused(api, path, {**line, "delivered_on": "2025-04-11"}, 422, "delivery_in_future", sub)
    cancel(api, sub, mode="on_date", date="2025-04-08")
    # Ended: nothing is delivered onto it any more.
    refused(api, path, {**line, "delivered_on": "2025-04-09"}, 409, "already_ended", sub)
    refused(
        api,
        path,
        {**line, "delivered_on": "2025-04-05", "unit_amount": 1.5},
        422,
        "validation_error",
        sub,
    )
