"""One-off orders in the console: placed for a customer, delivered (invoiced at once) and
what is left cancelled — each previewed first, Confirm only from the preview, the same service
calls as the API's, and each confirmed change in the activity log as the person."""

from __future__ import annotations

import re

from tests.api.test_people import PASSWORD, add_person
from tests.conftest import Api
from tests.console.helpers import confirm_form, csrf_of, ok
from tests.console.test_people_sign_in import person_sign_in

NBSP = "\xa0"


def test_order_delivery_and_cancel_after_their_previews(api: Api) -> None:
    api.today("2025-04-02")
    customer = api.customer(name="Hälsokontroll Nord AB")
    anna = add_person(api, "Anna Berg", "anna@example.se")
    assert person_sign_in(api, "anna@example.se", PASSWORD).status_code == 303
    html = api.client.get(f"/console/customers/{customer['id']}").text
    assert f'href="/console/customers/{customer["id"]}/orders/new"' in html
    html = api.client.get(f"/console/customers/{customer['id']}/orders/new").text
    fields = {
        "csrf": csrf_of(html),
        "action": "preview",
        "description_1": "Hälsokontroll",
        "quantity_1": "10",
        "unit_price_1": "1 918,00",
        "description_2": "Provsvar per post",
        "quantity_2": "10",
        "unit_price_2": "25",
        "description_3": "",
        "quantity_3": "",
        "unit_price_3": "",
    }
    path = f"/console/customers/{customer['id']}/orders"
    r = api.client.post(path, data=fields)
    assert r.status_code == 200 and 'id="preview"' in r.text, r.text
    assert f"19{NBSP}430,00{NBSP}kr" in r.text  # 10 × 1 918,00 + 10 × 25,00
    assert ok(api.get("/v1/orders"))["data"] == []  # the preview saved nothing
    r = api.client.post(path, data={**fields, "action": "confirm"})
    assert r.status_code == 409  # Confirm only from the preview
    preview = api.client.post(path, data=fields)
    r = api.client.post(path, data=confirm_form(preview.text), follow_redirects=True)
    assert r.status_code == 200 and "The order is placed." in r.text, r.text
    [order] = ok(api.get("/v1/orders"))["data"]
    assert order["total"] == 1_943_000 and order["status"] == "pending"
    assert r.url.path == f"/console/orders/{order['id']}"

    # Deliver 4 health checks and their 4 letters, invoiced at once: 4 × 1 943,00 kr.
    html = r.text
    check, letter = (line["id"] for line in order["lines"])
    deliver = {
        "csrf": csrf_of(html),
        "action": "preview",
        "delivered_on": "2025-04-02",
        "reference": "leverans-1",
        f"qty_{check}": "4",
        f"qty_{letter}": "4",
    }
    too_many = {**deliver, f"qty_{check}": "11"}
    r = api.client.post(f"/console/orders/{order['id']}/deliver", data=too_many)
    assert "That is more than is left to deliver on the order." in r.text, r.text
    r = api.client.post(f"/console/orders/{order['id']}/deliver", data=deliver)
    assert r.status_code == 200 and 'id="preview"' in r.text, r.text
    assert f"7{NBSP}772,00{NBSP}kr" in r.text.split('id="preview"')[1].split("</section>")[0]
    assert ok(api.get(f"/v1/orders/{order['id']}"))["deliveries"] == []
    r = api.client.post(
        f"/console/orders/{order['id']}/deliver", data=confirm_form(r.text), follow_redirects=True
    )
    assert "The delivery is recorded and invoiced." in r.text
    [delivery] = ok(api.get(f"/v1/orders/{order['id']}"))["deliveries"]
    assert delivery["total"] == 777_200 and delivery["reference"] == "leverans-1"
    assert re.search(r'<tr class="delivery">.*INV-', r.text)

    # The rest is cancelled, at no cost.
    cancel = {"csrf": csrf_of(r.text), "action": "preview", "reason": "Resten behövs inte"}
    r = api.client.post(f"/console/orders/{order['id']}/cancel", data=cancel)
    assert r.status_code == 200 and "6 × Hälsokontroll" in r.text
    assert ok(api.get(f"/v1/orders/{order['id']}"))["status"] == "partially_delivered"
    r = api.client.post(
        f"/console/orders/{order['id']}/cancel", data=confirm_form(r.text), follow_redirects=True
    )
    assert "What was not delivered is cancelled." in r.text
    assert ok(api.get(f"/v1/orders/{order['id']}"))["status"] == "delivered"

    log = ok(api.get("/v1/audit-log", params={"customer_id": customer["id"]}))["data"]
    seen = [(e["operation"], e["subject_id"], e["person_id"]) for e in log[1:]]
    assert seen == [
        ("POST /console/customers/{customer_id}/orders", order["id"], anna["id"]),
        ("POST /console/orders/{order_id}/deliver", order["id"], anna["id"]),
        ("POST /console/orders/{order_id}/cancel", order["id"], anna["id"]),
    ]
