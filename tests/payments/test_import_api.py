"""Bank files through the API on both databases: BgMax (Swedish OCR), OCR giro (Norwegian KID)
and camt.054 (Danish FIK, and any reference across sellers) matched to invoices to the öre,
imported twice without double counting; partial payments, overpayments kept as customer
credit, the unmatched queue and its allocation; refused files change nothing.

Each invoice: a 100.00 monthly plan billed on 1 April 2025 with 25 % VAT = 12 500 öre.
"""

from __future__ import annotations

from typing import Any

from tests.api.helpers import assert_problem, ok
from tests.api.test_vat_invoices import (
    DK_SELLER,
    NO_SELLER,
    SE_SELLER,
    buyer,
    invoice_of,
    monthly,
    seller,
    subscribe,
)
from tests.conftest import Api
from tests.payments.builders import Entry, Pay, bgmax, camt054, ocr_giro
from tests.unchanged import row_counts

GROSS = 12_500


def invoiced(api: Api, sold_by: dict[str, Any], name: str) -> dict[str, Any]:
    currency = {"SE": "SEK", "NO": "NOK", "DK": "DKK"}[sold_by["country"]]
    customer = buyer(api, sold_by, name=name)
    sub = subscribe(api, customer, monthly(api, currency))
    inv = invoice_of(api, sub)
    assert inv["total"] == GROSS, inv
    return inv


def upload(api: Api, content: bytes, **params: str) -> Any:
    return api.client.post(
        "/v1/payment-files",
        content=content,
        params=params,
        headers=api.headers({"Content-Type": "application/octet-stream"}),
    )


def invoice(api: Api, inv: dict[str, Any]) -> dict[str, Any]:
    return ok(api.get(f"/v1/invoices/{inv['id']}"))  # type: ignore[no-any-return]


def balance(api: Api, inv: dict[str, Any]) -> int:
    return ok(api.get(f"/v1/customers/{inv['customer_id']}/balance"))["balance"]  # type: ignore[no-any-return]


def engine(api: Api) -> Any:
    return api.client.app.state.engine


def test_bgmax_full_partial_over_and_unknown_twice(bare_api: Api) -> None:
    api = bare_api
    se = seller(api, SE_SELLER)
    full, part, over = (invoiced(api, se, n) for n in ("Full AB", "Del AB", "Över AB"))
    content = bgmax(
        "5050-1055",
        [
            Pay(full["payment_reference"], GROSS),
            Pay(part["payment_reference"], 5_000),
            Pay(over["payment_reference"], 20_000),
            Pay("4321", 777),  # no invoice has it
        ],
    )
    first = ok(upload(api, content, format="bgmax"), 201)
    assert (first["matched"], first["partly_allocated"], first["unmatched"]) == (3, 0, 1)
    assert (first["paid"], first["credit"], first["unallocated"]) == (
        GROSS + 5_000 + GROSS,
        7_500,
        777,
    )
    assert invoice(api, full)["status"] == "paid"
    assert (invoice(api, part)["status"], invoice(api, part)["amount_due"]) == ("open", 7_500)
    assert invoice(api, over)["status"] == "paid"
    assert balance(api, over) == 7_500  # 20 000 − 12 500 kept as customer credit
    queue = ok(api.get("/v1/payments/unmatched"))["data"]
    assert [(q["amount"], q["reason"], q["reference"]) for q in queue] == [
        (777, "unknown_reference", "4321")
    ]

    counts = row_counts(engine(api))
    again = upload(api, content)  # format read from the file
    assert again.status_code == 200
    assert again.json() == first
    # The same file re-saved with other line endings is still the same file (its TK01).
    assert ok(upload(api, content.replace(b"\r\n", b"\n"))) == first
    assert row_counts(engine(api)) == counts
    assert invoice(api, part)["amount_due"] == 7_500


def test_allocating_from_the_queue(bare_api: Api) -> None:
    api = bare_api
    se, no = seller(api, SE_SELLER), seller(api, NO_SELLER)
    inv = invoiced(api, se, "Kund AB")
    norsk = invoiced(api, no, "Kunde AS")
    ok(upload(api, bgmax("5050-1055", [Pay("99999", 20_000, payer="Okänd")])), 201)
    (queued,) = ok(api.get("/v1/payments/unmatched"))["data"]
    path = f"/v1/payments/unmatched/{queued['id']}/allocate"
    counts = row_counts(engine(api))
    refusals = [
        ({"invoice_id": inv["id"], "amount": 20_001}, "allocation_exceeds_payment"),
        ({"invoice_id": norsk["id"], "amount": 100}, "currency_mismatch"),
    ]
    for body, code in refusals:
        assert_problem(api.post(path, body), 422, code)
    assert_problem(api.post(path, {"invoice_id": "inv_nope", "amount": 1}), 404, "not_found")
    assert row_counts(engine(api)) == counts

    part = ok(api.post(path, {"invoice_id": inv["id"], "amount": 10_000}))
    assert (part["status"], part["unallocated"]) == ("partly_allocated", 10_000)
    assert invoice(api, inv)["amount_due"] == 2_500
    rest = ok(api.post(path, {"invoice_id": inv["id"], "amount": 10_000}))
    # 2 500 still due is paid; 7 500 beyond it is the customer's credit.
    assert (rest["status"], rest["unallocated"]) == ("allocated", 0)
    assert invoice(api, inv)["status"] == "paid"
    assert balance(api, inv) == 7_500
    assert ok(api.get("/v1/payments/unmatched"))["data"] == []
    assert_problem(
        api.post(path, {"invoice_id": inv["id"], "amount": 1}), 422, "allocation_exceeds_payment"
    )


