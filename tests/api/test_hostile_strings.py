"""Control characters and non-ASCII digits never reach the database: each answers 422 with a
named code and changes nothing (before: NUL anywhere was a 500 on PostgreSQL, a cursor or
If-Match of ``²`` passed ``str.isdigit`` and failed ``int``, and a cursor past 64 bits overflowed
the query)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.unchanged import rows


def _world(api: Api) -> dict[str, Any]:
    api.today("2025-04-10")
    customer = api.customer(name="Fjällbacka Larm AB")
    plan = api.plan(code="monthly", unit_amount=24995)
    sub = api.subscription(customer, plan, start_date="2025-04-02")
    return {"customer": customer, "sub": sub}


CASES: list[tuple[str, str, str, Any, dict[str, Any], int, str]] = [
    # (what, method, path, body, headers, status, code)
    (
        "NUL in a name",
        "POST",
        "/v1/customers",
        {"name": "Acme\u0000AB", "currency": "SEK"},
        {},
        422,
        "validation_error",
    ),
    (
        "escape in a name",
        "POST",
        "/v1/customers",
        {"name": "Acme\u001bAB", "currency": "SEK"},
        {},
        422,
        "validation_error",
    ),
    (
        "NUL in free text",
        "POST",
        "{sub}/cancel",
        {"mode": "on_date", "date": "2025-05-02", "reason": "moving\u0000"},
        {},
        422,
        "validation_error",
    ),
    ("NUL in a path id", "GET", "/v1/subscriptions/sub_%00x", None, {}, 422, "validation_error"),
    ("NUL in a query", "GET", "/v1/invoices?customer_id=cus%00", None, {}, 422, "validation_error"),
    ("DEL in a query", "GET", "/v1/credit-notes?after=1%7F", None, {}, 422, "validation_error"),
    (
        "superscript cursor (events)",
        "GET",
        "/v1/events?after=%C2%B2",
        None,
        {},
        422,
        "invalid_cursor",
    ),
    (
        "superscript cursor (invoices)",
        "GET",
        "/v1/invoices?after=%C2%B2",
        None,
        {},
        422,
        "invalid_cursor",
    ),
    (
        "cursor past 64 bits",
        "GET",
        "/v1/events?after=99999999999999999999",
        None,
        {},
        422,
        "invalid_cursor",
    ),
    (
        "superscript If-Match",
        "POST",
        "{sub}/pause",
        {"start_date": "2025-05-02"},
        {"If-Match": "\u00b2".encode()},
        422,
        "validation_error",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_hostile_strings_are_refused_and_change_nothing(
    api: Api, case: tuple[str, str, str, Any, dict[str, Any], int, str]
) -> None:
    what, method, path, body, headers, status, code = case
    world = _world(api)
    path = path.replace("{sub}", f"/v1/subscriptions/{world['sub']['id']}")
    engine = api.client.app.state.engine
    before = rows(engine)
    if method == "GET":
        r = api.get(path, headers=headers)
    else:
        r = api.post(path, body, headers=headers)
    assert r.status_code == status, (what, r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/problem+json"), what
    assert r.json()["code"] == code, (what, r.json())
    assert rows(engine) == before, what


def test_tabs_and_newlines_stay_allowed_in_free_text(api: Api) -> None:
    world = _world(api)
    r = api.post(
        f"/v1/subscriptions/{world['sub']['id']}/cancel",
        {"mode": "on_date", "date": "2025-05-02", "reason": "Flyttar.\n\tNy adress i Åre."},
    )
    assert r.status_code == 200, r.text
