"""Request and response bodies of the orders API."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StrictStr

from billing.domain.vat import TaxCategory
from billing.schemas_common import Amount, Day, Name, Quantity, Request, Text

Id = Annotated[StrictStr, Field(min_length=1, max_length=40)]


class OrderLineIn(Request):
    code: Name | None = None
    description: Name
    unit_amount: Amount
    quantity: Quantity
    #: Its VAT category (e.g. ``exempt`` for a medical health check in Sweden).
    tax_category: TaxCategory = TaxCategory.STANDARD


class OrderCreate(Request):
    customer_id: Id
    lines: Annotated[list[OrderLineIn], Field(min_length=1, max_length=100)]


class DeliveredLine(Request):
    line_id: Id
    quantity: Quantity


class DeliveryCreate(Request):
    """What was delivered, under the delivering system's reference (unique per order: the
    same reference again is a retry)."""

    reference: Name
    delivered_on: Day
    lines: Annotated[list[DeliveredLine], Field(min_length=1, max_length=100)]


class CreditCreate(Request):
    """Delivered lines given back, under a reference of the caller's (unique per order: the
    same reference again is a retry)."""

    reference: Name
    reason: Text | None = None
    lines: Annotated[list[DeliveredLine], Field(min_length=1, max_length=100)]


class OrderCancel(Request):
    reason: Text | None = None


class OrderLineOut(BaseModel):
    id: str
    code: str | None
    description: str
    unit_amount: int
    quantity: int
    amount: int
    tax_category: str
    delivered: int
    #: Of what was delivered, how much was given back by credits.
    credited: int
    cancelled: int
    outstanding: int


class DeliveryLineOut(BaseModel):
    line_id: str
    code: str | None
    description: str
    unit_amount: int
    quantity: int
    amount: int


class DeliveryOut(BaseModel):
    id: str
    order_id: str
    reference: str
    delivered_on: str
    invoice_id: str
    total: int
    currency: str
    lines: list[DeliveryLineOut]
    recorded_at: str
    recorded_by: str


class CreditLineOut(BaseModel):
    line_id: str
    #: The delivery (and so the invoice) this part of the credit gives back.
    delivery_id: str
    invoice_id: str
    unit_amount: int
    quantity: int
    amount: int


class CreditOut(BaseModel):
    id: str
    order_id: str
    reference: str
    reason: str | None
    #: One credit note per invoice given back.
    credit_notes: list[str]
    total: int
    currency: str
    lines: list[CreditLineOut]
    recorded_at: str
    recorded_by: str


class OrderOut(BaseModel):
    id: str
    customer_id: str
    currency: str
    status: str
    total: int
    delivered_total: int
    credited_total: int
    lines: list[OrderLineOut]
    deliveries: list[DeliveryOut]
    credits: list[CreditOut]
    created_at: str
    created_by: str
    cancelled_at: str | None
    cancelled_by: str | None
    cancel_reason: str | None


class OrderPage(BaseModel):
    data: list[OrderOut]
    next_cursor: str | None
