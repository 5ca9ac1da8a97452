"""The activity log in the console: who did what on the customer's page and on pages of its
own (one customer's, the whole system's), in the staff member's language with Babel's dates,
read from the same log as ``GET /v1/audit-log`` and paged by the same cursor."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from babel.dates import format_datetime

from billing.console import activity
from tests.api.test_people import PASSWORD, add_person, signed_in
from tests.conftest import Api
from tests.console.helpers import confirm_form, invoiced_subscription, ok
from tests.console.test_operations import form_of, page
from tests.console.test_people_sign_in import person_sign_in

SWEDISH = {"Accept-Language": "sv-SE,sv;q=0.9"}


def rows(html: str) -> list[str]:
    """The log's rows as text (tags dropped, spaces squeezed), in page order."""
    body = html.split('id="activity"')[1].split("</table>")[0]
    found = re.findall(r'<tr class="entry" id="entry-(\d+)"[^>]*>(.*?)</tr>', body, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cells).split()) for _, cells in found]


def seqs(html: str) -> list[int]:
    return [int(s) for s in re.findall(r'<tr class="entry" id="entry-(\d+)"', html)]


def audit(api: Api, **params: Any) -> list[dict[str, Any]]:
    return ok(api.get("/v1/audit-log", params={"limit": 1000, **params}))["data"]  # type: ignore[no-any-return]


def test_who_did_what_on_the_customer_page_in_swedish(api: Api) -> None:
    sub = invoiced_subscription(api, name="Fjällbacka Bygg AB")
    customer = sub["customer_id"]
    bo = add_person(api, "Bo Lind", "bo@example.se")
    bo_api, _ = signed_in(api, "bo@example.se")
    ok(
        bo_api.post(
            f"/v1/subscriptions/{sub['id']}/cancel", {"mode": "on_date", "date": "2025-07-01"}
        )
    )
    ok(bo_api.delete(f"/v1/subscriptions/{sub['id']}/cancel"))
    ok(bo_api.post(f"/v1/subscriptions/{sub['id']}/pause", {"start_date": "2025-05-10"}))
    add_person(api, "Anna Berg", "anna@example.se")
    assert person_sign_in(api, "anna@example.se", PASSWORD).status_code == 303
    html = page(api, sub)
    path = f"/console/subscriptions/{sub['id']}/resume"
    r = api.client.post(path, data=form_of(html, "resume-form", first_day="2025-05-20"))
    api.client.post(path, data=confirm_form(r.text), follow_redirects=True)

    r = api.client.get(f"/console/customers/{customer}", headers=SWEDISH)
    assert r.status_code == 200 and "Vem gjorde vad" in r.text
    card = r.text.split('id="customer-activity"')[1]
    latest = rows(card)
    assert len(latest) == activity.LATEST  # the latest few; the rest on the log's own page
    assert latest[0].startswith(format_datetime_of(audit(api, customer_id=customer)[-1]))
    assert "Anna Berg Återupptog abonnemanget · konsolen" in latest[0]
    assert "Bo Lind Pausade abonnemanget · API" in latest[1]
    assert f'href="/console/subscriptions/{sub["id"]}"' in card
    assert bo["id"] not in latest[1]  # people by name, not by id

    r = api.client.get(f"/console/customers/{customer}/activity", headers=SWEDISH)
    assert r.status_code == 200 and "Aktivitetslogg: Fjällbacka Bygg AB" in r.text
    everything = audit(api, customer_id=customer)
    assert seqs(r.text) == [e["seq"] for e in reversed(everything)]  # newest first, all of them
    whole = rows(r.text)
    assert whole[-1].endswith("Lade till kunden · API " + customer)
    assert "key_bootstrap_admin (API-nyckel)" in whole[-1]  # a service key, named as one
    assert "Bo Lind Ångrade en uppsägning · API" in whole[2]

    # In Norwegian, Danish and English too.
    for language, words in (("nb", "Gjenopptok abonnementet"), ("da", "Genoptog abonnementet")):
        r = api.client.get(f"/console/customers/{customer}", headers={"Accept-Language": language})
        assert words in r.text, language
    assert (
        "Resumed the subscription · console"
        in rows(api.client.get(f"/console/customers/{customer}").text)[0]
    )
    assert api.client.get("/console/customers/cus_nope/activity").status_code == 404


def format_datetime_of(entry: dict[str, Any]) -> str:
    """An entry's time as the console shows it to Swedish staff (Babel, short, UTC)."""
    when = datetime.fromisoformat(entry["created_at"].replace("Z", "+00:00"))
    return str(format_datetime(when.replace(tzinfo=None), "short", locale="sv_SE"))


def test_the_whole_log_pages_by_the_apis_cursor(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(activity, "PAGE", 3)
    for n in range(4):
        api.customer(name=f"Kund {n} AB")
    add_person(api, "Anna Berg", "anna@example.se")
    assert person_sign_in(api, "anna@example.se", PASSWORD).status_code == 303
    log = audit(api)
    assert len(log) > 6
    html = api.client.get("/console/customers").text
    assert 'id="nav-activity"' in html

    # The latest three first, newest at the top; each with its customer, linked.
    r = api.client.get("/console/activity")
    assert r.status_code == 200
    assert seqs(r.text) == [e["seq"] for e in reversed(log[-3:])]
    assert "Anna Berg Signed in · console" in rows(r.text)[0]
    kund = log[-3]["customer_id"]
    assert f'href="/console/customers/{kund}">Kund 3 AB</a>' in r.text
    assert 'id="later-page"' not in r.text

    # Earlier pages, back to the first entry, by ``before``.
    seen = seqs(r.text)
    while 'id="earlier-page"' in r.text:
        before = re.search(r'href="/console/activity\?before=(\d+)" id="earlier-page"', r.text)
        assert before, r.text
        r = api.client.get("/console/activity", params={"before": before.group(1)})
        seen += seqs(r.text)
    assert seen == [e["seq"] for e in reversed(log)]

    # Later pages by ``after``: exactly the API's pages for the same cursor.
    cursor = log[0]["seq"]
    r = api.client.get("/console/activity", params={"after": str(cursor)})
    api_page = ok(api.get("/v1/audit-log", params={"after": str(cursor), "limit": 3}))
    assert seqs(r.text) == [e["seq"] for e in reversed(api_page["data"])]
    later = re.search(r'href="/console/activity\?after=(\d+)" id="later-page"', r.text)
    assert later and later.group(1) == api_page["next_cursor"]
    # A cursor that is no number reads as none: the latest page.
    r = api.client.get("/console/activity", params={"after": "x1"})
    assert seqs(r.text) == [e["seq"] for e in reversed(log[-3:])]
