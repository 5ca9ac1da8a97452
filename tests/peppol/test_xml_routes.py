"""The XML routes: ``.xml`` and ``Accept: application/xml`` answer the same document, JSON stays
the default, access is as for the JSON documents, and a document that cannot be an EN 16931
document is 409 with its reason (issued before VAT; a buyer with nothing to address it by).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from tests.api.helpers import api_key, assert_problem, ok
from tests.conftest import Api
from tests.peppol.conftest import OfficialRules
from tests.peppol.world import (
    SE_BUYER,
    SE_SELLER,
    buyer,
    checked,
    credit_notes_of,
    invoice_of,
    plan,
    seller,
    subscribe,
    xml_of,
)


def _invoice(api: Api, **customer: object) -> dict[str, object]:
    se = seller(api, SE_SELLER)
    cust = buyer(api, se, {**SE_BUYER, **customer})
    return invoice_of(api, subscribe(api, cust, plan(api, "SEK")))


def test_accept_xml_on_the_documents_own_url(api: Api) -> None:
    inv = _invoice(api)
    path = f"/v1/invoices/{inv['id']}"
    as_xml = api.get(path, headers={"Accept": "application/xml"})
    assert as_xml.status_code == 200, as_xml.text
    assert as_xml.headers["content-type"].startswith("application/xml")
    assert as_xml.headers["vary"] == "Accept"
    assert as_xml.content == xml_of(api, inv)
    f = f'inline; filename="{inv["number"]}.xml"'
    assert as_xml.headers["content-disposition"] == f
    # JSON stays the default, and wins where it is preferred.
    for accept in (None, "*/*", "application/json", "application/json, application/xml;q=0.9"):
        headers = {"Accept": accept} if accept else {}
        r = api.get(path, headers=headers)
        assert r.headers["content-type"].startswith("application/json"), accept
        assert r.json()["id"] == inv["id"]
    for accept in ("text/xml", "application/json;q=0.5, application/xml", "application/xml, */*"):
        r = api.get(path, headers={"Accept": accept})
        assert r.headers["content-type"].startswith("application/xml"), accept


def test_credit_note_by_accept(api: Api) -> None:
    inv = _invoice(api)
    sub_id = inv["subscription_id"]
    body = {"mode": "immediately", "unused": "credit_note"}
    ok(api.post(f"/v1/subscriptions/{sub_id}/cancel", body))
    [note] = credit_notes_of(api, inv)
    r = api.get(f"/v1/credit-notes/{note['id']}", headers={"Accept": "application/xml"})
    assert r.status_code == 200 and r.content == xml_of(api, note)
    assert b"<CreditNote" in r.content


def test_a_portal_key_sees_only_its_own_customers_xml(api: Api) -> None:
    inv = _invoice(api)
    other = api.customer(name="Other AB")
    mine = api_key(api, "portal", str(inv["customer_id"]))
    theirs = api_key(api, "portal", other["id"])
    assert mine.get(f"/v1/invoices/{inv['id']}.xml").status_code == 200
    assert_problem(theirs.get(f"/v1/invoices/{inv['id']}.xml"), 404, "not_found")
    accept = {"Accept": "application/xml"}
    assert_problem(theirs.get(f"/v1/invoices/{inv['id']}", headers=accept), 404, "not_found")
    # An invoice is not a credit note.
    assert_problem(api.get(f"/v1/credit-notes/{inv['id']}.xml"), 404, "not_found")


def test_a_document_issued_before_vat_is_409(api: Api) -> None:
    inv = _invoice(api)
    # As migration 0011 left the documents issued before VAT: no parties, no breakdown.
    with api.client.app.state.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE documents SET parties = NULL, vat_breakdown = NULL, net_total = NULL "
                "WHERE id = :id"
            ),
            {"id": inv["id"]},
        )
    r = api.get(f"/v1/invoices/{inv['id']}.xml")
    body = assert_problem(r, 409, "document_not_peppol_ready")
    assert "before VAT" in body["detail"]


def test_a_buyer_without_organisation_or_vat_number_is_409(api: Api) -> None:
    inv = _invoice(
        api, kind="consumer", name="Anna Andersson", legal_name=None, organisation_number=None
    )
    r = api.get(f"/v1/invoices/{inv['id']}.xml")
    assert_problem(r, 409, "buyer_endpoint_missing")
    # The JSON document is there as always.
    assert ok(api.get(f"/v1/invoices/{inv['id']}"))["id"] == inv["id"]


def test_a_document_keeps_the_buyer_it_was_issued_to(
    api: Api, official_rules: OfficialRules, tmp_path: Path
) -> None:
    """The XML is of the parties as issued: a later change of the customer changes nothing."""
    inv = _invoice(api)
    before = xml_of(api, inv)
    r = api.client.patch(
        f"/v1/customers/{inv['customer_id']}",
        json={"legal_name": "Nytt Namn AB"},
        headers=api.headers(),
    )
    assert r.status_code == 200, r.text
    assert xml_of(api, inv) == before
    checked(official_rules, before, tmp_path / "as-issued.xml")
