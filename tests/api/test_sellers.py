"""Sellers: made and changed through the API, each identity number checked for its country,
normalized and printed; the default and the number series; every refusal with its code and
nothing changed.

The numbers are real and valid (checked with python-stdnum, whose doctests they come from):
SE 556036-0793 / SE556036079301, NO 995 525 828 (VAT NO 995 525 828 MVA) and 988 077 917,
DK CVR 13585628. Bank details: bankgiro 5050-1055, PlusGiro 286543-4, the Norwegian account
8601.11.17947 and the Danish reg.nr. 0040 with account 0440116243 (IBAN DK50 0040 0440 1162 43).

Most tests start from ``bare_api`` (no seller yet), so that "the first seller" is theirs.
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from billing.storage.models import DocumentCounter
from tests.api.helpers import assert_problem, bill, counts, ok
from tests.conftest import Api

ADDRESS = {"line1": "Storgatan 1", "postal_code": "111 22", "city": "Stockholm"}
SWEDISH: dict[str, Any] = {
    "legal_name": "Exempel AB",
    "address": ADDRESS,
    "country": "SE",
    "organisation_number": "556036-0793",
    "vat_number": "SE 5560360793 01",
    "f_skatt": True,
    "bank": {
        "bankgiro": "5050-1055",
        "plusgiro": "286543-4",
        "iban": "SE45 5000 0000 0583 9825 7466",
        "bic": "ESSESESS",
    },
    "payment_terms_days": 30,
    "email": "faktura@exempel.se",
    "phone": "+46 8 123 456",
}
NORWEGIAN: dict[str, Any] = {
    "legal_name": "Eksempel AS",
    "address": {"line1": "Karl Johans gate 1", "postal_code": "0154", "city": "Oslo"},
    "country": "NO",
    "organisation_number": "995 525 828",
    "vat_number": "NO 995 525 828 MVA",
    "foretaksregisteret": True,
    "bank": {"account": "8601.11.17947"},
}
DANISH: dict[str, Any] = {
    "legal_name": "Eksempel ApS",
    "address": {"line1": "Strøget 1", "postal_code": "1160", "city": "København K"},
    "country": "DK",
    "organisation_number": "13585628",
    "vat_number": "DK 13 58 56 28",
    "bank": {"account": "0040 0440116243", "creditor": "85012345"},
}


def make(api: Api, body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return ok(api.post("/v1/sellers", {**body, **changes}), 201)  # type: ignore[no-any-return]


def patch(api: Api, seller_id: str, body: dict[str, Any]) -> Any:
    return api.client.patch(f"/v1/sellers/{seller_id}", json=body, headers=api.headers())


def all_sellers(api: Api) -> list[dict[str, Any]]:
    return ok(api.get("/v1/sellers"))["data"]  # type: ignore[no-any-return]


def counters(api: Api) -> dict[str, int]:
    with api.client.app.state.engine.connect() as conn:
        rows = conn.execute(select(DocumentCounter.series, DocumentCounter.last_number))
        return {series: last for series, last in rows}


def test_a_swedish_seller_is_stored_normalized_and_answered_printed(bare_api: Api) -> None:
    api = bare_api
    seller = make(api, SWEDISH)
    assert seller["id"].startswith("sel_")
    assert seller["address"] == {**ADDRESS, "line2": None}
    assert (seller["country"], seller["organisation_number"], seller["vat_number"]) == (
        "SE",
        "5560360793",
        "SE556036079301",
    )
    assert seller["organisation_number_formatted"] == "556036-0793"
    assert seller["vat_number_formatted"] == "SE556036079301"
    assert (seller["f_skatt"], seller["foretaksregisteret"]) == (True, False)
    assert seller["bank"] == {
        "bankgiro": "50501055",
        "plusgiro": "2865434",
        "account": None,
        "iban": "SE4550000000058398257466",
        "bic": "ESSESESS",
        "creditor": None,
    }
    assert seller["bank_formatted"] == {
        "bankgiro": "5050-1055",
        "plusgiro": "286543-4",
        "account": None,
        "iban": "SE45 5000 0000 0583 9825 7466",
        "bic": "ESSESESS",
        "creditor": None,
    }
    # The first seller: the default, the plain series, the country's reference scheme.
    assert seller["is_default"] is True
    assert (seller["number_prefix"], seller["invoice_series"]) == ("", "INV")
    assert (seller["credit_note_series"], seller["customer_series"]) == ("CN", "CUST")
    assert (seller["reference_scheme"], seller["reference_prefix"]) == ("ocr", "")
    assert seller["payment_terms_days"] == 30
    assert (seller["email"], seller["phone"]) == ("faktura@exempel.se", "+46 8 123 456")
    assert ok(api.get(f"/v1/sellers/{seller['id']}")) == seller
    assert all_sellers(api) == [seller]
    assert_problem(api.get("/v1/sellers/sel_nope"), 404, "not_found")


def test_norwegian_and_danish_sellers(bare_api: Api) -> None:
    api = bare_api
    make(api, SWEDISH)
    norway = make(api, NORWEGIAN)
    assert (norway["organisation_number"], norway["organisation_number_formatted"]) == (
        "995525828",
        "995 525 828",
    )
    assert (norway["vat_number"], norway["vat_number_formatted"]) == (
        "NO995525828MVA",
        "NO 995 525 828 MVA",
    )
    assert norway["foretaksregisteret"] is True
    assert (norway["bank"]["account"], norway["bank_formatted"]["account"]) == (
        "86011117947",
        "8601.11.17947",
    )
    assert (norway["number_prefix"], norway["invoice_series"]) == ("NO", "NO-INV")
    assert (norway["reference_scheme"], norway["is_default"]) == ("kid_mod10", False)

    denmark = make(api, DANISH, reference_prefix="12")
    assert (denmark["organisation_number"], denmark["vat_number"]) == ("13585628", "DK13585628")
    assert denmark["bank"]["account"] == "00400440116243"
    assert denmark["bank_formatted"]["account"] == "0040 0440116243"
    assert denmark["bank"]["creditor"] == "85012345"
    assert (denmark["number_prefix"], denmark["credit_note_series"]) == ("DK", "DK-CN")
    assert (denmark["reference_scheme"], denmark["reference_prefix"]) == ("fik71", "12")
    # Not registered for VAT: no VAT number; no reference scheme when asked for none.
    plain = make(api, NORWEGIAN, vat_number=None, reference_scheme=None)
    assert (plain["vat_number"], plain["vat_number_formatted"]) == (None, None)
    assert plain["reference_scheme"] is None


def test_prefix_defaults_and_counters(bare_api: Api) -> None:
    api = bare_api
    before = counters(api)
    assert {"INV", "CN"} <= set(before)
    prefixes = [make(api, SWEDISH)["number_prefix"] for _ in range(3)]
    assert prefixes == ["", "SE", "SE2"]
    assert make(api, NORWEGIAN, number_prefix="AB1")["customer_series"] == "AB1-CUST"
    after = counters(api)
    made = {"CUST", "SE-INV", "SE-CN", "SE-CUST", "SE2-INV", "SE2-CN", "SE2-CUST"}
    made |= {"AB1-INV", "AB1-CN", "AB1-CUST"}
    assert set(after) - set(before) == made
    assert all(after[s] == 0 for s in made)
    # The plain series are kept as they were (AUD numbers the activity log: every write moves it).
    kept = {s: n for s, n in before.items() if s != "AUD"}
    assert {s: after[s] for s in kept} == kept

    state = counts(api)
    r = api.post("/v1/sellers", {**DANISH, "number_prefix": "SE"})
    assert_problem(r, 409, "number_prefix_taken")
    assert counts(api) == state


def test_first_seller_continues_the_plain_series(api: Api) -> None:
    """Documents issued by the first seller (the test seller) carry on in INV."""
    seller = all_sellers(api)[0]
    assert seller["invoice_series"] == "INV"
    api.today("2025-04-02")
    customer = api.customer()
    api.subscription(customer, api.plan())
    bill(api, "2025-04-02")
    invoice = ok(api.get("/v1/invoices"))["data"][0]
    assert invoice["number"].startswith("INV-")


def defaults(api: Api) -> list[str]:
    return [s["id"] for s in all_sellers(api) if s["is_default"]]


def test_exactly_one_default_which_moves(bare_api: Api) -> None:
    api = bare_api
    state = counts(api)
    r = api.post("/v1/sellers", {**SWEDISH, "is_default": False})
    assert_problem(r, 409, "default_seller_required")
    assert counts(api) == state

    first = make(api, SWEDISH)
    second = make(api, NORWEGIAN)
    assert defaults(api) == [first["id"]]
    third = make(api, DANISH, is_default=True)
    assert defaults(api) == [third["id"]]
    assert ok(patch(api, second["id"], {"is_default": True}))["is_default"] is True
    assert defaults(api) == [second["id"]]
    assert ok(patch(api, first["id"], {"is_default": False}))["is_default"] is False
    assert defaults(api) == [second["id"]]

    state = counts(api)
    assert_problem(patch(api, second["id"], {"is_default": False}), 409, "default_seller_required")
    assert defaults(api) == [second["id"]]
    assert counts(api) == state


def _without(body: dict[str, Any], *path: str) -> dict[str, Any]:
    out = copy.deepcopy(body)
    *parents, last = path
    target = out
    for name in parents:
        target = target[name]
    del target[last]
    return out


#: (body, status, code): each refused, and nothing stored.
REFUSED: list[tuple[dict[str, Any], int, str]] = [
    ({**SWEDISH, "organisation_number": "556036-0794"}, 422, "invalid_organisation_number"),
    ({**SWEDISH, "organisation_number": "55603607"}, 422, "invalid_organisation_number"),
    ({**SWEDISH, "vat_number": "SE556036079401"}, 422, "invalid_vat_number"),
    ({**SWEDISH, "vat_number": "SE123456789701"}, 422, "vat_number_organisation_mismatch"),
    ({**SWEDISH, "vat_number": "NO995525828MVA"}, 422, "vat_number_country_mismatch"),
    ({**NORWEGIAN, "organisation_number": "988 077 918"}, 422, "invalid_organisation_number"),
    ({**NORWEGIAN, "vat_number": "NO 995 525 828"}, 422, "invalid_vat_number"),
    ({**NORWEGIAN, "vat_number": "NO 988 077 917 MVA"}, 422, "vat_number_organisation_mismatch"),
    ({**DANISH, "organisation_number": "13585627"}, 422, "invalid_organisation_number"),
    ({**DANISH, "vat_number": "DK24256790"}, 422, "vat_number_organisation_mismatch"),
    ({**SWEDISH, "country": "FI"}, 422, "seller_country_unsupported"),
    ({**SWEDISH, "country": "XX"}, 422, "unknown_country"),
    ({**NORWEGIAN, "f_skatt": True}, 422, "f_skatt_not_swedish"),
    ({**SWEDISH, "foretaksregisteret": True}, 422, "foretaksregisteret_not_norwegian"),
    (_without(DANISH, "bank", "creditor"), 422, "fik_needs_creditor"),
    ({**SWEDISH, "reference_scheme": "fik71"}, 422, "fik_needs_creditor"),
    ({**DANISH, "reference_prefix": "12345"}, 422, "invalid_payment_reference"),
    ({**SWEDISH, "bank": {"bankgiro": "5050-1056"}}, 422, "invalid_bankgiro"),
    ({**SWEDISH, "bank": {"plusgiro": "286543-5"}}, 422, "invalid_plusgiro"),
    ({**SWEDISH, "bank": {"iban": "SE45 5000 0000 0583 9825 7467"}}, 422, "invalid_iban"),
    ({**SWEDISH, "bank": {"bic": "ESSEXXSS"}}, 422, "invalid_bic"),
    ({**NORWEGIAN, "bank": {"account": "8601.11.17948"}}, 422, "invalid_bank_account"),
    ({**DANISH, "bank": {"account": "0040", "creditor": "85012345"}}, 422, "invalid_bank_account"),
    ({**DANISH, "bank": {"creditor": "8501234"}}, 422, "invalid_creditor_number"),
    ({**NORWEGIAN, "bank": {"bankgiro": "5050-1055"}}, 422, "bank_detail_not_for_country"),
    ({**SWEDISH, "bank": {"account": "8601.11.17947"}}, 422, "bank_detail_not_for_country"),
    ({**NORWEGIAN, "bank": {"creditor": "85012345"}}, 422, "bank_detail_not_for_country"),
    ({**SWEDISH, "payment_terms_days": 366}, 422, "validation_error"),
    ({**SWEDISH, "number_prefix": "se"}, 422, "validation_error"),
    ({**SWEDISH, "number_prefix": "ABCDEFG"}, 422, "validation_error"),
    ({**SWEDISH, "reference_prefix": "12a"}, 422, "validation_error"),
    ({**SWEDISH, "reference_scheme": "giro"}, 422, "validation_error"),
    ({**SWEDISH, "f_skatt": "yes"}, 422, "validation_error"),
    ({**SWEDISH, "email": "not an address"}, 422, "validation_error"),
    (_without(SWEDISH, "address", "city"), 422, "validation_error"),
    (_without(SWEDISH, "organisation_number"), 422, "validation_error"),
]


def test_every_refusal_has_its_code_and_stores_nothing(bare_api: Api) -> None:
    api = bare_api
    for with_first in (False, True):  # as the first seller, and as a later one
        if with_first:
            make(api, SWEDISH)
        state, series = counts(api), counters(api)
        for body, status, code in REFUSED:
            assert_problem(api.post("/v1/sellers", body), status, code)
        assert counts(api) == state
        assert counters(api) == series


def test_patch_changes_what_it_names(bare_api: Api) -> None:
    api = bare_api
    seller = make(api, SWEDISH)
    changed = ok(
        patch(
            api,
            seller["id"],
            {
                "legal_name": "Exempel Group AB",
                "address": {
                    "line1": "Box 1",
                    "line2": "c/o Exempel",
                    "postal_code": "11122",
                    "city": "Stockholm",
                },
                "bank": {"bankgiro": "902-0033"},
                "email": None,
                "payment_terms_days": 10,
                "reference_scheme": "ocr_length",
            },
        )
    )
    assert changed["legal_name"] == "Exempel Group AB"
    assert changed["address"]["line2"] == "c/o Exempel"
    assert (changed["bank"]["bankgiro"], changed["bank"]["plusgiro"]) == ("9020033", None)
    assert changed["bank_formatted"]["bankgiro"] == "902-0033"
    assert (changed["email"], changed["phone"]) == (None, SWEDISH["phone"])
    assert (changed["payment_terms_days"], changed["reference_scheme"]) == (10, "ocr_length")
    assert changed["organisation_number"] == "5560360793"
    assert ok(api.get(f"/v1/sellers/{seller['id']}")) == changed

    # Before any document: it may even move country (its numbers checked for the new one).
    moved = ok(patch(api, seller["id"], {**NORWEGIAN, "f_skatt": False, "number_prefix": "NO"}))
    assert (moved["country"], moved["organisation_number"]) == ("NO", "995525828")
    assert (moved["number_prefix"], moved["invoice_series"]) == ("NO", "NO-INV")
    assert moved["reference_scheme"] == "ocr_length"  # kept: not named
    assert {"NO-INV", "NO-CN", "NO-CUST"} <= set(counters(api))


def test_patch_refusals_change_nothing(bare_api: Api) -> None:
    api = bare_api
    seller = make(api, SWEDISH)
    other = make(api, NORWEGIAN)
    state = counts(api)
    before = ok(api.get(f"/v1/sellers/{seller['id']}"))
    for body, status, code in [
        ({"country": "NO"}, 422, "invalid_organisation_number"),  # SE numbers are not NO's
        ({"vat_number": "SE123456789701"}, 422, "vat_number_organisation_mismatch"),
        (
            {
                "f_skatt": True,
                "country": "DK",
                "organisation_number": "13585628",
                "vat_number": None,
            },
            422,
            "f_skatt_not_swedish",
        ),  # fmt: skip
        ({"reference_scheme": "fik71"}, 422, "fik_needs_creditor"),
        ({"number_prefix": other["number_prefix"]}, 409, "number_prefix_taken"),
        ({"legal_name": None}, 422, "validation_error"),
        ({"bank": None}, 422, "validation_error"),
        ({"colour": "red"}, 422, "validation_error"),
    ]:
        assert_problem(patch(api, seller["id"], body), status, code)
    assert_problem(patch(api, "sel_nope", {"email": "a@b.se"}), 404, "not_found")
    assert counts(api) == state
    assert ok(api.get(f"/v1/sellers/{seller['id']}")) == before


def test_documents_fix_country_organisation_number_and_prefix(api: Api) -> None:
    seller = all_sellers(api)[0]  # the test seller, the default
    api.today("2025-04-02")
    api.subscription(api.customer(), api.plan())
    bill(api, "2025-04-02")
    state = counts(api)
    for body in (
        {"country": "NO", "organisation_number": "995525828", "f_skatt": False},
        {"organisation_number": "5164061540"},
        {"number_prefix": "SE"},
    ):
        assert_problem(patch(api, seller["id"], body), 409, "seller_has_documents")
    assert counts(api) == state
    # Everything else may still change, the same numbers said again included.
    body = {"legal_name": "Testbolaget Nya AB", "organisation_number": "556036-0793"}
    assert ok(patch(api, seller["id"], {**body, "vat_number": "SE556036079301"}))["vat_number"]


def test_a_new_prefix_continues_the_customer_numbers(bare_api: Api) -> None:
    api = bare_api
    make(api, SWEDISH)
    second = make(api, NORWEGIAN)
    numbers = [api.customer(seller_id=second["id"])["customer_number"] for _ in range(2)]
    assert numbers == ["1001", "1002"]
    ok(patch(api, second["id"], {"number_prefix": "N2"}))
    assert api.customer(seller_id=second["id"])["customer_number"] == "1003"
    assert counters(api)["N2-CUST"] == 3
