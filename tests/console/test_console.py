"""The staff console through FastAPI's client: sign-in (cookie session, CSRF), finding a
customer, a subscription's page (timeline picture, brief, ledger, documents), and scheduling,
previewing, confirming and undoing a cancellation through the services."""

from __future__ import annotations

import re
from typing import Any

from tests.api.helpers import CONTRACT, api_key, setup
from tests.conftest import Api
from tests.console.helpers import (
    cancel,
    confirm_form,
    csrf_of,
    invoiced_subscription,
    ok,
    sign_in,
    version_of,
)

NBSP = "\xa0"


def ledger_size(api: Api, sub: dict[str, Any]) -> int:
    return len(ok(api.get(f"/v1/subscriptions/{sub['id']}/ledger"))["data"])


def page_of(api: Api, sub: dict[str, Any]) -> str:
    r = api.client.get(f"/console/subscriptions/{sub['id']}")
    assert r.status_code == 200, r.text
    return r.text  # type: ignore[no-any-return]


def cancel_form(html: str, action: str, **fields: str) -> dict[str, str]:
    data = {"csrf": csrf_of(html), "version": version_of(html), "action": action}
    data.update(fields)
    return data


def test_pages_need_a_staff_sign_in(api: Api) -> None:
    client = api.client
    for path in ("/console/customers", "/console/subscriptions/sub_x", "/console/customers/c"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/console/login"
    assert client.get("/console", follow_redirects=True).url.path == "/console/login"

    r = sign_in(client, "not-a-token")
    assert r.status_code == 401 and "That token is not known" in r.text
    integration = api_key(api, "integration")
    r = sign_in(client, integration.token)
    assert r.status_code == 403 and "The console is for staff only" in r.text
    # The sign-in form itself is protected against cross-site posts.
    r = client.post("/console/login", data={"token": api.token, "csrf": "forged"})
    assert r.status_code == 403

    r = sign_in(client)
    assert r.status_code == 303 and r.headers["location"] == "/console/customers"
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("billing_console="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert api.token not in cookie  # the session cookie never holds the token
    assert client.get("/console/customers").status_code == 200

    # A tampered cookie is no session.
    value = client.cookies.get("billing_console")
    client.cookies.set("billing_console", value[:-1] + ("0" if value[-1] != "0" else "1"))
    assert client.get("/console/customers", follow_redirects=False).status_code == 303


def test_sign_out(api: Api) -> None:
    sign_in(api.client)
    page = api.client.get("/console/customers").text
    assert api.client.post("/console/logout", data={"csrf": "wrong"}).status_code == 403
    r = api.client.post("/console/logout", data={"csrf": csrf_of(page)}, follow_redirects=False)
    assert r.status_code == 303
    assert api.client.get("/console/customers", follow_redirects=False).status_code == 303


def test_find_a_customer_by_name(api: Api) -> None:
    sub = invoiced_subscription(api)
    api.customer(name="Bergen Alarm AS", currency="NOK", locale="nb_NO")
    sign_in(api.client)
    for query in ("ängs", "ÄNGSBACKA", "Fönster", sub["customer_id"]):
        html = api.client.get("/console/customers", params={"q": query}).text
        assert "Ängsbacka Fönster AB" in html, query
        assert "Bergen Alarm AS" not in html, query
    html = api.client.get("/console/customers", params={"q": "100%_"}).text
    assert 'id="no-customers"' in html
    customer = api.client.get(f"/console/customers/{sub['customer_id']}").text
    assert f'href="/console/subscriptions/{sub["id"]}"' in customer
    assert "249,95" in customer
    assert api.client.get("/console/customers/cus_missing").status_code == 404


def test_subscription_page_shows_the_timeline_picture(api: Api) -> None:
    sub = invoiced_subscription(api)
    ok(
        api.post(
            f"/v1/subscriptions/{sub['id']}/changes",
            {"effective_date": "2025-05-02", "quantity": 3},
        )
    )
    ok(
        api.post(
            f"/v1/subscriptions/{sub['id']}/pause",
            {"start_date": "2025-06-10", "resume_date": "2025-06-20"},
        )
    )
    api.today("2025-06-02")
    sign_in(api.client)
    html = page_of(api, sub)
    svg = html[html.index('<svg id="timeline"') : html.index("</svg>")]
    periods = re.findall(r'<g class="period (\w+)" data-start="([\d-]+)"', svg)
    assert periods[:3] == [
        ("billed", "2025-04-02"),
        ("unbilled", "2025-05-02"),
        ("unbilled", "2025-06-02"),
    ]
    assert 'class="pause"' in svg and 'data-start="2025-06-10"' in svg
    assert '<g class="marker change" data-date="2025-05-02">' in svg and "3 lic." in svg
    assert 'class="marker today" data-date="2025-06-02"' in svg
    assert "end-marker" not in svg
    assert f"249,95{NBSP}kr" in svg  # what the first period billed
    # The rest of the page: the brief (the April invoice is overdue: no offers), the ledger,
    # the documents with links the console serves itself.
    assert 'id="brief"' in html and 'id="no-offers"' in html and "overdue balance" in html
    [invoice] = ok(api.get("/v1/invoices"))["data"]
    assert f"/console/documents/invoice/{invoice['id']}.pdf" in html
    r = api.client.get(f"/console/documents/invoice/{invoice['id']}.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    r = api.client.get(f"/console/documents/invoice/{invoice['id']}.html")
    assert r.status_code == 200 and "Förfallodatum" in r.text
    assert api.client.get("/console/subscriptions/sub_missing").status_code == 404


def test_preview_confirm_move_and_undo_a_cancellation(api: Api) -> None:
    sub = invoiced_subscription(api)
    sign_in(api.client)
    path = f"/console/subscriptions/{sub['id']}"
    html = page_of(api, sub)
    before = ledger_size(api, sub)

    # The form asks for the last day served and offers no Confirm before a preview.
    assert "Last day served" in html and "first day not served" not in html
    assert 'value="confirm"' not in html
    # Preview: the money it would post, and nothing saved. Served to and including 4 April:
    # the subscription's end date (the first day not served) is 5 April.
    fields = {"mode": "on_date", "date": "2025-04-04", "reason": "Flyttar till Oslo"}
    r = api.client.post(f"{path}/cancel", data=cancel_form(html, "preview", **fields))
    assert r.status_code == 200, r.text
    assert 'id="preview"' in r.text and "nothing is saved yet" in r.text
    assert "crediting INV-000001" in r.text and f"-224,95{NBSP}kr" in r.text
    assert 'id="preview-end">4 apr. 2025' in r.text
    assert ledger_size(api, sub) == before
    assert ok(api.get(f"/v1/subscriptions/{sub['id']}"))["end_date"] is None
    assert "end-marker" not in r.text[r.text.index("<svg") :]

    # Confirm from the preview: the credit note is posted, the end marker drawn.
    r = api.client.post(f"{path}/cancel", data=confirm_form(r.text), follow_redirects=True)
    assert r.status_code == 200 and 'id="notice"' in r.text
    assert "the last day served is 4 apr. 2025" in r.text
    assert '<g class="marker end end-marker" data-date="2025-04-05">' in r.text
    assert ok(api.get(f"/v1/subscriptions/{sub['id']}"))["end_date"] == "2025-04-05"
    [note] = ok(api.get("/v1/credit-notes"))["data"]
    assert note["total"] == 22495
    assert (
        "Flyttar till Oslo"
        in ok(api.get(f"/v1/subscriptions/{sub['id']}/timeline"))["events"][-1]["reason"]
    )

    # Move it later: the old end is drawn as moved, the credit partly billed back.
    r = api.client.post(
        f"{path}/cancel", data=cancel_form(r.text, "preview", mode="on_date", date="2025-04-19")
    )
    r = api.client.post(f"{path}/cancel", data=confirm_form(r.text), follow_redirects=True)
    assert '<g class="marker end end-marker" data-date="2025-04-20">' in r.text
    assert '<g class="marker revoked-end" data-date="2025-04-05">' in r.text

    # Undo: preview first (nothing changes), then confirm.
    r2 = api.client.post(f"{path}/undo", data=cancel_form(r.text, "preview"))
    assert r2.status_code == 200 and "would be undone" in r2.text
    assert ok(api.get(f"/v1/subscriptions/{sub['id']}"))["end_date"] == "2025-04-20"
    r3 = api.client.post(f"{path}/undo", data=confirm_form(r2.text), follow_redirects=True)
    assert r3.status_code == 200 and "Cancellation undone" in r3.text
    assert "end-marker" not in r3.text[r3.text.index("<svg") :]
    assert ok(api.get(f"/v1/subscriptions/{sub['id']}"))["end_date"] is None
    assert 'id="undo-form"' not in r3.text


def test_refusals_change_nothing(api: Api) -> None:
    sub = invoiced_subscription(api)
    sign_in(api.client)
    path = f"/console/subscriptions/{sub['id']}"
    html = page_of(api, sub)
    before = ledger_size(api, sub)
    fields = {"mode": "on_date", "date": "2025-04-05"}

    # A forged or missing CSRF token.
    bad = {**cancel_form(html, "preview", **fields), "csrf": "forged"}
    assert api.client.post(f"{path}/cancel", data=bad).status_code == 403
    # Confirm without a preview, or with other inputs than those previewed: refused.
    r = api.client.post(f"{path}/cancel", data=cancel_form(html, "confirm", **fields))
    assert r.status_code == 409 and "Preview the change first" in r.text
    previewed = api.client.post(f"{path}/cancel", data=cancel_form(html, "preview", **fields))
    altered = {**confirm_form(previewed.text), "date": "2025-04-10"}
    r = api.client.post(f"{path}/cancel", data=altered)
    assert r.status_code == 409 and "Preview the change first" in r.text
    assert ledger_size(api, sub) == before
    # A stale page (someone changed the subscription since the preview): a plain sentence.
    cancel(api, sub, mode="on_date", date="2025-04-20")
    r = api.client.post(f"{path}/cancel", data=confirm_form(previewed.text))
    assert r.status_code == 412 and 'id="error"' in r.text
    assert "Someone changed this subscription" in r.text and "is at version" not in r.text
    # Bad input: on_date without a date, in plain words (no validator text).
    html = page_of(api, sub)
    r = api.client.post(f"{path}/cancel", data=cancel_form(html, "preview", mode="on_date"))
    assert r.status_code == 422 and "Give the last day served." in r.text
    assert "Value error" not in r.text
    assert ok(api.get(f"/v1/subscriptions/{sub['id']}"))["end_date"] == "2025-04-20"
    assert ledger_size(api, sub) == before + 1  # only the API's own cancellation posted


def test_contract_rules_apply_in_the_console(api: Api) -> None:
    sub = setup(api, today="2025-04-02", contract=CONTRACT, unit_amount=49900)
    sign_in(api.client)
    html = page_of(api, sub)
    assert "Earliest possible last day" in html and "Notice" in html
    r = api.client.post(
        f"/console/subscriptions/{sub['id']}/cancel",
        data=cancel_form(html, "preview", mode="on_date", date="2025-06-01"),
    )
    assert r.status_code in (409, 422) and 'id="error"' in r.text
    assert ok(api.get(f"/v1/subscriptions/{sub['id']}"))["end_date"] is None


def test_an_overdue_customer_wears_the_overdue_badge_and_shows_what_it_owes(api: Api) -> None:
    """The April invoice (249,95 kr, due 05-02) part paid with 49,95 kr: the customer owes
    200,00 kr, all of it overdue from 05-03; the ledger's sum (everything billed) is not
    shown as a balance any more."""
    sub = invoiced_subscription(api)
    [invoice] = ok(api.get("/v1/invoices"))["data"]
    paid = {"amount": 4995, "paid_on": "2025-04-20"}
    ok(api.post(f"/v1/invoices/{invoice['id']}/payments", paid), 201)
    sign_in(api.client)
    customer_path = f"/console/customers/{sub['customer_id']}"

    api.today("2025-05-02")
    html = api.client.get(customer_path).text
    assert '<span class="badge active" id="customer-status">active</span>' in html
    assert f"<strong>200,00{NBSP}kr</strong>" in html and "nothing" in html

    api.today("2025-05-03")
    html = api.client.get(customer_path).text
    assert '<span class="badge overdue" id="customer-status">overdue</span>' in html
    assert "badge active" not in html.split('id="subscriptions"')[0]
    assert f"200,00{NBSP}kr on 1 invoice" in html
    found = api.client.get("/console/customers", params={"q": "Ängsbacka"}).text
    assert '<span class="badge overdue">overdue</span>' in found
    assert f"(overdue 200,00{NBSP}kr)" in found
    page = page_of(api, sub)
    assert 'id="customer-status">overdue</span>' in page
    assert f"the customer owes 200,00{NBSP}kr" in page and "balance 249,95" not in page
    assert "<td>overdue</td>" in page  # the invoice's status in the documents table

    ok(
        api.post(
            f"/v1/invoices/{invoice['id']}/payments", {"amount": 20000, "paid_on": "2025-05-03"}
        ),
        201,
    )
    html = api.client.get(customer_path).text
    assert 'id="customer-status">active</span>' in html
    assert f"<strong>0,00{NBSP}kr</strong>" in html
