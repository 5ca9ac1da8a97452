"""Helpers for the money-choice tests: set-up, calls, "nothing changed" snapshots, and the
customer's money as the API shows it (for the conservation identity).

The conservation identity, per customer, from what the API shows (see ``Money``):

    Σ invoice totals − Σ credit-note totals
        = Σ paid in money − Σ refunds + Σ invoice amount_due − balance

with no other term: every öre a credit note gives back beyond what was owed on its invoice is
refunded or kept as customer credit, whatever the choice (``unreturned``, per invoice
``max(0, amount_paid + balance_applied + amount_credited − total)`` less what refunds and
``credit_kept`` entries gave back for it, is checked to be zero: no money in limbo).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.conftest import Api
from tests.unchanged import row_counts

PROBLEM = "application/problem+json"
# Monthly periods anchored on the 1st: April has 30 days, May 31.
START = "2025-04-01"
APRIL = ("2025-04-01", "2025-05-01")
MAY = ("2025-05-01", "2025-06-01")


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def assert_problem(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM), r.headers["content-type"]
    body: dict[str, Any] = r.json()
    for key in ("type", "title", "status", "detail", "code"):
        assert key in body, body
    assert body["code"] == code, body
    return body


def setup(
    api: Api,
    *,
    unit: int = 30000,
    quantity: int = 1,
    start: str = START,
    today: str = START,
    customer: dict[str, Any] | None = None,
    **plan: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Clock at ``today``; a customer (new unless given), a monthly plan, one subscription."""
    api.today(today)
    cust = customer or api.customer()
    p = api.plan(currency=cust["currency"], unit_amount=unit, **plan)
    return cust, api.subscription(cust, p, start_date=start, quantity=quantity)


def path(sub: dict[str, Any] | str, suffix: str = "") -> str:
    sid = sub if isinstance(sub, str) else sub["id"]
    return f"/v1/subscriptions/{sid}{suffix}"


def bill(api: Api, as_of: str) -> dict[str, Any]:
    return ok(api.post("/v1/bill-runs", {"as_of": as_of}), 201)  # type: ignore[no-any-return]


def preview(api: Api, sub: dict[str, Any], suffix: str, body: Any) -> dict[str, Any]:
    out: dict[str, Any] = ok(api.post(path(sub, suffix), body, params={"preview": "true"}))
    assert out["preview"] is True
    assert all(d["id"] is None and d["number"] is None for d in out["documents"])
    return out


def do(api: Api, sub: dict[str, Any], suffix: str, body: Any) -> dict[str, Any]:
    out: dict[str, Any] = ok(api.post(path(sub, suffix), body))
    assert out["preview"] is False
    return out


def undo(api: Api, sub: dict[str, Any], *, preview: bool = False) -> dict[str, Any]:
    params = {"preview": "true"} if preview else None
    return ok(api.delete(path(sub, "/cancel"), params=params))  # type: ignore[no-any-return]


def pay(api: Api, invoice_id: str, amount: int, paid_on: str) -> dict[str, Any]:
    body = {"amount": amount, "paid_on": paid_on}
    out = ok(api.post(f"/v1/invoices/{invoice_id}/payments", body), 201)
    return out["invoice"]  # type: ignore[no-any-return]


def invoice(api: Api, invoice_id: str) -> dict[str, Any]:
    return ok(api.get(f"/v1/invoices/{invoice_id}"))  # type: ignore[no-any-return]


