"""The 249.95 example through the whole API: bill, cancel inside the billed period, undo."""

from __future__ import annotations

from tests.conftest import Api


def test_cancel_in_billed_period_credits_then_undo_rebills(api: Api) -> None:
    api.today("2025-04-02")
    sub = api.subscription(api.customer(), api.plan(unit_amount=24995), start_date="2025-04-02")
    run = api.post("/v1/bill-runs", {"as_of": "2025-04-02"}).json()
    assert len(run["invoices"]) == 1

    r = api.post(f"/v1/subscriptions/{sub['id']}/cancel", {"mode": "on_date", "date": "2025-04-05"})
    assert r.status_code == 200, r.text
    [note] = r.json()["documents"]
    assert note["type"] == "credit_note" and note["total"] == 22495
    assert note["invoice_id"] == run["invoices"][0]

    ledger = api.get(f"/v1/subscriptions/{sub['id']}/ledger").json()
    assert ledger["balance"] == 2500

    r = api.delete(f"/v1/subscriptions/{sub['id']}/cancel")
    assert r.status_code == 200, r.text
    assert api.get(f"/v1/subscriptions/{sub['id']}/ledger").json()["balance"] == 24995
    assert api.post("/v1/bill-runs", {"as_of": "2025-04-02"}).json()["invoices"] == []
