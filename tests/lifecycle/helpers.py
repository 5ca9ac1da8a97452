"""Helpers for the lifecycle tests: set-up, problem checks and "nothing changed" snapshots."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.unchanged import row_counts, rows

PROBLEM = "application/problem+json"
#: The licence business's contract: 36-month term, 12 minimum, 12-month renewals; notice
#: months left to the versioned rules (3 months, 6 from the 2023 cut-overs).
LICENCE = {"term_months": 36, "minimum_term_months": 12, "renewal_months": 12}


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def sub_path(sub: dict[str, Any] | str, suffix: str = "") -> str:
    sid = sub if isinstance(sub, str) else sub["id"]
    return f"/v1/subscriptions/{sid}{suffix}"


def get_sub(api: Api, sub: dict[str, Any]) -> dict[str, Any]:
    return ok(api.get(sub_path(sub)))  # type: ignore[no-any-return]


def bill(api: Api, as_of: str) -> dict[str, Any]:
    return ok(api.post("/v1/bill-runs", {"as_of": as_of}), 201)  # type: ignore[no-any-return]


def cancel(api: Api, sub: dict[str, Any], status: int = 200, **body: Any) -> Any:
    return ok(api.post(sub_path(sub, "/cancel"), body), status)


def offer(api: Api, sub: dict[str, Any], status: int = 200, **body: Any) -> Any:
    return ok(api.post(sub_path(sub, "/retention-offers"), body), status)


def quote(api: Api, sub: dict[str, Any], requested_on: str | None = None) -> dict[str, Any]:
    params = {"requested_on": requested_on} if requested_on else {}
    return ok(api.get(sub_path(sub, "/cancellation-quote"), params=params))  # type: ignore[no-any-return]


def timeline(api: Api, sub: dict[str, Any]) -> dict[str, Any]:
    return ok(api.get(sub_path(sub, "/timeline")))  # type: ignore[no-any-return]


def events(api: Api, sub: dict[str, Any]) -> list[dict[str, Any]]:
    return timeline(api, sub)["events"]  # type: ignore[no-any-return]


def ledger(api: Api, sub: dict[str, Any]) -> dict[str, Any]:
    return ok(api.get(sub_path(sub, "/ledger")))  # type: ignore[no-any-return]


def entries(api: Api, sub: dict[str, Any]) -> list[tuple[str, str, str, str, int]]:
    """The ledger as (item, kind, service_start, service_end, amount), in posting order."""
    return [
        (e["item"], e["kind"], e["service_start"], e["service_end"], e["amount"])
        for e in ledger(api, sub)["data"]
    ]


def tasks(api: Api, **params: Any) -> list[dict[str, Any]]:
    return ok(api.get("/v1/tasks", params=params))["data"]  # type: ignore[no-any-return]


def run_scheduler(api: Api) -> dict[str, Any]:
    return ok(api.post("/v1/scheduler/run"))  # type: ignore[no-any-return]


def assert_problem(r: Any, status: int, code: str) -> dict[str, Any]:
    """An RFC 9457 problem with every field the contract names, and the expected code."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM), r.headers["content-type"]
    body: dict[str, Any] = r.json()
    for field in ("type", "title", "status", "detail", "code"):
        assert field in body, body
    assert body["status"] == status
    assert body["code"] == code, body
    return body


def counts(api: Api) -> dict[str, int]:
    """Rows per table (every table a refused request must leave alone), from the database."""
    return row_counts(api.client.app.state.engine)


def state(api: Api, *subs: dict[str, Any]) -> dict[str, Any]:
    """Everything a change could touch, row by row, read straight from the database: every
    table of the schema (:data:`tests.unchanged.TABLES`). (``subs`` name what the caller cares
    about; every row of every subscription is compared anyway.)"""
    return rows(api.client.app.state.engine)


def refused(
    api: Api, path: str, body: dict[str, Any], status: int, code: str, *subs: dict[str, Any]
) -> dict[str, Any]:
    """POST ``body`` to ``path``: refused with ``code``, and nothing changed anywhere."""
    before = state(api, *subs)
    problem = assert_problem(api.post(path, body), status, code)
    assert state(api, *subs) == before
    return problem


def staff_key(api: Api) -> Api:
    """Another staff member: a new staff key, as an Api client."""
    key = ok(api.post("/v1/api-keys", {"role": "staff"}), 201)
    return api.as_token(key["token"])


def role_key(api: Api, role: str, customer_id: str | None = None) -> Api:
    body: dict[str, Any] = {"role": role}
    if customer_id is not None:
        body["customer_id"] = customer_id
    return api.as_token(ok(api.post("/v1/api-keys", body), 201)["token"])
