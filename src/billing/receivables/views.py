"""The statement and the aging as JSON, and the aging as CSV.

Amounts are integer minor units; a statement's ``closing_parts`` name what the closing balance
is made of (open items +, customer credit −, unallocated credit −) and add up to it exactly.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from billing.receivables.aging import BUCKETS, AgingRow, Bucket
from billing.receivables.service import Aging, CustomerStatement
from billing.receivables.statement import Movement, OpenItem, Statement, UnallocatedItem


def _buckets(buckets: dict[Bucket, int]) -> dict[str, int]:
    return {b.value: buckets[b] for b in BUCKETS}


def movement_json(m: Movement) -> dict[str, Any]:
    return {
        "date": m.day.isoformat(),
        "kind": m.kind,
        "document_id": m.document_id,
        "number": m.number,
        "reference": m.reference,
        "amount": m.amount,
        "balance": m.balance,
        "credit": m.credit,
        "credit_balance": m.credit_balance,
    }


def open_item_json(i: OpenItem) -> dict[str, Any]:
    return {
        "invoice_id": i.invoice_id,
        "number": i.number,
        "issue_date": i.issue_date.isoformat(),
        "due_date": i.due_date.isoformat() if i.due_date else None,
        "total": i.total,
        "amount_due": i.amount_due,
        "status": i.status,
        "overdue": i.overdue,
        "days_overdue": i.days_overdue,
        "bucket": i.bucket.value,
        "disputed": i.disputed,
    }


def unallocated_json(u: UnallocatedItem) -> dict[str, Any]:
    return {
        "kind": "credit_unallocated",
        "invoice_id": u.invoice_id,
        "number": u.number,
        "credit_notes": list(u.credit_notes),
        "amount": u.amount,
    }


def closing_parts(s: Statement) -> list[dict[str, Any]]:
    """What the closing balance is made of; the amounts add up to it."""
    return [
        {"kind": "open_items", "amount": s.open_total},
        {"kind": "customer_credit", "amount": -s.customer_credit},
        {"kind": "credit_unallocated", "amount": -s.unallocated_credit},
    ]


def statement_json(cs: CustomerStatement) -> dict[str, Any]:
    s = cs.statement
    return {
        "customer_id": cs.customer.id,
        "customer_number": cs.customer.customer_number,
        "customer_name": cs.customer.name,
        "currency": cs.currency,
        "from": s.start.isoformat() if s.start else None,
        "to": s.end.isoformat(),
        "opening_balance": s.opening_balance,
        "opening_credit": s.opening_credit,
        "movements": [movement_json(m) for m in s.movements],
        "closing_balance": s.closing_balance,
        "closing_parts": closing_parts(s),
        "open_total": s.open_total,
        "overdue_total": s.overdue_total,
        "customer_credit": s.customer_credit,
        "unallocated_credit": s.unallocated_credit,
        "open_items": [open_item_json(i) for i in s.open_items],
        "unallocated": [unallocated_json(u) for u in s.unallocated],
        "aging": _buckets(s.buckets),
    }


#: The aging's CSV columns, one row per customer and currency.
AGING_COLUMNS = [
    "customer_id",
    "currency",
    *(f"bucket_{b.value}" for b in BUCKETS),
    "open_total",
    "overdue_total",
    "customer_credit",
    "unallocated_credit",
    "balance",
]


def aging_row_json(r: AgingRow) -> dict[str, Any]:
    return {
        "customer_id": r.customer_id,
        "currency": r.currency,
        "buckets": _buckets(r.buckets),
        "open_total": r.open_total,
        "overdue_total": r.overdue_total,
        "customer_credit": r.customer_credit,
        "unallocated_credit": r.unallocated_credit,
        "balance": r.balance,
    }


def aging_json(aging: Aging) -> dict[str, Any]:
    totals: dict[str, dict[str, int]] = {}
    for r in aging.rows:
        t = totals.setdefault(r.currency, {"open_total": 0, "overdue_total": 0})
        t["open_total"] += r.open_total
        t["overdue_total"] += r.overdue_total
    return {
        "as_of": aging.as_of.isoformat(),
        "data": [aging_row_json(r) for r in aging.rows],
        "totals": totals,
    }


def aging_csv(aging: Aging) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=AGING_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in aging.rows:
        row: dict[str, Any] = {"customer_id": r.customer_id, "currency": r.currency}
        row.update({f"bucket_{b.value}": r.buckets[b] for b in BUCKETS})
        row.update(
            open_total=r.open_total,
            overdue_total=r.overdue_total,
            customer_credit=r.customer_credit,
            unallocated_credit=r.unallocated_credit,
            balance=r.balance,
        )
        writer.writerow(row)
    return buf.getvalue()
