"""A change's answer carries the ledger entries it posts (or, with ``?preview=true``, would post)
with the ledger's signs: charges positive, credits negative, exactly as
``GET /v1/subscriptions/{id}/ledger`` shows them once posted. Its documents beside them show a
credit note's ``total`` as the positive amount given back.

The money is domain.md's running example: 249.95 kr a month, period [04-02, 05-02) (30 days).
"""

from __future__ import annotations

from typing import Any

from tests.api.helpers import bill, ledger, ok, setup, sub_path
from tests.conftest import Api

#: What only posting gives an entry: nothing is posted in a preview, so these are null there.
POSTED_ONLY = ("id", "document_id", "event_id", "posted_at")


def call(api: Api, method: str, path: str, body: Any, *, preview: bool) -> Any:
    params = {"preview": "true"} if preview else None
    if method == "DELETE":
        return ok(api.delete(path, params=params))
    return ok(api.post(path, body, params=params))


def unposted(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k not in POSTED_ONLY} for e in entries]


def preview_and_make(
    api: Api, sub: dict[str, Any], method: str, suffix: str, body: Any = None
) -> list[dict[str, Any]]:
    """Preview the call, make it, and check both answers' entries against the ledger; the
    entries the ledger gained."""
    before = ledger(api, sub)["data"]
    seen = call(api, method, sub_path(sub, suffix), body, preview=True)
    assert ledger(api, sub)["data"] == before
    assert all(e[k] is None for e in seen["entries"] for k in POSTED_ONLY), seen["entries"]
    assert all(ln["entry_id"] is None for d in seen["documents"] for ln in d["lines"])
    done = call(api, method, sub_path(sub, suffix), body, preview=False)
    after = ledger(api, sub)["data"]
    assert after[: len(before)] == before
    posted = after[len(before) :]
    # The real answer is the ledger's rows themselves; the preview is them bar the ids.
    assert done["entries"] == posted
    assert seen["entries"] == [{**e, **dict.fromkeys(POSTED_ONLY)} for e in posted] and unposted(
        seen["entries"]
    ) == unposted(posted)
    # Each document's total from its entries: an invoice sums them, a credit note's total is
    # the positive amount its (negative) credit entries give back.
    for doc in done["documents"]:
        mine = [e["amount"] for e in done["entries"] if e["document_id"] == doc["id"]]
        sign = -1 if doc["type"] == "credit_note" else 1
        assert mine and doc["total"] == sign * sum(mine), (doc, done["entries"])
    return posted


def money(entries: list[dict[str, Any]]) -> list[tuple[str, str, str, str | None, int]]:
    return [
        (e["kind"], e["service_start"], e["service_end"], e["document_type"], e["amount"])
        for e in entries
    ]


def test_preview_entries_are_the_ledger_rows_with_the_ledger_signs(api: Api) -> None:
    sub = setup(api, today="2025-04-05", start="2025-04-02")
    bill(api, "2025-04-02")

    posted = preview_and_make(
        api, sub, "POST", "/cancel", {"mode": "on_date", "date": "2025-04-10"}
    )
    # [04-10, 05-02) back: 24995 − R(24995 × 8 / 30) = 18330, negative in the ledger.
    assert money(posted) == [("credit", "2025-04-10", "2025-05-02", "credit_note", -18330)]

    posted = preview_and_make(api, sub, "DELETE", "/cancel")
    assert money(posted) == [("charge", "2025-04-10", "2025-05-02", "invoice", 18330)]

    posted = preview_and_make(api, sub, "POST", "/pause", {"start_date": "2025-04-20"})
    # [04-20, 05-02) back: 24995 − R(24995 × 18 / 30) = 24995 − 14997.
    assert money(posted) == [("credit", "2025-04-20", "2025-05-02", "credit_note", -9998)]

    posted = preview_and_make(api, sub, "POST", "/resume", {"date": "2025-04-26"})
    assert money(posted) == [("charge", "2025-04-26", "2025-05-02", "invoice", 4999)]

    posted = preview_and_make(
        api, sub, "POST", "/changes", {"effective_date": "2025-04-28", "unit_amount": 30000}
    )
    # Old [04-28, 05-02) back: 3333; new at 30000: 30000 − R(30000 × 26 / 30) = 4000.
    assert sorted(money(posted)) == [
        ("charge", "2025-04-28", "2025-05-02", "invoice", 4000),
        ("credit", "2025-04-28", "2025-05-02", "credit_note", -3333),
    ]
    assert [e["credits_entry_id"] is not None for e in posted if e["kind"] == "credit"] == [True]


def test_an_answer_that_posts_nothing_has_no_entries(api: Api) -> None:
    sub = setup(api, today="2025-04-05", start="2025-04-02")
    # Nothing billed yet: moving the end posts no money, previewed or made.
    body = {"mode": "on_date", "date": "2025-06-10"}
    for preview in (True, False):
        out = call(api, "POST", sub_path(sub, "/cancel"), body, preview=preview)
        assert (out["entries"], out["documents"]) == ([], [])
