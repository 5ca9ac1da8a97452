"""Buyers: a customer's legal details checked for its country, its seller, PATCH, and customer
numbers from its seller's series.

Valid numbers from python-stdnum's doctests: DE136695976, FI20774740 (Y-tunnus 2077474-0),
EL094259216 (Greece), SE 556036-0793 / SE556036079301, NO 988 077 917 MVA.
"""

from __future__ import annotations

from typing import Any

from tests.api.helpers import assert_problem, bill, counts, ok
from tests.api.test_sellers import NORWEGIAN, SWEDISH, all_sellers, make
from tests.conftest import Api

ADDRESS = {"line1": "Unter den Linden 1", "postal_code": "10117", "city": "Berlin"}


def patch(api: Api, customer_id: str, body: dict[str, Any]) -> Any:
    return api.client.patch(f"/v1/customers/{customer_id}", json=body, headers=api.headers())


def test_buyer_details_are_checked_and_normalized(api: Api) -> None:
    german = api.customer(
        name="Beispiel GmbH",
        currency="EUR",
        kind="business",
        legal_name="Beispiel GmbH",
        address=ADDRESS,
        country="de",
        vat_number="DE 136 695 976",
    )
    assert (german["kind"], german["legal_name"], german["country"]) == (
        "business",
        "Beispiel GmbH",
        "DE",
    )
    assert german["address"] == {**ADDRESS, "line2": None}
    assert (german["vat_number"], german["vat_number_formatted"]) == ("DE136695976", "DE136695976")
    assert german["organisation_number"] is None
    assert ok(api.get(f"/v1/customers/{german['id']}")) == german

    finnish = api.customer(
        country="FI", organisation_number="2077474-0", vat_number="FI 20774740", kind="business"
    )
    assert (finnish["organisation_number"], finnish["organisation_number_formatted"]) == (
        "20774740",
        "2077474-0",
    )
    assert finnish["vat_number"] == "FI20774740"
    for typed in ("EL 094259216", "GR094259216", "094259216"):
        greek = api.customer(country="GR", vat_number=typed, kind="business")
        assert (greek["country"], greek["vat_number"]) == ("GR", "EL094259216")
    norwegian = api.customer(country="NO", vat_number="988077917MVA", kind="business")
    assert norwegian["vat_number_formatted"] == "NO 988 077 917 MVA"
    # No country: the seller's (the test seller is Swedish), stored with the numbers.
    domestic = api.customer(organisation_number="556036-0793", vat_number="SE556036079301")
    assert (domestic["country"], domestic["organisation_number"]) == ("SE", "5560360793")
    assert domestic["organisation_number_formatted"] == "556036-0793"
    # A name is all a domestic consumer needs.
    plain = api.customer(name="Anna Andersson", kind="consumer")
    assert (plain["country"], plain["address"], plain["vat_number"]) == (None, None, None)
    # Elsewhere an organisation number is the register's identifier as given.
    american = api.customer(country="US", organisation_number=" 12-3456789 ", kind="business")
    assert american["organisation_number"] == "12-3456789"


#: (body, code): each refused with 422, nothing stored.
REFUSED: list[tuple[dict[str, Any], str]] = [
    ({"country": "EL", "vat_number": "EL094259216"}, "unknown_country"),
    ({"country": "XX"}, "unknown_country"),
    ({"country": "DE", "vat_number": "FI20774740"}, "vat_number_country_mismatch"),
    ({"country": "FI", "vat_number": "DE136695976"}, "vat_number_country_mismatch"),
    ({"country": "DE", "vat_number": "DE136695978"}, "invalid_vat_number"),
    ({"country": "GR", "vat_number": "EL123456781"}, "invalid_vat_number"),
    ({"country": "NO", "vat_number": "NO988077917"}, "invalid_vat_number"),
    ({"vat_number": "DE136695976"}, "vat_number_country_mismatch"),  # the seller's country: SE
    ({"organisation_number": "556036-0794"}, "invalid_organisation_number"),
    (
        {"organisation_number": "556036-0793", "vat_number": "SE123456789701"},
        "vat_number_organisation_mismatch",
    ),
    (
        {"country": "FI", "organisation_number": "2077474-0", "vat_number": "FI20774741"},
        "invalid_vat_number",
    ),
    ({"country": "US", "vat_number": "US123"}, "vat_number_unsupported_country"),
    ({"kind": "consumer", "vat_number": "SE556036079301"}, "consumer_vat_number"),
    ({"seller_id": "sel_nope"}, "unknown_seller"),
    ({"kind": "government"}, "validation_error"),
    ({"address": {"line1": "Gata 1", "city": "Malmö"}}, "validation_error"),
    ({"legal_name": "   "}, "validation_error"),
]


def test_buyer_refusals_have_their_code_and_store_nothing(api: Api) -> None:
    state = counts(api)
    for body, code in REFUSED:
        r = api.post("/v1/customers", {"name": "Kund", "currency": "SEK", **body})
        assert_problem(r, 422, code)
    assert counts(api) == state


