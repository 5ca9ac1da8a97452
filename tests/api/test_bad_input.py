"""Bad input: every refusal is a 4xx problem+json with type, title, status, detail and code, and
nothing changes in the database. Bodies are sent as raw JSON text so that ``1e3``, ``12.5`` and
``true`` reach the service exactly as a client wrote them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import assert_problem, bill, counts, ok, setup, state, sub_path
from tests.conftest import Api

#: Not amounts: strings, fractions, exponents, booleans, negatives, beyond 10^12, null objects.
BAD_AMOUNTS = ['"12"', "12.5", "1e3", "1000.0", "true", "-1", str(10**12 + 1), "[1]", "{}"]
BAD_QUANTITIES = ["0", "-1", "1000001", "1.0", '"2"', "true"]
BAD_CURRENCIES = ['"XXX"', '"ABC"', '"sek"', '""', '"SEKK"', "752", "null"]
BAD_DATES = [
    '"2025-02-30"',
    '"2025-04-31"',
    '"2023-02-29"',
    '"1800-01-01"',
    '"1899-12-31"',
    '"2200-01-01"',
    '"2300-01-01"',
    '"2025-4-2"',
    '"2025-04-02T00:00:00"',
    '"02/04/2025"',
    "20250402",
    '""',
]


def raw(api: Api, method: str, path: str, body: str) -> Any:
    headers = api.headers({"Content-Type": "application/json"})
    return api.client.request(method, path, content=body.encode(), headers=headers)


def refused(
    api: Api,
    method: str,
    path: str,
    body: str,
    status: int = 422,
    code: str | None = "validation_error",
) -> None:
    """The request is refused with a problem, and no table gained or lost a row."""
    before = counts(api)
    r = raw(api, method, path, body)
    try:
        assert_problem(r, status, code)
    except AssertionError as exc:
        raise AssertionError(f"{method} {path} {body}: {exc}") from None
    assert counts(api) == before, body


@pytest.fixture
def world(api: Api) -> dict[str, Any]:
    """A subscription from 2025-04-02 (today 2025-04-05), billed once, and its invoice."""
    sub = setup(api, today="2025-04-05", start="2025-04-02")
    [invoice_id] = bill(api, "2025-04-02")["invoices"]
    return {"sub": sub, "invoice_id": invoice_id, "before": state(api, sub)}


def unchanged(api: Api, world: dict[str, Any]) -> None:
    assert state(api, world["sub"]) == world["before"]


def test_bad_amounts(api: Api, world: dict[str, Any]) -> None:
    sub = world["sub"]
    for amount in BAD_AMOUNTS:
        refused(
            api,
            "POST",
            "/v1/plans",
            '{"code": "p", "name": "P", "currency": "SEK", "interval": "month", '
            f'"unit_amount": {amount}}}',
        )
        refused(
            api,
            "POST",
            "/v1/subscriptions",
            f'{{"customer_id": "{sub["customer_id"]}", "plan_id": "{sub["plan_id"]}", '
            f'"start_date": "2025-05-01", "unit_amount": {amount}}}',
        )
        refused(
            api,
            "POST",
            sub_path(sub, "/changes"),
            f'{{"effective_date": "2025-04-20", "unit_amount": {amount}}}',
        )
        refused(
            api,
            "POST",
            f"/v1/invoices/{world['invoice_id']}/payments",
            f'{{"paid_on": "2025-04-20", "amount": {amount}}}',
        )
    unchanged(api, world)
    # The bounds themselves are amounts: 0 and 10^12.
    for amount in (0, 10**12):
        ok(
            api.post(
                "/v1/plans",
                {
                    "code": f"p{amount}",
                    "name": "P",
                    "currency": "SEK",
                    "interval": "month",
                    "unit_amount": amount,
                },
            ),
            201,
        )


def test_bad_quantities(api: Api, world: dict[str, Any]) -> None:
    sub = world["sub"]
    for quantity in BAD_QUANTITIES:
        refused(
            api,
            "POST",
            "/v1/subscriptions",
            f'{{"customer_id": "{sub["customer_id"]}", "plan_id": "{sub["plan_id"]}", '
            f'"start_date": "2025-05-01", "quantity": {quantity}}}',
        )
        refused(
            api,
            "POST",
            sub_path(sub, "/changes"),
            f'{{"effective_date": "2025-04-20", "quantity": {quantity}}}',
        )
    unchanged(api, world)


def test_bad_currencies_names_locales_and_time_zones(api: Api, world: dict[str, Any]) -> None:
    for currency in BAD_CURRENCIES:
        refused(api, "POST", "/v1/customers", f'{{"name": "X", "currency": {currency}}}')
        refused(
            api,
            "POST",
            "/v1/plans",
            '{"code": "p", "name": "P", "interval": "month", "unit_amount": 100, '
            f'"currency": {currency}}}',
        )
    for name in ('""', '"' + "x" * 201 + '"', "42", "null"):
        refused(api, "POST", "/v1/customers", f'{{"name": {name}, "currency": "SEK"}}')
    refused(api, "POST", "/v1/customers", '{"name": "X", "currency": "SEK", "locale": "xx_YY"}')
    refused(
        api, "POST", "/v1/customers", '{"name": "X", "currency": "SEK", "timezone": "Mars/Olympus"}'
    )
    refused(
        api,
        "POST",
        "/v1/plans",
        '{"code": "p", "name": "P", "currency": "SEK", "unit_amount": 1, "interval": "week"}',
    )
    refused(
        api,
        "POST",
        "/v1/plans",
        '{"code": "p", "name": "P", "currency": "SEK", "unit_amount": 100, '
        '"interval": "month", "min_unit_amount": 101}',
    )
    refused(
        api,
        "POST",
        "/v1/plans",
        '{"code": "p", "name": "P", "currency": "SEK", "unit_amount": 100, '
        '"interval": "month", "contract": {"term_months": 0}}',
    )
    unchanged(api, world)


def test_bad_dates(api: Api, world: dict[str, Any]) -> None:
    sub = world["sub"]
    ids = f'"customer_id": "{sub["customer_id"]}", "plan_id": "{sub["plan_id"]}"'
    for day in BAD_DATES:
        refused(api, "POST", "/v1/subscriptions", f'{{{ids}, "start_date": {day}}}')
        refused(api, "POST", sub_path(sub, "/cancel"), f'{{"mode": "on_date", "date": {day}}}')
        refused(
            api,
            "POST",
            sub_path(sub, "/cancel"),
            f'{{"mode": "earliest_allowed", "requested_on": {day}}}',
        )
        refused(api, "POST", sub_path(sub, "/pause"), f'{{"start_date": {day}}}')
        refused(api, "POST", sub_path(sub, "/resume"), f'{{"date": {day}}}')
        refused(
            api, "POST", sub_path(sub, "/changes"), f'{{"effective_date": {day}, "quantity": 2}}'
        )
        refused(api, "POST", "/v1/bill-runs", f'{{"as_of": {day}}}')
        refused(
            api,
            "POST",
            f"/v1/invoices/{world['invoice_id']}/payments",
            f'{{"amount": 1, "paid_on": {day}}}',
        )
    unchanged(api, world)


def test_end_before_start_and_inconsistent_requests(api: Api, world: dict[str, Any]) -> None:
    sub = world["sub"]
    refused(
        api,
        "POST",
        sub_path(sub, "/cancel"),
        '{"mode": "on_date", "date": "2025-04-01"}',
        code="end_before_start",
    )
    refused(api, "POST", sub_path(sub, "/cancel"), '{"mode": "on_date"}')
    refused(api, "POST", sub_path(sub, "/cancel"), '{"mode": "immediately", "date": "2025-05-01"}')
    refused(api, "POST", sub_path(sub, "/cancel"), '{"mode": "yesterday"}')
    refused(
        api,
        "POST",
        sub_path(sub, "/pause"),
        '{"start_date": "2025-04-20", "resume_date": "2025-04-10"}',
    )
    refused(
        api, "POST", sub_path(sub, "/pause"), '{"start_date": "2025-03-01"}', code="before_start"
    )
    refused(
        api,
        "POST",
        sub_path(sub, "/changes"),
        '{"effective_date": "2025-03-01", "quantity": 2}',
        code="before_start",
    )
    refused(api, "POST", sub_path(sub, "/changes"), '{"effective_date": "2025-04-20"}')
    refused(
        api,
        "POST",
        sub_path(sub, "/changes"),
        '{"effective_date": "2025-04-20", "plan_id": "' + sub["plan_id"] + '"}',
        code="no_change",
    )
    ok(api.post(sub_path(sub, "/cancel"), {"mode": "on_date", "date": "2025-06-01"}))
    world["before"] = state(api, sub)
    refused(
        api,
        "POST",
        sub_path(sub, "/changes"),
        '{"effective_date": "2025-06-01", "quantity": 2}',
        code="after_end",
    )
    refused(api, "POST", sub_path(sub, "/pause"), '{"start_date": "2025-06-10"}', code="after_end")
    unchanged(api, world)


def test_unknown_ids_are_404(api: Api, world: dict[str, Any]) -> None:
    sub = world["sub"]
    refused(
        api,
        "POST",
        "/v1/subscriptions",
        f'{{"customer_id": "cus_nope", "plan_id": "{sub["plan_id"]}", "start_date": "2025-05-01"}}',
        404,
        "not_found",
    )
    refused(
        api,
        "POST",
        "/v1/subscriptions",
        f'{{"customer_id": "{sub["customer_id"]}", "plan_id": "plan_nope", '
        '"start_date": "2025-05-01"}',
        404,
        "not_found",
    )
    for suffix, body in (
        ("/cancel", '{"mode": "immediately"}'),
        ("/pause", '{"start_date": "2025-05-01"}'),
        ("/resume", '{"date": "2025-05-01"}'),
        ("/changes", '{"effective_date": "2025-05-01", "quantity": 2}'),
    ):
        refused(api, "POST", sub_path("sub_nope", suffix), body, 404, "not_found")
    refused(
        api,
        "POST",
        sub_path(sub, "/changes"),
        '{"effective_date": "2025-05-02", "plan_id": "plan_nope"}',
        404,
        "not_found",
    )
    refused(api, "DELETE", sub_path("sub_nope", "/cancel"), "", 404, "not_found")
    refused(
        api,
        "POST",
        "/v1/invoices/inv_nope/payments",
        '{"amount": 1, "paid_on": "2025-05-01"}',
        404,
        "not_found",
    )
    for path in (
        "/v1/customers/cus_nope",
        "/v1/plans/plan_nope",
        sub_path("sub_nope"),
        sub_path("sub_nope", "/timeline"),
        sub_path("sub_nope", "/ledger"),
        "/v1/invoices/inv_nope",
        "/v1/credit-notes/cn_nope",
        "/v1/nothing-here",
    ):
        assert_problem(api.get(path), 404, "not_found")
    # An invoice's id is not a credit note's, and the other way round.
    assert_problem(api.get(f"/v1/credit-notes/{world['invoice_id']}"), 404, "not_found")
    unchanged(api, world)


def test_malformed_json_unknown_fields_and_bad_lists(api: Api, world: dict[str, Any]) -> None:
    sub = world["sub"]
    for body in ('{"name": ', "not json", "[]", '"Acme"', "null", "", '{"name": "X",}'):
        refused(api, "POST", "/v1/customers", body)
    refused(api, "POST", "/v1/customers", '{"name": "X", "currency": "SEK", "colour": "red"}')
    refused(api, "POST", sub_path(sub, "/cancel"), '{"mode": "immediately", "force": true}')
    refused(
        api,
        "POST",
        sub_path(sub, "/changes"),
        '{"effective_date": "2025-04-20", "quantity": 2, "price": 1}',
    )
    refused(
        api,
        "POST",
        "/v1/plans",
        '{"code": "p", "name": "P", "currency": "SEK", "unit_amount": 1, "interval": "month",'
        ' "contract": {"term_months": 36, "notice": 6}}',
    )
    refused(api, "POST", "/v1/bill-runs", '{"as_of": "2025-04-02", "dry_run": true}')
    for params in ({"limit": "0"}, {"limit": "501"}, {"limit": "ten"}, {"after": "x" * 201}):
        assert_problem(api.get("/v1/customers", params=params), 422, "validation_error")
        assert_problem(api.get("/v1/subscriptions", params=params), 422, "validation_error")
    assert_problem(api.get("/v1/invoices", params={"limit": "0"}), 422, "validation_error")
    assert_problem(api.get("/v1/invoices", params={"after": "abc"}), 422, "invalid_cursor")
    unchanged(api, world)


def test_oversized_bodies_are_413(api: Api, world: dict[str, Any]) -> None:
    big = '{"name": "' + "x" * 1_100_000 + '", "currency": "SEK"}'
    refused(api, "POST", "/v1/customers", big, 413, "payload_too_large")
    refused(api, "POST", sub_path(world["sub"], "/cancel"), big, 413, "payload_too_large")

    # Without a Content-Length (chunked), the limit holds too.
    def chunks() -> Any:
        yield big[:500_000].encode()
        yield big[500_000:].encode()

    before = counts(api)
    r = api.client.post(
        "/v1/customers", content=chunks(), headers=api.headers({"Content-Type": "application/json"})
    )
    assert_problem(r, 413, "payload_too_large")
    assert counts(api) == before
    unchanged(api, world)
