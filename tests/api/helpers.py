"""Shared helpers for the API tests: set-up, problem checks and "nothing changed" snapshots."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.unchanged import row_counts

PROBLEM = "application/problem+json"
#: A contract like the licence business's: 36-month term, 12 minimum, 6 months' notice.
CONTRACT = {"term_months": 36, "minimum_term_months": 12, "notice_months": 6, "renewal_months": 12}


def setup(
    api: Api,
    *,
    today: str = "2025-04-02",
    start: str = "2025-04-02",
    customer: dict[str, Any] | None = None,
    sub: dict[str, Any] | None = None,
    **plan: Any,
) -> dict[str, Any]:
    """Set the clock, make a customer (SEK, sv_SE), a plan and one subscription on it."""
    api.today(today)
    cust = api.customer(**(customer or {}))
    p = api.plan(currency=cust["currency"], **plan)
    return api.subscription(cust, p, start_date=start, **(sub or {}))  # type: ignore[no-any-return]


def bill(api: Api, as_of: str) -> dict[str, Any]:
    r = api.post("/v1/bill-runs", {"as_of": as_of})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def sub_path(sub: dict[str, Any] | str, suffix: str = "") -> str:
    sid = sub if isinstance(sub, str) else sub["id"]
    return f"/v1/subscriptions/{sid}{suffix}"


def cancel(api: Api, sub: dict[str, Any], status: int = 200, **body: Any) -> Any:
    r = api.post(sub_path(sub, "/cancel"), body)
    assert r.status_code == status, r.text
    return r.json()


def ledger(api: Api, sub: dict[str, Any]) -> dict[str, Any]:
    return ok(api.get(sub_path(sub, "/ledger")))  # type: ignore[no-any-return]


def timeline(api: Api, sub: dict[str, Any]) -> dict[str, Any]:
    return ok(api.get(sub_path(sub, "/timeline")))  # type: ignore[no-any-return]


def entries(api: Api, sub: dict[str, Any]) -> list[tuple[str, str, str, int]]:
    """The ledger as (kind, service_start, service_end, amount) tuples, in posting order."""
    return [
        (e["kind"], e["service_start"], e["service_end"], e["amount"])
        for e in ledger(api, sub)["data"]
    ]


def assert_problem(r: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """An RFC 9457 problem with every field the contract names, and the expected code."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM), r.headers["content-type"]
    body: dict[str, Any] = r.json()
    for field in ("type", "title", "status", "detail", "code"):
        assert field in body, body
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code, body
    return body


def counts(api: Api) -> dict[str, int]:
    """Rows per table (every table a refused request must leave alone), from the database."""
    return row_counts(api.client.app.state.engine)


def state(api: Api, sub: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything a change could touch, as the API shows it (plus row counts)."""
    out: dict[str, Any] = {
        "counts": counts(api),
        "invoices": ok(api.get("/v1/invoices"))["data"],
        "credit_notes": ok(api.get("/v1/credit-notes"))["data"],
    }
    if sub is not None:
        out["subscription"] = ok(api.get(sub_path(sub)))
        out["ledger"] = ledger(api, sub)
        out["timeline"] = timeline(api, sub)
    return out


def api_key(api: Api, role: str, customer_id: str | None = None) -> Api:
    """A new key of ``role`` (portal keys bound to ``customer_id``), as an Api client."""
    body: dict[str, Any] = {"role": role}
    if customer_id is not None:
        body["customer_id"] = customer_id
    key = ok(api.post("/v1/api-keys", body), 201)
    assert key["token"] and key["id"]
    return api.as_token(key["token"])
