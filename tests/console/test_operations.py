"""The console's daily operations through FastAPI's client: licence and price changes with the
proration choice, pause and resume, verifying another person's four-eyes cancellation and
recording a payment. Each shows its money in a preview first, offers Confirm only there, and
posts exactly what the API's own call would."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import api_key, cancel, setup
from tests.conftest import Api
from tests.console.helpers import confirm_form, csrf_of, invoiced_subscription, ok, sign_in

NBSP = "\xa0"


def page(api: Api, sub: dict[str, Any]) -> str:
    r = api.client.get(f"/console/subscriptions/{sub['id']}")
    assert r.status_code == 200, r.text
    return r.text  # type: ignore[no-any-return]


def form_of(html: str, form_id: str, **fields: str) -> dict[str, str]:
    """A form's CSRF token and version (as the page carries them), the preview action and
    the fields as a person fills them in."""
    start = html.index(f'id="{form_id}"')
    chunk = html[start : html.index("</form>", start)]
    data = {"csrf": csrf_of(html), "action": "preview", **fields}
    if 'name="version"' in chunk:
        data["version"] = chunk.split('name="version" value="')[1].split('"')[0]
    return data


def last_event(api: Api, sub: dict[str, Any]) -> dict[str, Any]:
    return ok(api.get(f"/v1/subscriptions/{sub['id']}/timeline"))["events"][-1]  # type: ignore[no-any-return]


def ledger_rows(api: Api, sub: dict[str, Any]) -> list[dict[str, Any]]:
    return ok(api.get(f"/v1/subscriptions/{sub['id']}/ledger"))["data"]  # type: ignore[no-any-return]


def test_licences_change_mid_period_after_its_preview(api: Api) -> None:
    """From 3 licences on 17 April, prorated by day and invoiced at once: 2 more licences
    for 15 of April's 30 days, 2 × 249,95 × 15/30 = 249,95 kr."""
    sub = invoiced_subscription(api)
    sign_in(api.client)
    path = f"/console/subscriptions/{sub['id']}"
    html = page(api, sub)
    assert 'id="change-form"' in html and 'value="confirm"' not in html
    before = ledger_rows(api, sub)
    fields = {
        "effective_date": "2025-04-17",
        "quantity": "3",
        "proration": "by_day",
        "collect": "now",
        "reason": "Två nya medarbetare",
    }
    r = api.client.post(f"{path}/change", data=form_of(html, "change-form", **fields))
    assert r.status_code == 200, r.text
    assert 'id="preview"' in r.text and 'id="preview-alternatives"' in r.text
    assert f"249,95{NBSP}kr" in r.text.split('id="preview"')[1].split("</section>")[0]
    assert "(chosen)" in r.text  # the choice made is marked among the alternatives
    assert ledger_rows(api, sub) == before  # the preview saved nothing

    r = api.client.post(f"{path}/change", data=confirm_form(r.text), follow_redirects=True)
    assert r.status_code == 200 and 'id="notice"' in r.text
    change = last_event(api, sub)
    assert change["type"] == "quantity_changed" and change["data"]["quantity"] == 3
    assert change["effective_date"] == "2025-04-17" and change["reason"] == "Två nya medarbetare"
    added = [e for e in ledger_rows(api, sub) if e not in before]
    assert sum(e["amount"] for e in added) == 24995


def test_price_typed_as_people_write_it(api: Api) -> None:
    sub = invoiced_subscription(api)
    sign_in(api.client)
    html = page(api, sub)
    fields = {"effective_date": "2025-05-02", "unit_price": "199,50 kr"}
    path = f"/console/subscriptions/{sub['id']}/change"
    r = api.client.post(path, data=form_of(html, "change-form", **fields))
    assert r.status_code == 200 and 'id="preview"' in r.text
    api.client.post(path, data=confirm_form(r.text), follow_redirects=True)
    assert last_event(api, sub)["data"]["unit_amount"] == 19950
    # Too many decimals, or no number: a plain sentence, nothing changed.
    html = page(api, sub)
    for typed in ("199,505", "lots"):
        fields = {"effective_date": "2025-06-02", "unit_price": typed}
        r = api.client.post(path, data=form_of(html, "change-form", **fields))
        assert r.status_code == 422 and "That amount could not be read" in r.text, typed
    assert last_event(api, sub)["type"] == "price_changed"  # no second change


