"""Invoices and credit notes as HTML and PDF: the customer's language, Babel's formats, the
service period, licences and unit price as billed, and for a credit note what it credits and
why. Same access rules as the JSON documents."""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO
from typing import Any

import pytest
from pypdf import PdfReader

from tests.api.helpers import api_key, bill, cancel, ok, setup
from tests.conftest import Api

NBSP = "\xa0"


def pdf_text(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def normalized(s: str) -> str:
    """Spaces as they come out of text extraction (non-breaking or not)."""
    return " ".join(s.replace(NBSP, " ").replace("\u202f", " ").split())


def credit_note_case(api: Api, *, locale: str = "sv_SE", currency: str = "SEK") -> dict[str, Any]:
    """249,95 a month from 2025-04-02, invoiced, then ended on 04-05: 224,95 comes back."""
    sub = setup(
        api,
        today="2025-04-02",
        customer={"name": "Ängsbacka Fönster AB", "locale": locale, "currency": currency},
        unit_amount=24995,
    )
    bill(api, "2025-04-02")
    cancel(api, sub, mode="on_date", date="2025-04-05", reason="Flyttar verksamheten till Oslo")
    [note] = ok(api.get("/v1/credit-notes"))["data"]
    [invoice] = ok(api.get("/v1/invoices"))["data"]
    return {"sub": sub, "note": note, "invoice": invoice}


def test_swedish_credit_note_pdf_reads_right(api: Api, tmp_path: Any) -> None:
    case = credit_note_case(api)
    note, invoice = case["note"], case["invoice"]
    assert note["total"] == 22495 and note["invoice_id"] == invoice["id"]

    r = api.get(f"/v1/credit-notes/{note['id']}.pdf")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    assert f'filename="{note["number"]}.pdf"' in r.headers["content-disposition"]
    text = normalized(pdf_text(r.content))
    for expected in (
        "Kreditfaktura",
        note["number"],
        "Ängsbacka Fönster AB",
        f"Krediterar faktura {invoice['number']} daterad 2 apr. 2025",
        # Why, in the customer's words: the kind of change and its date; staff's internal
        # reason is never printed on a customer document.
        "Orsak: Uppsägning, slutdatum 5 apr. 2025",
        "Abonnemang",
        "5 apr. 2025 – 1 maj 2025",  # the days given back, last one inclusive
        "av perioden 2 apr. 2025 – 1 maj 2025",
        "249,95 kr",  # the unit price as billed
        "224,95 kr",  # what comes back: 249,95 − R(24,995)
        "Summa att återbetala",
    ):
        assert expected in text, f"{expected!r} not in the PDF's text:\n{text}"
    assert "224,96" not in text and "Flyttar verksamheten till Oslo" not in text

    pdftotext = shutil.which("pdftotext")
    if pdftotext:  # Debian's poppler-utils reads it the same way
        path = tmp_path / "credit-note.pdf"
        path.write_bytes(r.content)
        out = subprocess.run(
            [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, timeout=30
        )
        assert "224,95" in out.stdout and "Kreditfaktura" in out.stdout


def test_credit_note_html_names_invoice_and_reason(api: Api) -> None:
    case = credit_note_case(api)
    note, invoice = case["note"], case["invoice"]
    r = api.get(f"/v1/credit-notes/{note['id']}.html")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<html lang="sv">' in html
    assert f'<strong class="credited-invoice">{invoice["number"]}</strong>' in html
    assert "Flyttar verksamheten till Oslo" not in html  # staff's reason stays internal
    assert f"224,95{NBSP}kr" in html and f"249,95{NBSP}kr" in html


@pytest.mark.parametrize(
    ("locale", "currency", "words", "money"),
    [
        ("sv_SE", "SEK", ["Faktura", "Förfallodatum", "Att betala", "Licenser"], "1 499,70 kr"),
        ("nb_NO", "NOK", ["Faktura", "Forfallsdato", "Å betale", "Lisenser"], "1 499,70 kr"),
        ("da_DK", "DKK", ["Faktura", "Forfaldsdato", "At betale", "Licenser"], "1.499,70 kr."),
        ("en_GB", "EUR", ["Invoice", "Due date", "Amount due", "Licences"], "€1,499.70"),
    ],
)
def test_invoice_in_the_customers_language(
    api: Api, locale: str, currency: str, words: list[str], money: str
) -> None:
    setup(
        api,
        customer={"name": "Kunde", "locale": locale, "currency": currency},
        unit_amount=24995,
        sub={"quantity": 6},
    )
    bill(api, "2025-04-02")
    [invoice] = ok(api.get("/v1/invoices"))["data"]
    html = normalized(api.get(f"/v1/invoices/{invoice['id']}.html").text)
    for word in words:
        assert word in html
    assert money in html  # 6 licences × 249,95
    assert invoice["total"] == 149970
    text = normalized(pdf_text(api.get(f"/v1/invoices/{invoice['id']}.pdf").content))
    assert money in text and words[0] in text


def test_lines_show_unit_price_and_licences_as_billed(api: Api) -> None:
    sub = setup(api, unit_amount=24995, sub={"quantity": 3})
    bill(api, "2025-04-02")
    # A later price change does not rewrite what the first invoice billed.
    ok(
        api.post(
            f"/v1/subscriptions/{sub['id']}/changes",
            {"effective_date": "2025-05-02", "unit_amount": 30000},
        )
    )
    api.today("2025-05-02")
    bill(api, "2025-05-02")
    first, second = ok(api.get("/v1/invoices"))["data"]
    html_first = normalized(api.get(f"/v1/invoices/{first['id']}.html").text)
    html_second = normalized(api.get(f"/v1/invoices/{second['id']}.html").text)
    assert '<td class="num">3</td> <td class="num">249,95 kr</td>' in html_first
    assert "749,85 kr" in html_first
    assert '<td class="num">3</td> <td class="num">300,00 kr</td>' in html_second
    assert "2 maj 2025 – 1 juni 2025" in html_second


def test_same_access_rules_as_the_json(api: Api) -> None:
    case = credit_note_case(api)
    note, invoice = case["note"], case["invoice"]
    own = api_key(api, "portal", case["sub"]["customer_id"])
    other = api_key(api, "portal", api.customer(name="Someone else")["id"])
    integration = api_key(api, "integration")
    for suffix in (".html", ".pdf"):
        for path in (f"/v1/invoices/{invoice['id']}", f"/v1/credit-notes/{note['id']}"):
            assert own.get(path + suffix).status_code == 200
            assert integration.get(path + suffix).status_code == 200
            r = other.get(path + suffix)
            assert r.status_code == 404 and r.json()["code"] == "not_found"
            assert api.as_token("nope").get(path + suffix).status_code == 401
        # An invoice is not a credit note, and unknown ids are 404.
        assert api.get(f"/v1/credit-notes/{invoice['id']}{suffix}").status_code == 404
        assert api.get(f"/v1/invoices/inv_missing{suffix}").status_code == 404
    # The JSON documents still answer on their own paths.
    assert ok(api.get(f"/v1/invoices/{invoice['id']}"))["id"] == invoice["id"]
    assert ok(api.get(f"/v1/credit-notes/{note['id']}"))["id"] == note["id"]
