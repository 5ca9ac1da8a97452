"""Requests and answers of the bank payments API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

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


class AllocationOut(BaseModel):
    """What part of a bank payment went to one invoice."""

    invoice_id: str = Field(
        description="The invoice paid.", examples=["inv_0193a1b2c3d4e5f6a7b8c9d0"]
    )
    payment_id: str | None = Field(
        description="The payment recorded on the invoice; null: none (all of it became credit)."
    )
    paid: int = Field(description="What paid the invoice, in minor units.", examples=[31244])
    credit: int = Field(
        description="What went beyond what was due and became customer credit, in minor units.",
        examples=[0],
    )
    allocated_by: str = Field(
        description="import (matched by its reference) or staff (allocated from the queue).",
        examples=["import"],
    )


class BankPaymentOut(BaseModel):
    """One payment (or deduction) of a bank file, and where its money went."""

    id: str = Field(description="The bank payment's id.", examples=["bkp_0193a1b2c3d4e5f6a7b8c9d0"])
    file_id: str = Field(
        description="The file it came in.", examples=["pf_0193a1b2c3d4e5f6a7b8c9d0"]
    )
    location: str = Field(description="Where in the file it is (line or element).")
    kind: str = Field(description="payment or deduction.", examples=["payment"])
    status: str = Field(
        description="matched (by its reference at import), allocated (by staff), "
        "partly_allocated (still holds money), unmatched, or deduction.",
        examples=["matched"],
    )
    reference: str | None = Field(
        description="The references as the file has them, blank-separated; null: none.",
        examples=["4211"],
    )
    amount: int = Field(description="What was paid, in minor units.", examples=[31244])
    currency: str = Field(description="ISO 4217 code.", examples=["SEK"])
    paid_on: str = Field(description="The day it was paid (ISO date).", examples=["2025-04-20"])
    payer: str | None = Field(description="The payer as the file names it; null: not given.")
    receiver: str | None = Field(
        description="The account the file says was paid (bankgiro:9912346); null: not given.",
        examples=["bankgiro:9912346"],
    )
    seller_id: str | None = Field(description="Whose that account is; null: not known.")
    reason: str | None = Field(
        description="Why (some of) it was left unallocated (e.g. unknown_reference); null.",
    )
    allocated: int = Field(description="What was put to invoices, in minor units.")
    unallocated: int = Field(
        description="What it still holds, in minor units (0 for a deduction).", examples=[0]
    )
    allocations: list[AllocationOut] = Field(description="Where its money went.")


class PaymentFileOut(BaseModel):
    """The result of importing a bank file (given again on every import of the same file)."""

    id: str = Field(description="The file's id.", examples=["pf_0193a1b2c3d4e5f6a7b8c9d0"])
    format: str = Field(description="bgmax, ocr_giro or camt054.", examples=["bgmax"])
    file_key: str = Field(
        description="The file's own identifiers.", examples=["bgmax:20040525173035010331"]
    )
    sha256: str = Field(description="The SHA-256 of its content (hex).")
    received_at: str = Field(description="When it was first imported (ISO timestamp).")
    payment_count: int = Field(description="Payments in the file.", examples=[4])
    total_amount: int = Field(description="Their sum as the file states it, in minor units.")
    matched: int = Field(description="Payments matched by their reference.", examples=[3])
    partly_allocated: int = Field(description="Payments that still hold part of their money.")
    unmatched: int = Field(description="Payments queued unmatched.", examples=[1])
    deductions: int = Field(description="Deductions in the file.", examples=[0])
    paid: int = Field(description="What paid invoices, in minor units.")
    credit: int = Field(description="What became customer credit, in minor units.")
    unallocated: int = Field(description="What is left in the queue, in minor units.")
    payments: list[BankPaymentOut] = Field(description="Its payments, in file order.")


class BankPaymentPage(BaseModel):
    """A page of the queue of bank payments that still hold money, oldest first."""

    data: list[BankPaymentOut] = Field(description="The page's payments.")
    next_cursor: str | None = Field(
        description="The last id when the page came back full: pass it as after for the next "
        "page; null: the queue is drained."
    )
