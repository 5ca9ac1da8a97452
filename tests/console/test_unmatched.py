"""Putting an unmatched bank payment to an invoice in the console: the queue, a preview of
what it pays and keeps as credit, Confirm only from the preview, refusals in words."""

from __future__ import annotations

from tests.api.test_vat_invoices import SE_SELLER, seller
from tests.conftest import Api
from tests.console.helpers import confirm_form, csrf_of, ok, sign_in
from tests.payments.builders import Pay, bgmax
from tests.payments.test_import_api import invoice, invoiced, upload


def test_allocate_an_unmatched_payment_after_its_preview(bare_api: Api) -> None:
    """125,00 kr due; 200,00 kr arrived with an unknown reference: put 150,00 kr to the
    invoice, 125,00 kr pays it and 25,00 kr is kept as credit; 50,00 kr stays queued."""
    api = bare_api
    inv = invoiced(api, seller(api, SE_SELLER), "Kund AB")
    ok(upload(api, bgmax("5050-1055", [Pay("99999", 20_000, payer="Okänd")])), 201)
    (queued,) = ok(api.get("/v1/payments/unmatched"))["data"]
    sign_in(api.client)
    html = api.client.get("/console/payments").text
    assert f'id="allocate-{queued["id"]}"' in html and "Okänd" in html
    path = f"/console/payments/{queued['id']}/allocate"
    base = {"csrf": csrf_of(html), "action": "preview"}

    r = api.client.post(path, data={**base, "invoice": inv["number"], "amount": "300"})
    assert r.status_code == 422 and "more than what is left on the payment" in r.text
    r = api.client.post(path, data={**base, "invoice": "SE-INV-999", "amount": "1"})
    assert r.status_code == 404 and "There is no such" in r.text
    r = api.client.post(path, data={**base, "invoice": "se-inv-1", "amount": "150,00"})
    assert r.status_code == 200 and 'id="preview"' in r.text
    assert 'id="preview-due-after"><strong>0,00\xa0kr' in r.text
    assert 'id="preview-credit">25,00\xa0kr' in r.text and 'id="preview-left">50,00\xa0kr' in r.text
    assert invoice(api, inv)["amount_due"] == 12_500  # nothing saved
    r = api.client.post(
        path, data={**base, "invoice": inv["number"], "amount": "150,00", "action": "confirm"}
    )
    assert r.status_code == 409  # no Confirm without the preview

    preview = api.client.post(path, data={**base, "invoice": inv["number"], "amount": "150,00"})
    r = api.client.post(path, data=confirm_form(preview.text), follow_redirects=True)
    assert "The payment was put to the invoice." in r.text
    assert invoice(api, inv)["status"] == "paid"
    (left,) = ok(api.get("/v1/payments/unmatched"))["data"]
    assert left["unallocated"] == 5_000
