"""The published contract: api/openapi.json is what the app serves, and holds the contract."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pytest

from billing.http.openapi import export_openapi, render_openapi

ROOT = Path(__file__).resolve().parents[1]
CHECKED_IN = ROOT / "api" / "openapi.json"
REFRESH = "run `billing openapi --output api/openapi.json` from the repository root and commit it"

# docs/api-contract.md, "Resources (minimum)" and "Roles": path -> methods it must offer.
CONTRACT: dict[str, set[str]] = {
    "/v1/customers": {"post"},
    "/v1/plans": {"post"},
    "/v1/subscriptions": {"post"},
    "/v1/subscriptions/{subscription_id}": {"get"},
    "/v1/subscriptions/{subscription_id}/timeline": {"get"},
    "/v1/subscriptions/{subscription_id}/cancel": {"post", "delete"},
    "/v1/subscriptions/{subscription_id}/pause": {"post"},
    "/v1/subscriptions/{subscription_id}/resume": {"post"},
    "/v1/subscriptions/{subscription_id}/changes": {"post"},
    "/v1/subscriptions/{subscription_id}/ledger": {"get"},
    "/v1/bill-runs": {"post"},
    "/v1/invoices": {"get"},
    "/v1/invoices/{invoice_id}": {"get"},
    "/v1/credit-notes": {"get"},
    "/v1/api-keys": {"post"},
    "/v1/test-clock": {"put"},
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return export_openapi()


def test_checked_in_document_is_current(document: dict[str, Any]) -> None:
    assert CHECKED_IN.exists(), f"{CHECKED_IN.relative_to(ROOT)} is missing: {REFRESH}"
    current = render_openapi(document)
    stored = CHECKED_IN.read_text(encoding="utf-8")
    if stored != current:
        diff = "".join(
            list(
                difflib.unified_diff(
                    stored.splitlines(keepends=True),
                    current.splitlines(keepends=True),
                    "api/openapi.json (checked in)",
                    "api/openapi.json (generated)",
                )
            )[:60]
        )
        pytest.fail(f"api/openapi.json is stale: {REFRESH}.\n{diff}", pytrace=False)


@pytest.mark.parametrize("path", sorted(CONTRACT))
def test_contract_path_is_published(document: dict[str, Any], path: str) -> None:
    assert path in document["paths"], f"the contract's {path} is missing from the OpenAPI document"
    missing = CONTRACT[path] - set(document["paths"][path])
    assert not missing, f"{path} lacks {sorted(m.upper() for m in missing)}"


def test_mutating_subscription_calls_offer_preview(document: dict[str, Any]) -> None:
    """The contract: every mutating subscription call accepts ?preview=true."""
    for path, ops in document["paths"].items():
        if not path.startswith("/v1/subscriptions"):
            continue
        for method, op in ops.items():
            if method in ("post", "delete"):
                names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
                assert "preview" in names, f"{method.upper()} {path} has no ?preview"


def test_building_the_document_touches_no_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BILLING_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert export_openapi()["paths"]
    assert list(tmp_path.iterdir()) == []
