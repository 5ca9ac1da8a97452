"""What the receivables routes answer: a customer's statement (``GET
/v1/customers/{id}/statement``) and the aging of every account (``GET /v1/receivables/aging``),
as :mod:`billing.receivables.views` builds them. Amounts are integer minor units."""

from __future__ import annotations

from pydantic import BaseModel, Field

INV = "inv_0193a1b2c3d4e5f6a7b8c9d0"
CUS = "cus_0193a1b2c3d4e5f6a7b8c9d0"


class BucketsOut(BaseModel):
    """What is due, by how long past its due date (minor units)."""

    not_due: int = Field(description="Not yet due.", examples=[124975])
    days_1_30: int = Field(alias="1_30", description="1 to 30 days overdue.", examples=[0])
    days_31_60: int = Field(alias="31_60", description="31 to 60 days overdue.", examples=[0])
    days_61_90: int = Field(alias="61_90", description="61 to 90 days overdue.", examples=[0])
    over_90: int = Field(description="More than 90 days overdue.", examples=[0])


class MovementOut(BaseModel):
    """One movement of the account, with the balance after it."""

    date: str = Field(description="The day it counts on (ISO date).", examples=["2025-04-02"])
    kind: str = Field(
        description="invoice, credit_note, payment, refund, credit_kept, credit_applied or "
        "payment_credit.",
        examples=["invoice"],
    )
    document_id: str = Field(description="The document or payment it comes from.")
    number: str = Field(description="Its number as printed.", examples=["INV-000042"])
    reference: str | None = Field(description="Its payment reference; null: none.")
    amount: int = Field(
        description="+ the customer owes more, − less (minor units).", examples=[156219]
    )
    balance: int = Field(description="The account's balance after it.", examples=[156219])
    credit: int = Field(description="What it adds to (+) or takes from (−) the customer credit.")
    credit_balance: int = Field(description="The customer credit after it.")


class OpenItemOut(BaseModel):
    """An invoice with something still due on the statement's last day."""

    invoice_id: str = Field(description="The invoice.", examples=[INV])
    number: str = Field(description="Its number.", examples=["INV-000042"])
    issue_date: str = Field(description="Its issue date (ISO date).", examples=["2025-04-02"])
    due_date: str | None = Field(description="Its due date (ISO date); null: none.")
    total: int = Field(description="Its total, in minor units.", examples=[156219])
    amount_due: int = Field(description="What is still due on it.", examples=[156219])
    status: str = Field(description="open or overdue.", examples=["open"])
    overdue: bool = Field(description="Whether it is past its due date.")
    days_overdue: int = Field(description="Days past the due date (0: not overdue).")
    bucket: str = Field(
        description="Its aging bucket: not_due, 1_30, 31_60, 61_90 or over_90.",
        examples=["not_due"],
    )
    disputed: bool = Field(description="Whether the customer disputes it.")


class UnallocatedOut(BaseModel):
    """What credit notes gave back on an invoice beyond what was owed, kept nowhere."""

    kind: str = Field(description="Always credit_unallocated.", examples=["credit_unallocated"])
    invoice_id: str = Field(description="The invoice credited.", examples=[INV])
    number: str = Field(description="Its number.")
    credit_notes: list[str] = Field(description="The credit notes that gave it back.")
    amount: int = Field(description="What is unallocated, in minor units.")


class ClosingPartOut(BaseModel):
    """One part of the closing balance; the parts add up to it exactly."""

    kind: str = Field(
        description="open_items (+), customer_credit (−) or credit_unallocated (−).",
        examples=["open_items"],
    )
    amount: int = Field(description="Its amount, signed as it counts (minor units).")


class StatementOut(BaseModel):
    """A customer's account in one currency from ``from`` through ``to`` (both included)."""

    customer_id: str = Field(description="The customer.", examples=[CUS])
    customer_number: str | None = Field(description="Its customer number; null: none yet.")
    customer_name: str = Field(description="Its name.", examples=["Acme AB"])
    currency: str = Field(description="ISO 4217 code of the account.", examples=["SEK"])
    from_: str | None = Field(
        alias="from",
        description="The first day (ISO date, included); null: from the first movement.",
        examples=["2025-01-01"],
    )
    to: str = Field(description="The last day (ISO date, included).", examples=["2025-04-30"])
    opening_balance: int = Field(description="The balance before from (minor units).")
    opening_credit: int = Field(description="The customer credit before from.")
    movements: list[MovementOut] = Field(description="The movements, in date order.")
    closing_balance: int = Field(
        description="What the customer owes on to: open items less customer credit and "
        "unallocated credit (negative: the business owes the customer).",
        examples=[156219],
    )
    closing_parts: list[ClosingPartOut] = Field(description="What the closing balance is made of.")
    open_total: int = Field(description="What the open items still ask.")
    overdue_total: int = Field(description="Of that, what is past its due date.")
    customer_credit: int = Field(description="Credit the customer holds.")
    unallocated_credit: int = Field(
        description="Credit given back beyond what was owed, kept nowhere."
    )
    open_items: list[OpenItemOut] = Field(description="The invoices with something still due.")
    unallocated: list[UnallocatedOut] = Field(description="The unallocated credit, per invoice.")
    aging: BucketsOut = Field(description="The open items by how long they are overdue.")


class AgingRowOut(BaseModel):
    """One customer's account in one currency."""

    customer_id: str = Field(description="The customer.", examples=[CUS])
    currency: str = Field(description="ISO 4217 code.", examples=["SEK"])
    buckets: BucketsOut = Field(description="What is due, by how long overdue.")
    open_total: int = Field(description="What its invoices still ask.")
    overdue_total: int = Field(description="Of that, what is past its due date.")
    customer_credit: int = Field(description="Credit the customer holds.")
    unallocated_credit: int = Field(description="Credit given back beyond what was owed.")
    balance: int = Field(description="open_total − customer_credit − unallocated_credit.")


class CurrencyTotalsOut(BaseModel):
    """The totals of one currency."""

    open_total: int = Field(description="What all invoices in it still ask.")
    overdue_total: int = Field(description="Of that, what is past its due date.")


class AgingOut(BaseModel):
    """What every customer owes on ``as_of``, per currency and aging bucket."""

    as_of: str = Field(description="The day aged on (ISO date).", examples=["2025-04-30"])
    data: list[AgingRowOut] = Field(description="One row per customer and currency.")
    totals: dict[str, CurrencyTotalsOut] = Field(
        description="Totals by ISO 4217 currency code.",
        examples=[{"SEK": {"open_total": 156219, "overdue_total": 0}}],
    )
