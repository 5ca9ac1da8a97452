"""Helpers for the receivables tests: the statement through the API, and the same account
summed independently from the documents, payments and customer credit the API shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.conftest import Api


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def _all(api: Api, url: str, customer_id: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    after = None
    while True:
        params: dict[str, Any] = {"customer_id": customer_id, "limit": 500}
        if after is not None:
            params["after"] = after
        page = ok(api.get(url, params=params))
        out.extend(page["data"])
        after = page["next_cursor"]
        if after is None:
            return out


def statement(api: Api, customer_id: str, **params: str) -> dict[str, Any]:
    return ok(api.get(f"/v1/customers/{customer_id}/statement", params=params))  # type: ignore[no-any-return]


@dataclass
class Documents:
    """A customer's account as the document feeds show it today."""

    invoices: list[dict[str, Any]]
    credit_notes: list[dict[str, Any]]
    refunds: list[dict[str, Any]]
    balance: dict[str, Any]

    @property
    def billed(self) -> int:
        return sum(i["total"] for i in self.invoices)

    @property
    def credited(self) -> int:
        return sum(n["total"] for n in self.credit_notes)

    @property
    def paid(self) -> int:
        return sum(i["amount_paid"] for i in self.invoices)

    @property
    def refunded(self) -> int:
        return sum(r["total"] for r in self.refunds)

    @property
    def due(self) -> int:
        return sum(i["amount_due"] for i in self.invoices)

    def unreturned(self) -> dict[str, int]:
        """Per invoice, what its credit notes gave back beyond what was owed and that neither
        a refund nor kept credit took: the documents' own account of money in limbo."""
        note_invoice = {n["id"]: n["invoice_id"] for n in self.credit_notes}
        back: dict[str, int] = {}
        for r in self.refunds:
            back[r["invoice_id"]] = back.get(r["invoice_id"], 0) + r["total"]
        for e in self.balance["entries"]:
            if e["kind"] == "credit_kept":
                inv = note_invoice[e["document_id"]]
                back[inv] = back.get(inv, 0) + e["amount"]
        out = {}
        for i in self.invoices:
            settled = i["amount_paid"] + i["balance_applied"]
            over = max(0, settled + i["amount_credited"] - i["total"])
            if over - back.get(i["id"], 0):
                out[i["id"]] = over - back.get(i["id"], 0)
        return out


def documents(api: Api, customer_id: str) -> Documents:
    return Documents(
        _all(api, "/v1/invoices", customer_id),
        _all(api, "/v1/credit-notes", customer_id),
        _all(api, "/v1/refunds", customer_id),
        ok(api.get(f"/v1/customers/{customer_id}/balance")),
    )


def assert_balances(s: dict[str, Any]) -> None:
    """The statement's own identities: closing = opening + Σ movements, and closing = its
    parts (open − credit − unallocated); running totals follow the lines."""
    running, credit = s["opening_balance"], s["opening_credit"]
    for m in s["movements"]:
        running += m["amount"]
        credit += m["credit"]
        assert (m["balance"], m["credit_balance"]) == (running, credit), m
        # Money in or out, or credit moving inside the account; an overpayment is both.
        assert m["amount"] == 0 or m["credit"] in (0, -m["amount"]), m
    assert s["closing_balance"] == running
    assert s["customer_credit"] == credit
    assert s["closing_balance"] == sum(p["amount"] for p in s["closing_parts"])
    assert s["open_total"] == sum(i["amount_due"] for i in s["open_items"])
    assert s["unallocated_credit"] == sum(u["amount"] for u in s["unallocated"])
    assert s["closing_balance"] == s["open_total"] - s["customer_credit"] - s["unallocated_credit"]
    assert s["overdue_total"] == sum(i["amount_due"] for i in s["open_items"] if i["overdue"])
    assert sum(s["aging"].values()) == s["open_total"]


def assert_matches_documents(s: dict[str, Any], docs: Documents) -> None:
    """A statement from the start through today against the documents as they are now."""
    assert s["opening_balance"] == 0
    # Money a bank payment brought beyond its invoice is kept as credit (kind "overpaid").
    overpaid = sum(e["amount"] for e in docs.balance["entries"] if e["kind"] == "overpaid")
    received = docs.paid + overpaid
    assert s["closing_balance"] == docs.billed - docs.credited - received + docs.refunded
    assert s["open_total"] == docs.due
    assert s["customer_credit"] == docs.balance["balance"]
    assert {u["invoice_id"]: u["amount"] for u in s["unallocated"]} == docs.unreturned()
    due = {i["id"]: i["amount_due"] for i in docs.invoices if i["amount_due"]}
    assert {i["invoice_id"]: i["amount_due"] for i in s["open_items"]} == due
    kinds = {"invoice": docs.invoices, "credit_note": docs.credit_notes, "refund": docs.refunds}
    for kind, rows in kinds.items():
        listed = sorted(m["document_id"] for m in s["movements"] if m["kind"] == kind)
        assert listed == sorted(d["id"] for d in rows), kind
