"""What the schemathesis run (tests/api/test_schemathesis.py) and the audit around it found,
each as a test of its own: numbers in text are ASCII digits, and every answer's content type
is in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from billing.http.openapi import export_openapi
from tests.conftest import Api
from tests.unchanged import rows

ARABIC_INDIC_2025_04 = "\u0662\u0660\u0662\u0665-\u0660\u0664"


def test_a_report_month_in_other_digits_is_refused(api: Api) -> None:
    """``\\d`` took ``٢٠٢٥-٠٤`` and the report answered it as a month."""
    r = api.get("/v1/reports/terminations", params={"month": ARABIC_INDIC_2025_04})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "validation_error"
    assert api.get("/v1/reports/terminations", params={"month": "2025-04"}).status_code == 200


def test_an_account_in_other_digits_is_refused_and_changes_nothing(api: Api) -> None:
    """``1٢٣٤`` passed as a BAS account and the SIE file wrote it ``1???``."""
    seller = api.get("/v1/sellers").json()["data"][0]
    path = f"/v1/sellers/{seller['id']}/accounts"
    engine = api.client.app.state.engine
    before = rows(engine)
    for entry, code in (
        ({"key": "bank", "account": "1\u0662\u0663\u0664", "name": "Bank"}, "account_number"),
        ({"key": "vat:\u0662\u0665\u0660\u0660", "account": "2611", "name": "Moms"}, "account_key"),
    ):
        r = api.put(path, {"accounts": [entry]})
        assert (r.status_code, r.json()["code"]) == (422, code), r.text
    assert rows(engine) == before
    r = api.put(path, {"accounts": [{"key": "bank", "account": "1934", "name": "Bank"}]})
    assert r.status_code == 200, r.text


def _content_types(operation: dict[str, Any]) -> set[str]:
    return set(operation["responses"]["200"]["content"])


def test_reports_declare_their_csv(api: Api) -> None:
    """The aging and the terminations report answer text/csv with ``format=csv``; the
    document declared only JSON (schemathesis: undocumented content type)."""
    paths = export_openapi()["paths"]
    for path in ("/v1/receivables/aging", "/v1/reports/terminations"):
        assert _content_types(paths[path]["get"]) == {"application/json", "text/csv"}, path
    api.today("2025-04-10")
    for path, query in (
        ("/v1/receivables/aging", {"format": "csv"}),
        ("/v1/reports/terminations", {"format": "csv", "month": "2025-04"}),
    ):
        r = api.get(path, params=query)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/csv"), path
