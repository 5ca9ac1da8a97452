"""The documents feed and the ``<type>.issued`` events name where each document is rendered:
``links.xml`` (the Peppol BIS Billing 3.0 UBL) only when the XML would be answered, ``html``
and ``pdf`` always; so an invoicing system pulls everything in order by cursor and fetches each
``links.xml`` without a converter.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from billing.invoicing import repository
from billing.invoicing.views import ubl_possible
from billing.peppol.readiness import peppol_ready
from billing.storage.models import Document
from tests.api.helpers import assert_problem, ok
from tests.conftest import Api
from tests.peppol.world import (
    DE_BUYER,
    DK_BUYER,
    DK_SELLER,
    NO_BUYER,
    NO_SELLER,
    SE_BUYER,
    SE_SELLER,
    buyer,
    credit_notes_of,
    invoice_of,
    plan,
    seller,
    subscribe,
    xml_of,
)


def _invoice(api: Api, **customer: object) -> dict[str, Any]:
    se = seller(api, SE_SELLER)
    cust = buyer(api, se, {**SE_BUYER, **customer})
    return invoice_of(api, subscribe(api, cust, plan(api, "SEK")))


def _credit_note(api: Api, inv: dict[str, Any]) -> dict[str, Any]:
    body = {"mode": "immediately", "unused": "credit_note"}
    ok(api.post(f"/v1/subscriptions/{inv['subscription_id']}/cancel", body))
    [note] = credit_notes_of(api, inv)
    return note


def test_a_peppol_ready_document_links_its_xml_html_and_pdf(api: Api) -> None:
    inv = _invoice(api)
    note = _credit_note(api, inv)
    for doc, kind in ((inv, "invoices"), (note, "credit-notes")):
        base = f"/v1/{kind}/{doc['id']}"
        assert doc["links"] == {"xml": f"{base}.xml", "html": f"{base}.html", "pdf": f"{base}.pdf"}
        assert ok(api.get(base))["links"] == doc["links"]
        r = api.get(doc["links"]["xml"])
        assert r.status_code == 200 and r.content == xml_of(api, doc)
        for name, media in (("html", "text/html"), ("pdf", "application/pdf")):
            r = api.get(doc["links"][name])
            assert r.status_code == 200, r.text
            assert r.headers["content-type"].startswith(media)


def test_no_xml_link_where_the_xml_would_be_refused(api: Api) -> None:
    consumer = {"kind": "consumer", "name": "Anna Andersson", "legal_name": None}
    inv = _invoice(api, **consumer, organisation_number=None)
    assert set(inv["links"]) == {"html", "pdf"}
    assert_problem(api.get(f"/v1/invoices/{inv['id']}.xml"), 409, "buyer_endpoint_missing")


def test_a_document_issued_before_vat_links_no_xml(api: Api) -> None:
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
    doc = ok(api.get(f"/v1/invoices/{inv['id']}"))
    assert set(doc["links"]) == {"html", "pdf"}


def test_the_issued_events_carry_the_document_id_and_its_links(api: Api) -> None:
    """Both writers: the bill run's batch (the invoice) and the one-document path (the credit
    note of a cancellation)."""
    inv = _invoice(api)
    note = _credit_note(api, inv)
    events = ok(api.get("/v1/events", params={"limit": 500}))["data"]
    issued = {e["type"]: e for e in events if e["type"].endswith(".issued")}
    for doc in (inv, note):
        event = issued[f"{doc['type']}.issued"]
        assert event["subject_id"] == doc["id"]
        assert event["data"]["document_id"] == doc["id"]
        assert event["data"]["links"] == doc["links"]
        assert event["data"]["number"] == doc["number"]


def test_an_invoicing_system_pulls_the_credit_notes_ubl_by_cursor(api: Api) -> None:
    """The loop of api/formats.md: pull a page after the cursor, fetch each ``links.xml``,
    keep ``resume_cursor``; a second pull from it answers nothing new."""
    first = _invoice(api)
    note = _credit_note(api, first)
    fetched: list[bytes] = []
    cursor: str | None = None
    while True:
        params = {"limit": 1, **({"after": cursor} if cursor else {})}
        page = ok(api.get("/v1/credit-notes", params=params))
        fetched += [ok_xml(api, d["links"]["xml"]) for d in page["data"]]
        cursor = page["resume_cursor"]
        if page["next_cursor"] is None:
            break
    assert fetched == [xml_of(api, note)]
    assert ok(api.get("/v1/credit-notes", params={"after": cursor}))["data"] == []


def ok_xml(api: Api, path: str) -> bytes:
    r = api.get(path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xml")
    return bytes(r.content)


def test_the_feeds_check_agrees_with_the_xmls_refusals(api: Api) -> None:
    """``ubl_possible`` (the feed's, in invoicing) says yes exactly where the XML's own rules
    (:func:`peppol_ready`) do: domestic Swedish, Norwegian and Danish, reverse charge, outside
    the EU, a seller not registered for VAT, a consumer, credit notes, and issued before VAT."""
    se, no, dk = seller(api, SE_SELLER), seller(api, NO_SELLER), seller(api, DK_SELLER)
    consumer = {"kind": "consumer", "name": "Anna", "legal_name": None, "organisation_number": None}
    buyers = [
        buyer(api, se, SE_BUYER),
        buyer(api, se, {**SE_BUYER, **consumer}),
        buyer(api, se, DE_BUYER, currency="SEK"),
        buyer(api, se, NO_BUYER, currency="SEK", locale="sv_SE"),
        buyer(api, no, NO_BUYER),
        buyer(api, dk, DK_BUYER),
        api.customer(**SE_BUYER),  # the test seller: not registered for VAT
    ]
    for i, cust in enumerate(buyers):
        sub = subscribe(api, cust, plan(api, str(cust["currency"]), code=f"p{i}"))
        body = {"mode": "immediately", "unused": "credit_note"}
        ok(api.post(f"/v1/subscriptions/{sub['id']}/cancel", body))
    with api.client.app.state.engine.begin() as conn:
        conn.execute(text("UPDATE documents SET parties = NULL WHERE number = 1"))
    with Session(api.client.app.state.engine) as session:
        docs = list(session.scalars(select(Document).where(Document.type != "refund")))
        seen = set()
        for doc in docs:
            entries = repository.document_entries(session, doc.id)
            ready = peppol_ready(doc, entries)
            assert ubl_possible(doc, entries) == ready, (doc.id, doc.parties)
            seen.add(ready)
    assert len(docs) >= 2 * len(buyers) and seen == {True, False}


def test_the_contract_names_the_formats_media_types() -> None:
    """The OpenAPI document: UBL as application/xml, SIE as code page 437 text, each with a
    summary and the problems it answers."""
    from billing.http.openapi import export_openapi

    paths = export_openapi()["paths"]
    for path, media in (
        ("/v1/invoices/{invoice_id}.xml", "application/xml"),
        ("/v1/credit-notes/{credit_note_id}.xml", "application/xml"),
        ("/v1/exports/sie", "text/plain; charset=IBM437"),
    ):
        op = paths[path]["get"]
        assert op["summary"] and op["description"], path
        assert list(op["responses"]["200"]["content"]) == [media], path
        assert "application/problem+json" in op["responses"]["409"]["content"], path
    assert (
        "buyer_endpoint_missing"
        in paths["/v1/invoices/{invoice_id}.xml"]["get"]["responses"]["409"]["description"]
    )
    assert (
        "export_range_too_long"
        in paths["/v1/exports/sie"]["get"]["responses"]["422"]["description"]
    )