def _all(api: Api, url: str, **params: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    after = None
    while True:
        q = {k: v for k, v in params.items() if v is not None}
        q["limit"] = 500
        if after is not None:
            q["after"] = after
        page = ok(api.get(url, params=q))
        out.extend(page["data"])
        after = page["next_cursor"]
        if after is None:
            return out


def invoices(
    api: Api, *, customer_id: str | None = None, subscription_id: str | None = None
) -> list[dict[str, Any]]:
    return _all(api, "/v1/invoices", customer_id=customer_id, subscription_id=subscription_id)


def credit_notes(api: Api, customer_id: str | None = None) -> list[dict[str, Any]]:
    return _all(api, "/v1/credit-notes", customer_id=customer_id)


def refunds(api: Api, customer_id: str | None = None) -> list[dict[str, Any]]:
    return _all(api, "/v1/refunds", customer_id=customer_id)


def balance(api: Api, customer: dict[str, Any]) -> dict[str, Any]:
    return ok(api.get(f"/v1/customers/{customer['id']}/balance"))  # type: ignore[no-any-return]


def ledger(api: Api, sub: dict[str, Any]) -> list[dict[str, Any]]:
    return ok(api.get(path(sub, "/ledger")))["data"]  # type: ignore[no-any-return]


def entries(api: Api, sub: dict[str, Any]) -> list[tuple[str, str, str, int, int]]:
    """The ledger as (kind, service_start, service_end, quantity, amount), in posting order."""
    return [
        (e["kind"], e["service_start"], e["service_end"], e["quantity"], e["amount"])
        for e in ledger(api, sub)
    ]


def period_total(api: Api, sub: dict[str, Any], period: tuple[str, str]) -> int:
    """What the ledger bills for one period, net of credits."""
    return sum(
        e["amount"]
        for e in ledger(api, sub)
        if (e["period_start"], e["period_end"]) == period and e["item"] == "main"
    )


def timeline(api: Api, sub: dict[str, Any]) -> dict[str, Any]:
    return ok(api.get(path(sub, "/timeline")))  # type: ignore[no-any-return]


def net(documents: list[dict[str, Any]]) -> int:
    """What a posting did to the ledger: invoice totals less credit-note totals."""
    sign = {"invoice": 1, "credit_note": -1, "refund": 0}
    return sum(sign[d["type"]] * d["total"] for d in documents)


def of_type(documents: list[dict[str, Any]], type_: str) -> list[dict[str, Any]]:
    return [d for d in documents if d["type"] == type_]


def counts(api: Api) -> dict[str, int]:
    """Rows per table (every table a refused request must leave alone), from the database."""
    return row_counts(api.client.app.state.engine)


def snapshot(api: Api, customer: dict[str, Any], sub: dict[str, Any]) -> dict[str, Any]:
    """Everything a money choice could touch, as the API shows it, plus row counts."""
    return {
        "counts": counts(api),
        "subscription": ok(api.get(path(sub))),
        "timeline": timeline(api, sub),
        "ledger": ledger(api, sub),
        "invoices": invoices(api, customer_id=customer["id"]),
        "credit_notes": credit_notes(api, customer["id"]),
        "refunds": refunds(api, customer["id"]),
        "balance": balance(api, customer),
    }


def without_ids(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Documents without what only posting gives them (ids, numbers and what is made from
    them: the payment reference and the links; entry ids)."""
    out = []
    for d in docs:
        d = {k: v for k, v in d.items() if k not in ("id", "number", "payment_reference", "links")}
        d["lines"] = [
            {k: v for k, v in ln.items() if k not in ("entry_id", "credits_entry_id")}
            for ln in d["lines"]
        ]
        out.append(d)
    return out


@dataclass
class Money:
    """One customer's money as the API shows it (all in minor units)."""

    currency: str
    charges: int = 0  # Σ invoice totals
    credits: int = 0  # Σ credit-note totals
    paid: int = 0  # Σ invoice amount_paid (money)
    refunded: int = 0  # Σ refund totals
    due: int = 0  # Σ invoice amount_due
    balance: int = 0  # the customer balance now
    balance_applied: int = 0  # Σ invoice balance_applied
    kept: int = 0  # Σ credit_kept balance entries
    unreturned: int = 0  # overpayment neither refunded nor kept: must stay 0
    unreturned_by_invoice: dict[str, int] = field(default_factory=dict)
    refunded_by_invoice: dict[str, int] = field(default_factory=dict)
    paid_by_invoice: dict[str, int] = field(default_factory=dict)
    running_balance: list[int] = field(default_factory=list)

    def identity_holds(self) -> bool:
        left = self.charges - self.credits
        right = self.paid - self.refunded + self.due - self.balance
        return left == right


def money(api: Api, customer: dict[str, Any]) -> Money:
    cid = customer["id"]
    m = Money(currency=customer["currency"])
    invs = invoices(api, customer_id=cid)
    notes = credit_notes(api, cid)
    rfs = refunds(api, cid)
    bal = balance(api, customer)
    for doc in [*invs, *notes, *rfs]:
        assert doc["currency"] == m.currency, doc
        assert doc["customer_id"] == cid, doc
    assert bal["currency"] == m.currency
    note_invoice = {n["id"]: n["invoice_id"] for n in notes}
    kept_by_invoice: dict[str, int] = {}
    running = 0
    for e in bal["entries"]:
        running += e["amount"]
        m.running_balance.append(running)
        if e["kind"] == "credit_kept":
            assert e["amount"] > 0, e
            m.kept += e["amount"]
            inv = note_invoice[e["document_id"]]
            kept_by_invoice[inv] = kept_by_invoice.get(inv, 0) + e["amount"]
        else:
            assert e["kind"] == "applied", e
            assert e["amount"] < 0, e
    assert running == bal["balance"]
    m.balance = bal["balance"]
    for r in rfs:
        assert r["type"] == "refund" and r["total"] > 0, r
        m.refunded += r["total"]
        m.refunded_by_invoice[r["invoice_id"]] = (
            m.refunded_by_invoice.get(r["invoice_id"], 0) + r["total"]
        )
    credited: dict[str, int] = {}
    for n in notes:
        m.credits += n["total"]
        credited[n["invoice_id"]] = credited.get(n["invoice_id"], 0) + n["total"]
    for inv in invs:
        assert inv["amount_credited"] == credited.get(inv["id"], 0), inv
        settled = inv["amount_paid"] + inv["balance_applied"]
        expected_due = max(0, inv["total"] - inv["amount_credited"] - settled)
        assert inv["amount_due"] == expected_due, inv
        m.charges += inv["total"]
        m.paid += inv["amount_paid"]
        m.due += inv["amount_due"]
        m.balance_applied += inv["balance_applied"]
        m.paid_by_invoice[inv["id"]] = inv["amount_paid"]
        overpaid = max(0, settled + inv["amount_credited"] - inv["total"])
        back = m.refunded_by_invoice.get(inv["id"], 0) + kept_by_invoice.get(inv["id"], 0)
        m.unreturned_by_invoice[inv["id"]] = overpaid - back
        m.unreturned += overpaid - back
    return m


def assert_money_sound(api: Api, customer: dict[str, Any]) -> Money:
    """The conservation identity and the invariants every money choice keeps."""
    m = money(api, customer)
    assert m.identity_holds(), m
    # The balance is its own ledger: what was kept less what invoices consumed.
    assert m.balance == m.kept - m.balance_applied, m
    assert m.balance >= 0 and all(b >= 0 for b in m.running_balance), m
    for inv_id, refunded in m.refunded_by_invoice.items():
        assert refunded <= m.paid_by_invoice[inv_id], (inv_id, m)
    for inv_id, left in m.unreturned_by_invoice.items():
        assert left == 0, (inv_id, m)  # no money in limbo
    return m