def test_refused_bgmax_files_change_nothing(bare_api: Api) -> None:
    api = bare_api
    se = seller(api, SE_SELLER)
    inv = invoiced(api, se, "Kund AB")
    pays = [Pay(inv["payment_reference"], GROSS)]
    counts = row_counts(engine(api))
    broken = [
        (bgmax("5050-1055", pays, end_payments=2), "bank_file_checksum", "line 6"),
        (bgmax("5050-1055", pays, deposit_amount=1), "bank_file_checksum", "line 5"),
        (bgmax("5050-1055", pays).replace(b"\r\n26", b"\r\n99"), "bank_file_invalid", "line 4"),
        (b"hello", "bank_file_format", "not a BgMax"),
    ]
    for content, code, where in broken:
        r = upload(api, content)
        assert_problem(r, 422, code)
        assert r.json()["detail"].startswith(where), r.json()
    assert_problem(upload(api, bgmax("5050-1055", pays), format="camt054"), 422, "bank_file_format")
    assert row_counts(engine(api)) == counts
    assert invoice(api, inv)["status"] == "open"


def test_ocr_giro_kid_payments(bare_api: Api) -> None:
    api = bare_api
    no = seller(api, NO_SELLER)
    a, b = invoiced(api, no, "Kunde A AS"), invoiced(api, no, "Kunde B AS")
    content = ocr_giro(
        "86011117947", [Pay(a["payment_reference"], GROSS), Pay(b["payment_reference"], 2_500)]
    )
    counts = row_counts(engine(api))
    broken = ocr_giro("86011117947", [Pay(a["payment_reference"], GROSS)], assignment_total=1)
    assert_problem(upload(api, broken), 422, "bank_file_checksum")
    assert row_counts(engine(api)) == counts

    first = ok(upload(api, content, format="ocr_giro"), 201)
    assert (first["matched"], first["paid"], first["credit"]) == (2, GROSS + 2_500, 0)
    assert {p["seller_id"] for p in first["payments"]} == {no["id"]}
    assert invoice(api, a)["status"] == "paid"
    assert invoice(api, b)["amount_due"] == 10_000
    counts = row_counts(engine(api))
    assert ok(upload(api, content)) == first
    assert row_counts(engine(api)) == counts


def test_camt054_fik_code_line_other_sellers_and_currency(bare_api: Api) -> None:
    api = bare_api
    se, dk = seller(api, SE_SELLER), seller(api, DK_SELLER)
    dansk = invoiced(api, dk, "Kunde A/S")
    svensk = invoiced(api, se, "Kund AB")
    code_line = f"+71<{dansk['payment_reference']}+85858585<"
    content = camt054(
        "44400440116243",  # the Danish seller's account (reg.nr. 4440)
        [
            Entry("100.00", "DKK", (code_line,)),
            # A batch of two: 25.00 more on the Danish invoice, and a Swedish OCR reference
            # paid to this account in DKK: not the invoice's currency, so it waits.
            Entry(
                "75.00",
                "DKK",
                (dansk["payment_reference"], svensk["payment_reference"]),
                ("25.00", "50.00"),
            ),
        ],
    )
    first = ok(upload(api, content), 201)
    assert first["format"] == "camt054"
    assert [(p["amount"], p["status"], p["reason"]) for p in first["payments"]] == [
        (10_000, "matched", None),
        (2_500, "matched", None),
        (5_000, "unmatched", "unknown_reference"),  # the Danish seller has no such OCR
    ]
    assert invoice(api, dansk)["status"] == "paid"
    # No account of ours named: the Swedish reference is unique across sellers, but EUR.
    other = camt054(
        "99999999", [Entry("125.00", "EUR", (svensk["payment_reference"],))], msg_id="M2"
    )
    second = ok(upload(api, other), 201)
    assert second["payments"][0]["reason"] == "currency_mismatch"
    third = camt054(
        "99999999", [Entry("125.00", "SEK", (svensk["payment_reference"],))], msg_id="M3"
    )
    assert ok(upload(api, third), 201)["matched"] == 1
    assert invoice(api, svensk)["status"] == "paid"
    counts = row_counts(engine(api))
    for again in (content, other, third):
        assert upload(api, again).status_code == 200
    assert row_counts(engine(api)) == counts
