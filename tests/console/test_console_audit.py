"""Every change confirmed in the console is in the activity log (``GET /v1/audit-log``) as the
person who signed in: one entry per confirmed change, naming the person, the console's
operation, its subject and its customer; a preview or a refused change leaves none."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.storage.models import Payment
from tests.api.helpers import api_key, cancel, setup
from tests.api.test_people import PASSWORD, add_person
from tests.conftest import Api
from tests.console.helpers import bill, confirm_form, csrf_of, invoiced_subscription, ok
from tests.console.test_offers import ADDONS
from tests.console.test_operations import form_of, page
from tests.console.test_people_sign_in import person_sign_in
from tests.payments.builders import Pay, bgmax
from tests.payments.test_import_api import upload

SUB = "/console/subscriptions/{subscription_id}"


def audit(api: Api) -> list[dict[str, Any]]:
    return ok(api.get("/v1/audit-log", params={"limit": 1000}))["data"]  # type: ignore[no-any-return]


class Log:
    """The activity log read before and after each step: what the step added."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.seen = len(audit(api))

    def added(self) -> list[dict[str, Any]]:
        log = audit(self.api)
        new, self.seen = log[self.seen :], len(log)
        return new


def confirmed(api: Api, path: str, html: str, form_id: str, **fields: str) -> None:
    """Preview the form as filled in, then confirm from the preview."""
    r = api.client.post(path, data=form_of(html, form_id, **fields))
    assert r.status_code == 200 and 'id="preview"' in r.text, r.text
    r = api.client.post(path, data=confirm_form(r.text), follow_redirects=True)
    assert r.status_code == 200 and 'id="notice"' in r.text, r.text


def test_each_console_change_is_logged_as_the_person(api: Api) -> None:
    sub = invoiced_subscription(api, name="Loggen AB")
    customer = sub["customer_id"]
    anna = add_person(api, "Anna Berg", "anna@example.se")
    log = Log(api)
    assert person_sign_in(api, "anna@example.se", PASSWORD).status_code == 303
    [signed_in] = log.added()
    assert (signed_in["operation"], signed_in["person_id"]) == ("POST /console/login", anna["id"])
    assert signed_in["subject_id"].startswith("key_")  # the token issued to her

    path = f"/console/subscriptions/{sub['id']}"
    steps: list[tuple[str, str, dict[str, str]]] = [
        ("change", "change-form", {"effective_date": "2025-04-17", "quantity": "3"}),
        ("pause", "pause-form", {"first_day": "2025-05-10", "last_day": "2025-05-19"}),
        ("resume", "resume-form", {"first_day": "2025-05-15"}),
        ("cancel", "cancel-form", {"mode": "on_date", "date": "2025-07-01"}),
        ("undo", "undo-form", {}),
        ("cancel", "cancel-form", {"mode": "on_date", "date": "2025-08-01"}),
    ]
    for name, form_id, fields in steps:
        html = page(api, sub)
        # A preview alone leaves nothing.
        r = api.client.post(f"{path}/{name}", data=form_of(html, form_id, **fields))
        assert r.status_code == 200 and 'id="preview"' in r.text, (name, r.text)
        assert log.added() == [], name
        confirmed(api, f"{path}/{name}", html, form_id, **fields)
        [entry] = log.added()
        assert entry["operation"] == f"POST {SUB}/{name}", name
        assert (entry["actor"], entry["person_id"]) == (anna["id"], anna["id"]), name
        assert (entry["subject_id"], entry["customer_id"]) == (sub["id"], customer), name

    html = page(api, sub)
    invoice_id = html.split('id="payment-invoice"')[1].split('value="')[1].split('"')[0]
    fields = {"invoice_id": invoice_id, "amount": "100,00", "paid_on": "2025-04-20"}
    confirmed(api, f"{path}/payment", html, "payment-form", **fields)
    [entry] = log.added()
    with Session(api.client.app.state.engine) as session:
        [(payment_id, recorded_by)] = session.execute(
            select(Payment.id, Payment.recorded_by).where(Payment.invoice_id == invoice_id)
        )
    assert recorded_by == anna["id"]  # the payment is hers too
    assert entry["operation"] == f"POST {SUB}/payment" and entry["actor"] == anna["id"]
    assert (entry["subject_id"], entry["customer_id"]) == (payment_id, customer)

    # A refused change leaves nothing either.
    r = api.client.post(f"{path}/change", data=form_of(page(api, sub), "change-form"))
    assert r.status_code == 422 and log.added() == []

    tasks = ok(api.get("/v1/tasks", params={"status": "open", "subscription_id": sub["id"]}))
    task = tasks["data"][0]
    html = api.client.get("/console/tasks").text
    r = api.client.post(
        f"/console/tasks/{task['id']}/complete", data={"csrf": csrf_of(html)}, follow_redirects=True
    )
    assert "The task is done." in r.text
    [entry] = log.added()
    assert entry["operation"] == "POST /console/tasks/{task_id}/complete"
    assert (entry["subject_id"], entry["actor"]) == (task["id"], anna["id"])
    assert entry["customer_id"] == customer

    # The offer withdraws the pending cancellation.
    confirmed(api, f"{path}/offer", page(api, sub), "offer-form", unit_price="239,95")
    [entry] = log.added()
    seen = (entry["operation"], entry["subject_id"], entry["person_id"], entry["customer_id"])
    assert seen == (f"POST {SUB}/offer", sub["id"], anna["id"], customer)


