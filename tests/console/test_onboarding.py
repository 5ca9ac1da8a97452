"""A subscription's onboarding in the console: the flow in words, the start meeting booked
and the segment recorded — each previewed first (the stage and next step it would leave),
Confirm only from the preview, the API's service calls, in the activity log as the person."""

from __future__ import annotations

from tests.api.test_people import PASSWORD, add_person
from tests.conftest import Api
from tests.console.helpers import confirm_form, csrf_of, ok
from tests.console.test_people_sign_in import person_sign_in
from tests.lifecycle.helpers import run_scheduler
from tests.onboarding.helpers import flow, setup

SWEDISH = {"Accept-Language": "sv"}


def test_meeting_booked_then_segment_recorded_after_their_previews(api: Api) -> None:
    sub = setup(api, start_date="2025-02-03")
    api.today("2025-02-04")
    run_scheduler(api)  # the welcome: onboarding, call tasks on their way
    assert flow(api, sub)["stage"] == "onboarding"
    anna = add_person(api, "Anna Berg", "anna@example.se")
    assert person_sign_in(api, "anna@example.se", PASSWORD).status_code == 303
    html = api.client.get(f"/console/subscriptions/{sub['id']}").text
    assert f'href="/console/subscriptions/{sub["id"]}/onboarding"' in html
    path = f"/console/subscriptions/{sub['id']}/onboarding"
    r = api.client.get(path, headers=SWEDISH)
    assert r.status_code == 200 and 'id="stage"><strong>introduktion' in r.text
    assert 'id="next-step">samtalsuppgift den ' in r.text  # the first call, by Babel's date

    fields = {"csrf": csrf_of(r.text), "action": "preview", "date": "2025-02-10"}
    r = api.client.post(f"{path}/meeting", data=fields, headers=SWEDISH)
    assert r.status_code == 200 and 'id="preview"' in r.text, r.text
    assert 'id="preview-stage"><strong>stängd (möte bokat)' in r.text
    assert flow(api, sub)["stage"] == "onboarding"  # nothing saved
    assert (
        api.client.post(f"{path}/meeting", data={**fields, "action": "confirm"}).status_code == 409
    )
    r = api.client.post(f"{path}/meeting", data=confirm_form(r.text), follow_redirects=True)
    assert "The onboarding is updated." in r.text
    assert (flow(api, sub)["stage"], flow(api, sub)["meeting_on"]) == ("closed", "2025-02-10")

    # The segment only after the meeting: refused in words before it, then recorded.
    segment = {"csrf": csrf_of(r.text), "action": "preview", "segment": "B", "advisor": "Eva Ek"}
    r = api.client.post(f"{path}/segment", data=segment)
    assert r.status_code == 409 and "The start meeting has not been held yet" in r.text
    api.today("2025-02-10")
    r = api.client.post(f"{path}/segment", data=segment)
    assert r.status_code == 200 and 'id="preview"' in r.text and "B · Eva Ek" in r.text, r.text
    r = api.client.post(f"{path}/segment", data=confirm_form(r.text), follow_redirects=True)
    assert 'id="segment">B · Eva Ek' in r.text
    assert (flow(api, sub)["segment"], flow(api, sub)["advisor"]) == ("B", "Eva Ek")

    log = ok(api.get("/v1/audit-log", params={"customer_id": sub["customer_id"]}))["data"]
    seen = [(e["operation"], e["subject_id"], e["person_id"]) for e in log[-2:]]
    template = "POST /console/subscriptions/{subscription_id}/onboarding"
    assert seen == [
        (f"{template}/meeting", sub["id"], anna["id"]),
        (f"{template}/segment", sub["id"], anna["id"]),
    ]
