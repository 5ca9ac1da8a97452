"""Retention offers and add-ons in the console: previewed, then confirmed from the preview;
the offer withdraws the pending cancellation and keeps to the brief's limits."""

from __future__ import annotations

from tests.api.helpers import cancel, setup
from tests.conftest import Api
from tests.console.helpers import confirm_form, ok, sign_in
from tests.console.test_operations import form_of, last_event, page

ADDONS = [
    {"code": "sso", "name": "Single sign-on", "unit_amount": 5000},
    {"code": "app", "name": "Mobile app", "unit_amount": 0, "included": True},
]


def test_a_retention_offer_withdraws_the_cancellation(api: Api) -> None:
    sub = setup(api, today="2025-04-02", unit_amount=24995, addons=ADDONS, sub={"quantity": 3})
    cancel(api, sub, mode="on_date", date="2025-06-02")
    sign_in(api.client)
    path = f"/console/subscriptions/{sub['id']}"
    html = page(api, sub)
    assert 'id="offer-form"' in html and 'id="offer-addon"' in html
    fields = {"unit_price": "199,00", "attach_addon": "app", "reason": "Stannar med rabatt"}
    r = api.client.post(f"{path}/offer", data=form_of(html, "offer-form", **fields))
    assert r.status_code == 200 and 'id="preview"' in r.text, r.text
    assert ok(api.get(f"/v1/subscriptions/{sub['id']}"))["end_date"] == "2025-06-02"
    r = api.client.post(f"{path}/offer", data=confirm_form(r.text), follow_redirects=True)
    assert "Offer recorded" in r.text
    assert ok(api.get(f"/v1/subscriptions/{sub['id']}"))["end_date"] is None
    types = [e["type"] for e in ok(api.get(f"/v1/subscriptions/{sub['id']}/timeline"))["events"]]
    assert "retention_offer_made" in types and "cancellation_revoked" in types


def test_an_offer_beyond_the_limits_is_refused_in_words(api: Api) -> None:
    sub = setup(api, today="2025-04-02", unit_amount=24995, sub={"quantity": 3})
    sign_in(api.client)
    html = page(api, sub)
    r = api.client.post(
        f"/console/subscriptions/{sub['id']}/offer",
        data=form_of(html, "offer-form", quantity="1"),  # more than the reduction allowed
    )
    assert r.status_code in (409, 422) and 'id="error"' in r.text
    assert "That removes more licences than the contract allows." in r.text
    assert last_event(api, sub)["type"] == "started"


def test_attach_an_add_on(api: Api) -> None:
    sub = setup(api, today="2025-04-02", unit_amount=24995, addons=ADDONS)
    sign_in(api.client)
    path = f"/console/subscriptions/{sub['id']}"
    html = page(api, sub)
    fields = {"code": "sso", "effective_date": "2025-04-02", "quantity": "2"}
    r = api.client.post(f"{path}/addon", data=form_of(html, "addon-form", **fields))
    assert r.status_code == 200 and 'id="preview"' in r.text, r.text
    r = api.client.post(f"{path}/addon", data=confirm_form(r.text), follow_redirects=True)
    assert "Add-on added." in r.text
    event = last_event(api, sub)
    assert event["type"] == "addon_attached" and event["data"]["quantity"] == 2
