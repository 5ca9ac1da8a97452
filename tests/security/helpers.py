"""What the security tests share: every row of every table, idempotency records included."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from billing.storage.models import IdempotencyRecord
from tests.conftest import Api
from tests.unchanged import rows


def snapshot(api: Api) -> dict[str, Any]:
    """Every row of every table (tests.unchanged) and the number of idempotency records: a
    refused request leaves all of it as it was."""
    engine = api.client.app.state.engine
    with engine.connect() as conn:
        keys = conn.execute(select(func.count()).select_from(IdempotencyRecord)).scalar_one()
    return {"rows": rows(engine), "idempotency_records": keys}


def assert_problem(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body: dict[str, Any] = r.json()
    assert body["code"] == code and body["status"] == status, body
    return body