def test_without_a_seller_the_country_must_be_said(bare_api: Api) -> None:
    api = bare_api
    state = counts(api)
    body = {"name": "Kund", "currency": "SEK", "organisation_number": "556036-0793"}
    assert_problem(api.post("/v1/customers", body), 422, "buyer_country_required")
    assert counts(api) == state
    made = api.customer(**body, country="SE")
    assert (made["country"], made["customer_number"]) == ("SE", None)


def test_customer_numbers_per_seller(bare_api: Api) -> None:
    api = bare_api
    early = [api.customer(name=f"Early {i}") for i in range(3)]
    assert [c["customer_number"] for c in early] == [None, None, None]
    first = make(api, SWEDISH)
    # The first seller numbered the customers made before it, in the order they were made.
    assert [ok(api.get(f"/v1/customers/{c['id']}"))["customer_number"] for c in early] == [
        "1001",
        "1002",
        "1003",
    ]
    assert api.customer()["customer_number"] == "1004"
    norway = make(api, NORWEGIAN)
    assert norway["customer_series"] == "NO-CUST"
    own = api.customer(seller_id=norway["id"], currency="NOK")
    assert (own["seller_id"], own["customer_number"]) == (norway["id"], "1001")
    assert api.customer(seller_id=first["id"])["customer_number"] == "1005"

    # Moving to another seller (no documents yet) takes a number of its series; naming the
    # seller it already buys from keeps the number.
    moved = ok(patch(api, early[0]["id"], {"seller_id": norway["id"]}))
    assert (moved["seller_id"], moved["customer_number"]) == (norway["id"], "1002")
    pinned = ok(patch(api, early[1]["id"], {"seller_id": first["id"]}))
    assert (pinned["seller_id"], pinned["customer_number"]) == (first["id"], "1002")
    # The default moving keeps every number.
    ok(api.client.patch(f"/v1/sellers/{norway['id']}", json={"is_default": True},
                        headers=api.headers()))  # fmt: skip
    assert ok(api.get(f"/v1/customers/{early[2]['id']}"))["customer_number"] == "1003"
    assert api.customer()["customer_number"] == "1003"  # the new default's series


def test_patch_a_customer(api: Api) -> None:
    customer = api.customer(name="Kund AB", external_ref="crm-1")
    changed = ok(
        patch(
            api,
            customer["id"],
            {
                "name": "Kund Nya AB",
                "locale": "en_GB",
                "timezone": "Europe/London",
                "external_ref": None,
                "kind": "business",
                "legal_name": "Kund Nya Aktiebolag",
                "address": {"line1": "Gata 1", "postal_code": "211 20", "city": "Malmö"},
                "organisation_number": "556036-0793",
            },
        )
    )
    assert (changed["name"], changed["locale"], changed["timezone"]) == (
        "Kund Nya AB",
        "en_GB",
        "Europe/London",
    )
    assert (changed["external_ref"], changed["kind"]) == (None, "business")
    assert (changed["country"], changed["organisation_number"]) == ("SE", "5560360793")
    assert changed["currency"] == "SEK"
    assert changed["customer_number"] == customer["customer_number"]
    assert ok(api.get(f"/v1/customers/{customer['id']}")) == changed
    # A change of country is checked against the numbers it keeps.
    state = counts(api)
    for body, code in [
        ({"country": "NO"}, "invalid_organisation_number"),
        ({"vat_number": "DE136695976"}, "vat_number_country_mismatch"),
        ({"name": None}, "validation_error"),
        ({"currency": "EUR"}, "validation_error"),
        ({"seller_id": "sel_nope"}, "unknown_seller"),
    ]:
        assert_problem(patch(api, customer["id"], body), 422, code)
    assert_problem(patch(api, "cus_nope", {"name": "X"}), 404, "not_found")
    assert counts(api) == state
    assert ok(api.get(f"/v1/customers/{customer['id']}")) == changed
    cleared = ok(patch(api, customer["id"], {"address": None, "organisation_number": None}))
    assert (cleared["address"], cleared["organisation_number"]) == (None, None)
    assert cleared["country"] == "SE"  # stays, as stored


def test_a_customer_with_documents_keeps_its_seller(api: Api) -> None:
    default = all_sellers(api)[0]
    other = make(api, NORWEGIAN)
    api.today("2025-04-02")
    customer = api.customer()
    api.subscription(customer, api.plan())
    bill(api, "2025-04-02")
    state = counts(api)
    r = patch(api, customer["id"], {"seller_id": other["id"]})
    assert_problem(r, 409, "customer_has_documents")
    assert counts(api) == state
    # Naming the seller it buys from already (the default) is no move; other fields change.
    pinned = ok(patch(api, customer["id"], {"seller_id": default["id"], "name": "Kund 2"}))
    assert (pinned["seller_id"], pinned["name"]) == (default["id"], "Kund 2")
    assert pinned["customer_number"] == customer["customer_number"]
