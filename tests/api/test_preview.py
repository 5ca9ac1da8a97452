"""``?preview=true`` on every mutating subscription call: it answers the documents and lines the
call would post, exactly as the real call then posts them, and changes nothing."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import bill, ok, setup, state, sub_path
from tests.conftest import Api


def call(api: Api, method: str, path: str, body: Any, preview: bool) -> Any:
    params = {"preview": "true"} if preview else None
    if method == "DELETE":
        return api.delete(path, params=params)
    return api.post(path, body, params=params)


def without_ids(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Documents without what only posting gives them (ids, numbers and the payment reference
    made from one, the links to its renderings, entry ids)."""
    out = []
    for d in docs:
        posted = ("id", "number", "payment_reference", "links")
        d = {k: v for k, v in d.items() if k not in posted}
        d["lines"] = [
            {k: v for k, v in ln.items() if k not in ("entry_id", "credits_entry_id")}
            for ln in d["lines"]
        ]
        out.append(d)
    return out


def preview_then_do(
    api: Api, sub: dict[str, Any], method: str, suffix: str, body: Any = None, status: int = 200
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Preview the call (asserting nothing changed), then make it; both answers."""
    before = state(api, sub)
    r = call(api, method, sub_path(sub, suffix), body, preview=True)
    assert r.status_code == status, r.text
    seen = r.json()
    assert seen["preview"] is True
    assert all(d["id"] is None and d["number"] is None for d in seen["documents"])
    assert state(api, sub) == before
    done = ok(call(api, method, sub_path(sub, suffix), body, preview=False), status)
    assert done["preview"] is False
    assert without_ids(seen["documents"]) == without_ids(done["documents"])
    for k in ("status", "end_date", "unit_amount", "quantity", "plan_id", "version"):
        assert seen[k] == done[k], k
    assert done["version"] == before["subscription"]["version"] + 1
    return seen, done


def test_preview_of_every_call_changes_nothing_and_matches_the_call(api: Api) -> None:
    sub = setup(api, today="2025-04-05", start="2025-04-02")
    [invoice_id] = bill(api, "2025-04-02")["invoices"]

    seen, _ = preview_then_do(
        api, sub, "POST", "/cancel", {"mode": "on_date", "date": "2025-04-10"}
    )
    [note] = seen["documents"]
    # [04-10, 05-02) back: 24995 − R(24995 × 8 / 30) = 18330.
    assert (note["type"], note["invoice_id"], note["total"]) == ("credit_note", invoice_id, 18330)
    assert (note["lines"][0]["service_start"], note["lines"][0]["service_end"]) == (
        "2025-04-10",
        "2025-05-02",
    )

    seen, _ = preview_then_do(api, sub, "DELETE", "/cancel")
    assert [(d["type"], d["total"]) for d in seen["documents"]] == [("invoice", 18330)]
    assert seen["end_date"] is None

    seen, _ = preview_then_do(api, sub, "POST", "/pause", {"start_date": "2025-04-20"})
    # [04-20, 05-02) back: 24995 − 14997.
    assert [(d["type"], d["total"]) for d in seen["documents"]] == [("credit_note", 9998)]

    seen, _ = preview_then_do(api, sub, "POST", "/resume", {"date": "2025-04-26"})
    # [04-26, 05-02): 24995 − R(24995 × 24 / 30) = 24995 − 19996.
    assert [(d["type"], d["total"]) for d in seen["documents"]] == [("invoice", 4999)]

    seen, _ = preview_then_do(
        api, sub, "POST", "/changes", {"effective_date": "2025-04-28", "unit_amount": 30000}
    )
    # Old [04-28, 05-02) back: 24995 − R(24995 × 26 / 30) = 3333; new: 30000 − 26000.
    assert sorted((d["type"], d["total"]) for d in seen["documents"]) == [
        ("credit_note", 3333),
        ("invoice", 4000),
    ]


def test_preview_of_create_commits_nothing(api: Api) -> None:
    sub = setup(api, today="2025-04-05", start="2025-04-02")
    before = state(api)
    body = {
        "customer_id": sub["customer_id"],
        "plan_id": sub["plan_id"],
        "start_date": "2025-05-01",
    }
    r = api.post("/v1/subscriptions", body, params={"preview": "true"})
    assert r.status_code == 201, r.text
    seen = r.json()
    assert (seen["preview"], seen["status"], seen["start_date"]) == (True, "pending", "2025-05-01")
    assert state(api) == before
    assert ok(api.get("/v1/subscriptions"))["data"] == [ok(api.get(sub_path(sub)))]
