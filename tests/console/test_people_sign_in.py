"""A person signs in to the console with login and password, and what they confirm there is
theirs (the credit note, the feed event, the timeline's author)."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import ok
from tests.api.test_people import PASSWORD, add_person
from tests.conftest import Api
from tests.console.helpers import confirm_form, csrf_of, invoiced_subscription
from tests.console.test_console import cancel_form, page_of


def person_sign_in(api: Api, login: str, password: str) -> Any:
    page = api.client.get("/console/login")
    assert 'name="login"' in page.text and 'name="password"' in page.text
    data = {"login": login, "password": password, "csrf": csrf_of(page.text)}
    return api.client.post("/console/login", data=data, follow_redirects=False)


def test_a_person_signs_in_and_their_confirmed_cancellation_is_theirs(api: Api) -> None:
    sub = invoiced_subscription(api)
    anna = add_person(api, "Anna Berg", "anna@example.se")
    wrong = person_sign_in(api, "anna@example.se", "not the password")
    assert wrong.status_code == 401
    assert "billing_console" not in api.client.cookies
    r = person_sign_in(api, "ANNA@example.se", PASSWORD)
    assert r.status_code == 303, r.text

    html = page_of(api, sub)
    # Served to and including 4 April; Confirm only from the preview of exactly that.
    fields = {"mode": "on_date", "date": "2025-04-04", "reason": "Flyttar"}
    path = f"/console/subscriptions/{sub['id']}/cancel"
    r = api.client.post(path, data=cancel_form(html, "preview", **fields))
    assert r.status_code == 200, r.text
    r = api.client.post(path, data=confirm_form(r.text), follow_redirects=True)
    assert r.status_code == 200 and 'id="notice"' in r.text, r.text

    [note] = ok(api.get("/v1/credit-notes"))["data"]
    assert note["issued_by"] == anna["id"]
    events = ok(api.get("/v1/events", params={"type": "credit_note.issued"}))["data"]
    assert [e["actor"] for e in events] == [anna["id"]]
    timeline = ok(api.get(f"/v1/subscriptions/{sub['id']}/timeline"))["events"]
    assert timeline[-1]["recorded_by"] == f"staff:{anna['id']}"
