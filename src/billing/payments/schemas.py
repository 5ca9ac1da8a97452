"""Requests and answers of the bank payments API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field

from billing.schemas_common import Name, PositiveAmount, Request
from billing.storage.models import BankAllocation, BankPayment, PaymentFile


class AllocationCreate(Request):
    """Put ``amount`` of an unmatched payment to an invoice in its currency: what is due is
    paid, the rest kept as the customer's credit."""

    invoice_id: Name = Field(
        description="The invoice to pay, in the payment's currency.",
        examples=["inv_0193a1b2c3d4e5f6a7b8c9d0"],
    )
    amount: PositiveAmount = Field(
        description=(
            "How much of the unmatched payment to put to it, in minor units; beyond what is due "
            "becomes the customer's credit."
        ),
        examples=[31244],
    )


def status_of(payment: BankPayment, allocations: Sequence[BankAllocation]) -> str:
    """``matched`` by its reference at import; ``allocated`` by staff; ``partly_allocated``
    while it still holds money after some was put to invoices; ``unmatched``; ``deduction``."""
    if payment.kind == "deduction":
        return "deduction"
    used = sum(a.paid + a.credit for a in allocations)
    if used == 0:
        return "unmatched"
    if used < payment.amount:
        return "partly_allocated"
    if any(a.allocated_by == "staff" for a in allocations):
        return "allocated"
    return "matched"


def bank_payment_out(payment: BankPayment, allocations: Sequence[BankAllocation]) -> dict[str, Any]:
    used = sum(a.paid + a.credit for a in allocations)
    return {
        "id": payment.id,
        "file_id": payment.file_id,
        "location": payment.location,
        "kind": payment.kind,
        "status": status_of(payment, allocations),
        "reference": payment.reference,
        "amount": payment.amount,
        "currency": payment.currency,
        "paid_on": payment.paid_on.isoformat(),
        "payer": payment.payer,
        "receiver": payment.receiver,
        "seller_id": payment.seller_id,
        "reason": payment.reason,
        "allocated": used,
        "unallocated": payment.amount - used if payment.kind == "payment" else 0,
        "allocations": [
            {
                "invoice_id": a.invoice_id,
                "payment_id": a.payment_id,
                "paid": a.paid,
                "credit": a.credit,
                "allocated_by": a.allocated_by,
            }
            for a in allocations
        ],
    }


def file_out(
    file: PaymentFile, payments: Sequence[BankPayment], allocations: Sequence[BankAllocation]
) -> dict[str, Any]:
    """The answer of an import (stored with the file and given again on every re-import)."""
    by_payment: dict[str, list[BankAllocation]] = {p.id: [] for p in payments}
    for a in allocations:
        by_payment[a.bank_payment_id].append(a)
    rows = [bank_payment_out(p, by_payment[p.id]) for p in payments]
    statuses = [row["status"] for row in rows]
    return {
        "id": file.id,
        "format": file.format,
        "file_key": file.file_key,
        "sha256": file.sha256,
        "received_at": file.received_at.isoformat(),
        "payment_count": file.payment_count,
        "total_amount": file.total_amount,
        "matched": statuses.count("matched"),
        "partly_allocated": statuses.count("partly_allocated"),
        "unmatched": statuses.count("unmatched"),
        "deductions": statuses.count("deduction"),
        "paid": sum(a.paid for a in allocations),
        "credit": sum(a.credit for a in allocations),
        "unallocated": sum(row["unallocated"] for row in rows),
        "payments": rows,
    }