def test_verify_add_on_and_allocation_are_logged_as_the_person(api: Api) -> None:
    sub = setup(api, today="2025-04-02", four_eyes=True, unit_amount=24995, addons=ADDONS)
    colleague = api_key(api, "staff")
    cancel(colleague, sub, mode="on_date", date="2025-05-02")
    bill(api, "2025-04-02")
    bo = add_person(api, "Bo Lind", "bo@example.se")
    assert person_sign_in(api, "bo@example.se", PASSWORD).status_code == 303
    log = Log(api)
    path = f"/console/subscriptions/{sub['id']}"
    confirmed(api, f"{path}/verify", page(api, sub), "verify-form")
    fields = {"code": "sso", "effective_date": "2025-04-10", "quantity": "1"}
    confirmed(api, f"{path}/addon", page(api, sub), "addon-form", **fields)
    seen = [(e["operation"], e["subject_id"], e["person_id"]) for e in log.added()]
    assert seen == [
        (f"POST {SUB}/verify", sub["id"], bo["id"]),
        (f"POST {SUB}/addon", sub["id"], bo["id"]),
    ]

    # 300,00 kr from an unknown payer, put to the invoice in the console.
    ok(upload(api, bgmax("5050-1055", [Pay("99999", 30_000, payer="Okänd")])), 201)
    [queued] = ok(api.get("/v1/payments/unmatched"))["data"]
    invoices = ok(api.get("/v1/invoices", params={"customer_id": sub["customer_id"]}))["data"]
    invoice = next(i for i in invoices if i["amount_due"] > 1000)
    log.added()  # the upload's own entry, the admin's
    html = api.client.get("/console/payments").text
    allocate = f"/console/payments/{queued['id']}/allocate"
    data = {"csrf": csrf_of(html), "action": "preview", "invoice": invoice["number"]}
    data["amount"] = "10"  # kronor
    r = api.client.post(allocate, data=data)
    assert r.status_code == 200 and 'id="preview"' in r.text, r.text
    r = api.client.post(allocate, data=confirm_form(r.text), follow_redirects=True)
    assert "The payment was put to the invoice." in r.text
    [entry] = log.added()
    assert entry["operation"] == "POST /console/payments/{payment_id}/allocate"
    assert (entry["subject_id"], entry["person_id"]) == (queued["id"], bo["id"])
    assert entry["customer_id"] == sub["customer_id"]