def test_pause_by_its_days_then_resume(api: Api) -> None:
    """Paused 10–19 April (10 of April's 30 days) in a billed period: 10/30 of 249,95 kr
    comes back, 83,32 kr, on a credit note."""
    sub = invoiced_subscription(api)
    sign_in(api.client)
    path = f"/console/subscriptions/{sub['id']}"
    html = page(api, sub)
    fields = {"first_day": "2025-04-10", "last_day": "2025-04-19"}
    r = api.client.post(f"{path}/pause", data=form_of(html, "pause-form", **fields))
    assert r.status_code == 200 and 'id="preview"' in r.text
    assert "crediting INV-000001" in r.text
    r = api.client.post(f"{path}/pause", data=confirm_form(r.text), follow_redirects=True)
    assert 'id="notice"' in r.text and "paused to and including 19 apr. 2025" in r.text
    [pause] = [
        e
        for e in ok(api.get(f"/v1/subscriptions/{sub['id']}/timeline"))["events"]
        if e["type"] == "paused"
    ]
    assert pause["effective_date"] == "2025-04-10"
    assert pause["data"]["resume_date"] == "2025-04-20"
    [note] = ok(api.get("/v1/credit-notes"))["data"]
    assert note["total"] == 8332

    # Resume earlier, on 15 April: the days 15–19 are billed again.
    html = r.text
    assert 'id="resume-form"' in html
    r = api.client.post(f"{path}/resume", data=form_of(html, "resume-form", first_day="2025-04-15"))
    assert r.status_code == 200 and 'id="preview"' in r.text, r.text
    r = api.client.post(f"{path}/resume", data=confirm_form(r.text), follow_redirects=True)
    assert 'id="notice"' in r.text
    types = [e["type"] for e in ok(api.get(f"/v1/subscriptions/{sub['id']}/timeline"))["events"]]
    assert types[-1] == "resumed"


def test_verify_another_persons_four_eyes_cancellation(api: Api) -> None:
    sub = setup(api, today="2025-04-02", four_eyes=True, unit_amount=24995)
    colleague = api_key(api, "staff")
    cancel(colleague, sub, mode="on_date", date="2025-05-02")
    assert ok(api.get(f"/v1/subscriptions/{sub['id']}"))["status"] == "pending_verification"
    sign_in(api.client)
    path = f"/console/subscriptions/{sub['id']}"
    html = page(api, sub)
    assert 'id="verify-form"' in html and "1 maj 2025" in html  # the last day served
    r = api.client.post(f"{path}/verify", data=form_of(html, "verify-form"))
    assert r.status_code == 200 and 'id="preview"' in r.text
    assert ok(api.get(f"/v1/subscriptions/{sub['id']}"))["status"] == "pending_verification"
    r = api.client.post(f"{path}/verify", data=confirm_form(r.text), follow_redirects=True)
    assert 'id="notice"' in r.text and "Cancellation verified." in r.text
    assert ok(api.get(f"/v1/subscriptions/{sub['id']}"))["status"] == "in_termination"


def test_the_person_who_recorded_it_cannot_verify_it(api: Api) -> None:
    sub = setup(api, today="2025-04-02", four_eyes=True, unit_amount=24995)
    sign_in(api.client)
    cancel(api, sub, mode="on_date", date="2025-05-02")  # the same key as the console's
    html = page(api, sub)
    r = api.client.post(
        f"/console/subscriptions/{sub['id']}/verify", data=form_of(html, "verify-form")
    )
    assert r.status_code == 409 and "another staff member must verify it" in r.text
    assert ok(api.get(f"/v1/subscriptions/{sub['id']}"))["status"] == "pending_verification"


def test_record_a_payment_after_its_preview(api: Api) -> None:
    sub = invoiced_subscription(api)
    [invoice] = ok(api.get("/v1/invoices"))["data"]
    sign_in(api.client)
    path = f"/console/subscriptions/{sub['id']}"
    html = page(api, sub)
    fields = {
        "invoice_id": invoice["id"],
        "amount": "100,00",
        "paid_on": "2025-04-20",
        "reference": "BG 5050-1055",
    }
    r = api.client.post(f"{path}/payment", data=form_of(html, "payment-form", **fields))
    assert r.status_code == 200 and 'id="preview-payment"' in r.text
    assert f'id="preview-due-after"><strong>149,95{NBSP}kr' in r.text
    assert ok(api.get(f"/v1/invoices/{invoice['id']}"))["amount_paid"] == 0
    # More than is due: refused in words.
    over = {**fields, "amount": "300"}
    r2 = api.client.post(f"{path}/payment", data=form_of(html, "payment-form", **over))
    assert r2.status_code == 422 and "more than what is still due" in r2.text
    r = api.client.post(f"{path}/payment", data=confirm_form(r.text), follow_redirects=True)
    assert "Payment recorded." in r.text
    assert ok(api.get(f"/v1/invoices/{invoice['id']}"))["amount_paid"] == 10000
