"""``collect``: a terms change's difference on billed periods invoiced at once (``now``, on the
change's own documents) or on the next bill run's (``next_invoice``), per change or as the
plan's default. Collected later, many changes in a month make one invoice and one credit note
at the next run instead of documents for each, and the ledger ends exactly where posting at
once leaves it."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import ok, sub_path
from tests.conftest import Api

CHANGES = [("2025-04-08", 3), ("2025-04-15", 5), ("2025-04-22", 4)]


def _world(api: Api, **plan: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    api.today("2025-04-01")
    cust = api.customer()
    sub = api.subscription(cust, api.plan(unit_amount=30_000, **plan), start_date="2025-04-01")
    ok(api.post("/v1/bill-runs", {"as_of": "2025-04-01"}), 201)
    return cust, sub


def _documents(api: Api, cust: dict[str, Any]) -> list[tuple[str, str, int]]:
    out = []
    for kind, path in (("invoice", "/v1/invoices"), ("credit_note", "/v1/credit-notes")):
        for d in ok(api.get(path, params={"customer_id": cust["id"]}))["data"]:
            out.append((d["issue_date"], kind, d["total"]))
    return sorted(out)


def _ledger(api: Api, sub: dict[str, Any]) -> list[tuple[Any, ...]]:
    rows = ok(api.get(sub_path(sub, "/ledger")))["data"]
    return sorted((r["item"], r["period_start"], r["period_end"], r["amount"]) for r in rows)


def _run(api: Api, sub: dict[str, Any], collect: str | None) -> list[list[Any]]:
    answers = []
    for day, quantity in CHANGES:
        api.today(day)
        body: dict[str, Any] = {"effective_date": day, "quantity": quantity}
        if collect:
            body["collect"] = collect
        answers.append(ok(api.post(sub_path(sub, "/changes"), body))["documents"])
    api.today("2025-05-01")
    ok(api.post("/v1/bill-runs", {"as_of": "2025-05-01"}), 201)
    return answers


def test_collected_on_the_next_invoice_fewer_documents_same_ledger(api: Api) -> None:
    cust_now, sub_now = _world(api)
    now = _run(api, sub_now, "now")
    cust_later, sub_later = _world(api)
    later = _run(api, sub_later, "next_invoice")
    # At once: each change issues a credit note and an invoice; collected: nothing until May.
    assert all(len(docs) == 2 for docs in now)
    assert later == [[], [], []]
    later_docs = _documents(api, cust_later)
    assert [(day, kind) for day, kind, _ in later_docs] == [
        ("2025-04-01", "invoice"),
        ("2025-05-01", "credit_note"),
        ("2025-05-01", "invoice"),
    ]
    assert len(_documents(api, cust_now)) == 1 + 3 * 2 + 1

    # The same money either way: what the customer owes in total, and the ledger's sum per item
    # and billing period (the pieces differ: posted at once, each change credits and charges
    # the rest of April anew).
    def owed(docs: list[tuple[str, str, int]]) -> int:
        return sum(t if kind == "invoice" else -t for _, kind, t in docs)

    assert owed(later_docs) == owed(_documents(api, cust_now))

    def net(rows: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], int]:
        sums: dict[tuple[Any, ...], int] = {}
        for item, start, end, amount in rows:
            sums[(item, start, end)] = sums.get((item, start, end), 0) + amount
        return {k: v for k, v in sums.items() if v}

    assert net(_ledger(api, sub_later)) == net(_ledger(api, sub_now))


def test_the_plan_default_and_the_event_record_the_choice(api: Api) -> None:
    cust, sub = _world(api, collect="next_invoice")
    plan = ok(api.get(f"/v1/plans/{sub['plan_id']}"))
    assert plan["collect"] == "next_invoice"
    api.today("2025-04-08")
    done = ok(api.post(sub_path(sub, "/changes"), {"effective_date": "2025-04-08", "quantity": 2}))
    assert done["documents"] == [] and done["entries"] == []
    events = ok(api.get(sub_path(sub, "/timeline")))["events"]
    assert events[-1]["data"]["collect"] == "next_invoice"
    # Said otherwise on the change: at once.
    done = ok(
        api.post(
            sub_path(sub, "/changes"),
            {"effective_date": "2025-04-15", "quantity": 3, "collect": "now"},
        )
    )
    # Posting now posts all that is due on billed periods, the earlier change's too.
    assert [d["type"] for d in done["documents"]] == ["invoice", "credit_note"]
    assert len(_documents(api, cust)) == 3
