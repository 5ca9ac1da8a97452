"""What the law asks an invoice to say, read back from the PDF's text (pypdf) as a customer's
software would, for a Swedish, a Norwegian and a Danish seller, on both databases; the same
facts in the JSON; staff's internal reasons never printed; and a document issued before VAT
(no parties) still printed as it was.

Numbers are real and valid (python-stdnum): SE 556036-0793 / SE556036079301, NO 923 609 016
(NO923609016MVA), DK CVR 13585628, the German VAT number DE136695976; bankgiro 5050-1055,
PlusGiro 286543-4, the Norwegian account 8601.11.17947.

Amounts (öre) by hand: 3 licences × 100,00 + an add-on 20,00 + a start-up fee 50,00 = 370,00
net; 25 % VAT 92,50; gross 462,50.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from babel.dates import format_date
from sqlalchemy import event
from sqlalchemy.orm import Session

from billing.storage.models import Document, LedgerEntry
from tests.api.helpers import ok
from tests.conftest import Api
from tests.documents.test_documents import normalized, pdf_text

SE_SELLER: dict[str, Any] = {
    "legal_name": "Exempel Sverige AB",
    "address": {"line1": "Kungsgatan 12", "postal_code": "111 35", "city": "Stockholm"},
    "country": "SE",
    "organisation_number": "556036-0793",
    "vat_number": "SE556036079301",
    "f_skatt": True,
    "bank": {
        "bankgiro": "5050-1055",
        "plusgiro": "286543-4",
        "iban": "SE45 5000 0000 0583 9825 7466",
        "bic": "ESSESESS",
    },
    "number_prefix": "SE",
}
NO_SELLER: dict[str, Any] = {
    "legal_name": "Eksempel Norge AS",
    "address": {"line1": "Storgata 5", "postal_code": "0155", "city": "Oslo"},
    "country": "NO",
    "organisation_number": "923 609 016",
    "vat_number": "NO923609016MVA",
    "foretaksregisteret": True,
    "bank": {"account": "8601.11.17947"},
    "number_prefix": "NO",
}
DK_SELLER: dict[str, Any] = {
    "legal_name": "Eksempel Danmark ApS",
    "address": {"line1": "Vesterbrogade 3", "postal_code": "1620", "city": "København V"},
    "country": "DK",
    "organisation_number": "13585628",
    "vat_number": "DK13585628",
    "bank": {"account": "4440 0440116243", "creditor": "85858585"},
    "number_prefix": "DK",
}
CURRENCY = {"SE": "SEK", "NO": "NOK", "DK": "DKK"}
LOCALE = {"SE": "sv_SE", "NO": "nb_NO", "DK": "da_DK"}


def seller(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    return ok(api.post("/v1/sellers", body), 201)  # type: ignore[no-any-return]


def buyer(api: Api, sold_by: dict[str, Any], **fields: Any) -> dict[str, Any]:
    country = sold_by["country"]
    fields.setdefault("currency", CURRENCY[country])
    fields.setdefault("locale", LOCALE[country])
    return api.customer(seller_id=sold_by["id"], **fields)


def invoiced(api: Api, customer: dict[str, Any], *, quantity: int = 3) -> dict[str, Any]:
    """A subscription from 1 April 2025 on "Digital licens" (100,00 a licence, an add-on
    "Extra lagring" 20,00, a start-up fee 50,00), billed by the bill run of that day."""
    api.today("2025-04-01")
    plan = api.plan(
        currency=customer["currency"],
        name="Digital licens",
        unit_amount=10_000,
        setup_fee_amount=5_000,
        addons=[{"code": "storage", "name": "Extra lagring", "unit_amount": 2_000}],
    )
    sub = api.subscription(customer, plan, start_date="2025-04-01", quantity=quantity)
    body = {"code": "storage", "effective_date": "2025-04-01"}
    ok(api.post(f"/v1/subscriptions/{sub['id']}/addons", body))
    ok(api.post("/v1/bill-runs", {"as_of": "2025-04-01"}), 201)
    page = ok(api.get("/v1/invoices", params={"subscription_id": sub["id"]}))["data"]
    assert len(page) == 1, page
    return page[0]  # type: ignore[no-any-return]


def pdf(api: Api, doc: dict[str, Any]) -> str:
    path = "invoices" if doc["type"] == "invoice" else "credit-notes"
    r = api.get(f"/v1/{path}/{doc['id']}.pdf")
    assert r.status_code == 200, r.text
    return normalized(pdf_text(r.content))


def html(api: Api, doc: dict[str, Any]) -> str:
    """The HTML page as it reads (its text, without the markup)."""
    path = "invoices" if doc["type"] == "invoice" else "credit-notes"
    r = api.get(f"/v1/{path}/{doc['id']}.html")
    assert r.status_code == 200, r.text
    body = r.text.split("<body>", 1)[1]
    return normalized(re.sub(r"<[^>]+>", " ", body))


def day(iso: str, locale: str) -> str:
    return normalized(str(format_date(date.fromisoformat(iso), "medium", locale=locale)))


def assert_all_in(text: str, expected: list[str]) -> None:
    missing = [e for e in expected if e not in text]
    assert not missing, f"{missing} not in the document's text:\n{text}"


class TestSweden:
    """mervärdesskattelagen (2023:200) 17 kap. 24 §, and F-skatt."""

    def test_domestic_invoice_says_everything_the_law_asks(self, api: Api) -> None:
        se = seller(api, SE_SELLER)
        cust = buyer(
            api,
            se,
            name="Kund",
            kind="business",
            legal_name="Kund i Göteborg AB",
            organisation_number="556677-8899",
            address={"line1": "Drottninggatan 1", "postal_code": "411 14", "city": "Göteborg"},
        )
        inv = invoiced(api, cust)
        assert (inv["net_total"], inv["vat_total"], inv["total"]) == (37_000, 9_250, 46_250)
        text = pdf(api, inv)
        assert_all_in(
            text,
            [
                "Faktura",
                inv["number"],  # the unique number
                f"Datum {day(inv['issue_date'], 'sv_SE')}",  # the issue date
                f"Förfallodatum {day(inv['due_date'], 'sv_SE')}",
                # The seller: name, address, organisation and VAT number, F-skatt.
                "Säljare Exempel Sverige AB Kungsgatan 12 111 35 Stockholm",
                "Org.nr 556036-0793",
                "Momsreg.nr SE556036079301",
                "Godkänd för F-skatt",
                # The buyer: its legal name and address, and numbers.
                "Köpare Kund i Göteborg AB Drottninggatan 1 411 14 Göteborg",
                "Org.nr 556677-8899",
                # Kind and quantity of what was sold, its period, its rate.
                "Digital licens Abonnemang 1 apr. 2025 – 30 apr. 2025 3 100,00 kr 25 % 300,00 kr",
                "Extra lagring Tillägg",
                "Startavgift",
                # Net, VAT and gross; the VAT per rate.
                "Summa exkl. moms 370,00 kr Moms 92,50 kr Summa inkl. moms 462,50 kr",
                "Momsspecifikation Momssats Underlag Moms 25 % 370,00 kr 92,50 kr",
                # How to pay.
                "Bankgiro 5050-1055",
                "Plusgiro 286543-4",
                "IBAN SE45 5000 0000 0583 9825 7466",
                "BIC ESSESESS",
                f"OCR-nummer {inv['payment_reference']}",
                f"Kundnummer {cust['customer_number']}",
            ],
        )
        # The customer number, not the internal id; no note where none applies.
        assert cust["id"] not in text
        assert cust["id"] not in api.get(f"/v1/invoices/{inv['id']}.html").text
        assert "Omvänd" not in text and "Undantagen" not in text

    def test_reverse_charge_to_an_eu_business_names_its_vat_number(self, api: Api) -> None:
        se = seller(api, SE_SELLER)
        cust = buyer(
            api,
            se,
            name="Beispiel GmbH",
            kind="business",
            country="DE",
            vat_number="DE136695976",
            address={"line1": "Unter den Linden 1", "postal_code": "10117", "city": "Berlin"},
        )
        inv = invoiced(api, cust)
        assert (inv["net_total"], inv["vat_total"], inv["total"]) == (37_000, 0, 37_000)
        assert inv["notes"] == [{"code": "reverse_charge", "text": "Omvänd betalningsskyldighet"}]
        [row] = inv["vat_breakdown"]
        assert (row["code"], row["rate"], row["note"]) == (
            "reverse_charge",
            "0",
            "Omvänd betalningsskyldighet",
        )
        text = pdf(api, inv)
        assert_all_in(
            text,
            [
                "Momsreg.nr SE556036079301",
                "Köpare Beispiel GmbH Unter den Linden 1 10117 Berlin Tyskland",
                "Momsreg.nr DE136695976",
                "Omvänd betalningsskyldighet. Köparens momsreg.nr DE136695976",
                "Momsspecifikation Momssats Underlag Moms 0 % 370,00 kr 0,00 kr",
            ],
        )

    def test_an_exempt_line_beside_a_taxed_one_cites_the_exemption(self, api: Api) -> None:
        se = seller(api, SE_SELLER)
        cust = buyer(api, se, name="Anna Andersson", kind="consumer")
        order = ok(
            api.post(
                "/v1/orders",
                {
                    "customer_id": cust["id"],
                    "lines": [
                        {"description": "Digital licens", "unit_amount": 10_000, "quantity": 1},
                        {
                            "description": "Hälsokontroll",
                            "unit_amount": 5_000,
                            "quantity": 1,
                            "tax_category": "exempt",
                        },
                    ],
                },
            ),
            201,
        )
        lines = [{"line_id": line["id"], "quantity": 1} for line in order["lines"]]
        delivered = ok(
            api.post(
                f"/v1/orders/{order['id']}/deliveries",
                {"reference": "d-1", "delivered_on": "2025-04-01", "lines": lines},
            ),
            201,
        )
        inv = ok(api.get(f"/v1/invoices/{delivered['invoice_id']}"))
        assert [(x["product"], x["tax_code"], x["vat_rate"]) for x in inv["lines"]] == [
            ("Digital licens", "standard", "25"),
            ("Hälsokontroll", "exempt", "0"),
        ]
        assert [
            (r["rate"], r["rate_bps"], r["taxable"], r["vat"]) for r in inv["vat_breakdown"]
        ] == [
            ("25", 2500, 10_000, 2_500),
            ("0", 0, 5_000, 0),
        ]
        exempt = "Undantagen från skatteplikt enligt 10 kap. ML"
        assert inv["notes"] == [{"code": "exempt", "text": exempt}]
        text = pdf(api, inv)
        assert_all_in(
            text,
            [
                "Köpare Anna Andersson",
                "Hälsokontroll",
                "25 % 100,00 kr 25,00 kr 0 % 50,00 kr 0,00 kr",
                exempt,
                "Summa exkl. moms 150,00 kr Moms 25,00 kr Summa inkl. moms 175,00 kr",
            ],
        )

    def test_a_credit_note_names_the_change_never_staffs_reason(self, api: Api) -> None:
        se = seller(api, SE_SELLER)
        cust = buyer(api, se, name="Kund AB", kind="business")
        inv = invoiced(api, cust, quantity=1)
        secret = "Kunden fick ett bättre pris hos konkurrenten"
        body = {"mode": "on_date", "date": "2025-04-16", "reason": secret}
        ok(api.post(f"/v1/subscriptions/{inv['subscription_id']}/cancel", body))
        [note] = ok(api.get("/v1/credit-notes", params={"customer_id": cust["id"]}))["data"]
        assert note["invoice_id"] == inv["id"] and note["vat_total"] > 0
        for text in (pdf(api, note), html(api, note)):
            assert secret not in text
            assert_all_in(
                text,
                [
                    f"Krediterar faktura {inv['number']} daterad 1 apr. 2025",
                    "Orsak: Uppsägning, slutdatum 16 apr. 2025",
                    "Org.nr 556036-0793",
                    "Momsreg.nr SE556036079301",
                    "Summa att återbetala",
                ],
            )


class TestNorway:
    """bokføringsforskriften § 5-1-1."""

    def test_invoice_prints_org_nr_mva_and_foretaksregisteret(self, api: Api) -> None:
        no = seller(api, NO_SELLER)
        cust = buyer(
            api,
            no,
            name="Kunde AS",
            kind="business",
            organisation_number="995 525 828",
            address={"line1": "Kirkegata 2", "postal_code": "7011", "city": "Trondheim"},
        )
        inv = invoiced(api, cust)
        assert (inv["net_total"], inv["vat_total"], inv["total"]) == (37_000, 9_250, 46_250)
        text = pdf(api, inv)
        assert_all_in(
            text,
            [
                "Faktura",
                inv["number"],
                "Selger Eksempel Norge AS Storgata 5 0155 Oslo",
                "Org.nr. 923 609 016 MVA",
                "Foretaksregisteret",
                "Kjøper Kunde AS Kirkegata 2 7011 Trondheim",
                f"Forfallsdato {day(inv['due_date'], 'nb_NO')}",
                "MVA-spesifikasjon MVA-sats Grunnlag MVA 25 % 370,00 kr 92,50 kr",
                "Sum ekskl. MVA 370,00 kr MVA 92,50 kr Sum inkl. MVA 462,50 kr",
                "Kontonummer 8601.11.17947",
                f"KID {inv['payment_reference']}",
                f"Kundenummer {cust['customer_number']}",
                "Digital licens",
            ],
        )
        assert cust["id"] not in text


class TestDenmark:
    """momsbekendtgørelsen § 58."""

    def test_invoice_prints_cvr_the_fik_line_and_the_buyers_address(self, api: Api) -> None:
        dk = seller(api, DK_SELLER)
        cust = buyer(
            api,
            dk,
            name="Kunde ApS",
            kind="business",
            address={"line1": "Nørregade 7", "postal_code": "1165", "city": "København K"},
        )
        inv = invoiced(api, cust)
        assert (inv["net_total"], inv["vat_total"], inv["total"]) == (37_000, 9_250, 46_250)
        assert inv["number"] == "DK-INV-000001"  # the seller's own sequential series
        ref = inv["payment_reference"]
        text = pdf(api, inv)
        assert_all_in(
            text,
            [
                inv["number"],
                "Sælger Eksempel Danmark ApS Vesterbrogade 3 1620 København V",
                "CVR-nr. 13585628",
                "Køber Kunde ApS Nørregade 7 1165 København K",
                "Momsspecifikation Momssats Momsgrundlag Moms 25 % 370,00 kr. 92,50 kr.",
                "I alt ekskl. moms 370,00 kr. Moms 92,50 kr. I alt inkl. moms 462,50 kr.",
                f"Forfaldsdato {day(inv['due_date'], 'da_DK')}",
                "Kontonr. 4440 0440116243",
                f"Betalings-id +71<{ref}+85858585<",
                f"Kundenummer {cust['customer_number']}",
            ],
        )
        # A domestic sale: the CVR number is the registration number, no DK… VAT number.
        assert "Momsnr." not in text and cust["id"] not in text


def test_json_has_the_legal_fields_and_keeps_the_old_ones(api: Api) -> None:
    se = seller(api, SE_SELLER)
    cust = buyer(
        api,
        se,
        name="Kund",
        kind="business",
        legal_name="Kund AB",
        organisation_number="5566778899",
        address={"line1": "Drottninggatan 1", "postal_code": "411 14", "city": "Göteborg"},
    )
    inv = invoiced(api, cust)
    # Every key integrators had, with its meaning: total is the gross, what is asked.
    assert inv["total"] == 46_250 and inv["total_formatted"] == "462,50\xa0kr"
    assert inv["amount_due"] == 46_250 and inv["customer_id"] == cust["id"]
    assert (inv["net_total_formatted"], inv["vat_total_formatted"]) == (
        "370,00\xa0kr",
        "92,50\xa0kr",
    )
    assert inv["vat_breakdown"] == [
        {
            "code": "standard",
            "rate": "25",
            "rate_bps": 2500,
            "inclusive": False,
            "lines": 37_000,
            "taxable": 37_000,
            "taxable_formatted": "370,00\xa0kr",
            "vat": 9_250,
            "vat_formatted": "92,50\xa0kr",
            "note": None,
        }
    ]
    assert (inv["treatment"], inv["notes"], inv["seller_id"]) == ("domestic", [], se["id"])
    assert inv["customer_number"] == cust["customer_number"] == inv["buyer"]["customer_number"]
    assert inv["payment_reference"]
    s = inv["seller"]
    assert (s["legal_name"], s["organisation_number"], s["organisation_number_formatted"]) == (
        "Exempel Sverige AB",
        "5560360793",
        "556036-0793",
    )
    assert (s["vat_number"], s["f_skatt"], s["foretaksregisteret"]) == (
        "SE556036079301",
        True,
        False,
    )
    assert s["address"] == {**SE_SELLER["address"], "line2": None}
    assert s["bank_formatted"]["bankgiro"] == "5050-1055"
    b = inv["buyer"]
    assert (b["legal_name"], b["organisation_number_formatted"], b["country"]) == (
        "Kund AB",
        "556677-8899",
        "SE",
    )
    products = {x["item"]: (x["product"], x["tax_code"], x["vat_rate"]) for x in inv["lines"]}
    assert products == {
        "main": ("Digital licens", "standard", "25"),
        "addon:storage": ("Extra lagring", "standard", "25"),
        "setup": ("Startavgift", "standard", "25"),
    }
    for line in inv["lines"]:  # the old keys are still there
        assert {"description", "amount", "unit_amount", "quantity", "service_start"} <= set(line)
        assert line["vat_rate_bps"] == 2500 and line["vat_inclusive"] is False
    # One document alone and in a page say the same.
    assert ok(api.get(f"/v1/invoices/{inv['id']}")) == inv


def test_a_norwegian_seller_not_registered_prints_no_vat_only_the_note(api: Api) -> None:
    body = {k: v for k, v in NO_SELLER.items() if k != "vat_number"}
    no = seller(api, {**body, "foretaksregisteret": False})
    cust = buyer(api, no, name="Kunde AS")
    inv = invoiced(api, cust)
    assert (inv["net_total"], inv["vat_total"], inv["total"]) == (37_000, 0, 37_000)
    note = "Selger er ikke registrert for merverdiavgift"
    assert inv["notes"] == [{"code": "not_registered", "text": note}]
    text = pdf(api, inv)
    assert_all_in(text, ["Org.nr. 923 609 016", note, "Sum 370,00 kr"])
    assert "MVA" not in text and "Foretaksregisteret" not in text


@contextmanager
def counting(api: Api) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = api.client.app.state.engine

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_page_of_documents_is_read_in_a_fixed_number_of_queries(api: Api) -> None:
    se = seller(api, SE_SELLER)

    def page_queries() -> int:
        with counting(api) as statements:
            ok(api.get("/v1/invoices", params={"seller_id": se["id"]}))
        return len(statements)

    for i in range(2):
        invoiced(api, buyer(api, se, name=f"Kund {i}"))
    few = page_queries()
    for i in range(2, 6):
        invoiced(api, buyer(api, se, name=f"Kund {i}"))
    assert len(ok(api.get("/v1/invoices", params={"seller_id": se["id"]}))["data"]) == 6
    assert page_queries() == few


def test_a_document_issued_before_vat_prints_as_it_did(api: Api) -> None:
    """Written as the service wrote documents before VAT: no seller, no parties, no VAT
    breakdown, net = total, no VAT; its ledger row without a tax."""
    api.today("2025-04-01")
    cust = api.customer(name="Gammal Kund AB")
    plan = api.plan(name="Monthly", unit_amount=24_995)
    sub = api.subscription(cust, plan, start_date="2025-04-01")
    when = datetime(2025, 4, 1, 8, tzinfo=UTC)
    with Session(api.client.app.state.engine) as session, session.begin():
        session.add(
            Document(
                id="inv_before_vat",
                type="invoice",
                series="INV",
                number=1,
                customer_id=cust["id"],
                subscription_id=sub["id"],
                currency="SEK",
                issue_date=date(2025, 4, 1),
                due_date=date(2025, 5, 1),
                total=24_995,
                amount_paid=0,
                status="open",
                created_at=when,
                net_total=24_995,
                vat_total=0,
            )
        )
        session.flush()
        session.add(
            LedgerEntry(
                subscription_id=sub["id"],
                customer_id=cust["id"],
                item="main",
                kind="charge",
                period_start=date(2025, 4, 1),
                period_end=date(2025, 5, 1),
                service_start=date(2025, 4, 1),
                service_end=date(2025, 5, 1),
                unit_amount=24_995,
                quantity=1,
                period_amount=24_995,
                amount=24_995,
                currency="SEK",
                document_type="invoice",
                document_id="inv_before_vat",
                posted_at=when,
            )
        )
    doc = ok(api.get("/v1/invoices/inv_before_vat"))
    assert (doc["total"], doc["net_total"], doc["vat_total"]) == (24_995, 24_995, 0)
    assert (doc["vat_breakdown"], doc["notes"], doc["treatment"]) == ([], [], None)
    assert (doc["seller"], doc["buyer"], doc["payment_reference"]) == (None, None, None)
    [line] = doc["lines"]
    assert (line["tax_code"], line["vat_rate"], line["vat_rate_bps"]) == (None, None, None)
    assert line["description"] == "Subscription 2025-04-01 – 2025-04-30"
    page = ok(api.get("/v1/invoices", params={"customer_id": cust["id"]}))["data"]
    assert page == [doc]

    page_html = api.get("/v1/invoices/inv_before_vat.html").text
    # As before: "Kund: name", the customer id as the customer number, the plain total.
    assert 'Kund: <strong class="customer-name">Gammal Kund AB</strong>' in page_html
    assert f"Kundnummer: {cust['id']}" in page_html
    text = pdf(api, doc)
    assert_all_in(
        text,
        [
            "INV-000001",
            "Kund: Gammal Kund AB",
            f"Kundnummer: {cust['id']}",
            "Abonnemang 1 apr. 2025 – 30 apr. 2025 1 249,95 kr 249,95 kr Summa 249,95 kr",
            "Att betala 249,95 kr",
        ],
    )
    for invented in ("Moms", "Säljare", "Köpare", "Org.nr", "OCR", "F-skatt", "Monthly"):
        assert invented not in text and invented not in page_html, invented
