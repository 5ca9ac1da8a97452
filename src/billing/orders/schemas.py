"""Request and response bodies of the orders API."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StrictStr

from billing.domain.vat import TaxCategory
from billing.schemas_common import Amount, Day, Name, Quantity, Request, Text

Id = Annotated[StrictStr, Field(min_length=1, max_length=40)]


class OrderLineIn(Request):
    code: Name | None = Field(
        default=None, description="Your product code; null: none.", examples=["HC-1"]
    )
    description: Name = Field(
        description="What is ordered, as the invoice line reads.", examples=["Hälsokontroll"]
    )
    unit_amount: Amount = Field(
        description="Price per unit in minor units (öre, øre), net of VAT.", examples=[149500]
    )
    quantity: Quantity = Field(description="How many are ordered.", examples=[2])
    #: Its VAT category (e.g. ``exempt`` for a medical health check in Sweden).
    tax_category: TaxCategory = Field(
        default=TaxCategory.STANDARD,
        description="Its VAT category (e.g. exempt for a medical health check in Sweden).",
        examples=["standard"],
    )


class OrderCreate(Request):
    customer_id: Id = Field(
        description="The customer (or non-customer buyer) who orders.",
        examples=["cus_0193a1b2c3d4e5f6a7b8c9d0"],
    )
    lines: Annotated[list[OrderLineIn], Field(min_length=1, max_length=100)] = Field(
        description="What is ordered, 1 to 100 lines."
    )


class DeliveredLine(Request):
    line_id: Id = Field(
        description="The order line delivered (or, in a credit, given back).",
        examples=["ol_0193a1b2c3d4e5f6a7b8c9d0"],
    )
    quantity: Quantity = Field(
        description=(
            "How many of it, at most what is still outstanding (or, in a credit, delivered and "
            "not yet credited)."
        ),
        examples=[1],
    )


class DeliveryCreate(Request):
    """What was delivered, under the delivering system's reference (unique per order: the
    same reference again is a retry)."""

    reference: Name = Field(
        description=(
            "The delivering system's reference, unique per order (the same again is a retry)."
        ),
        examples=["visit-2025-0412"],
    )
    delivered_on: Day = Field(
        description="The day it was delivered (ISO date); the invoice line's service date.",
        examples=["2025-04-12"],
    )
    lines: Annotated[list[DeliveredLine], Field(min_length=1, max_length=100)] = Field(
        description="What was delivered, 1 to 100 lines."
    )


class CreditCreate(Request):
    """Delivered lines given back, under a reference of the caller's (unique per order: the
    same reference again is a retry)."""

    reference: Name = Field(
        description="Your reference, unique per order (the same again is a retry).",
        examples=["credit-2025-0415"],
    )
    reason: Text | None = Field(default=None, description="Why, as the credit note says.")
    lines: Annotated[list[DeliveredLine], Field(min_length=1, max_length=100)] = Field(
        description="The delivered lines given back, 1 to 100."
    )


class OrderCancel(Request):
    reason: Text | None = Field(
        default=None, description="Why it is cancelled, for the order's record."
    )


class OrderLineOut(BaseModel):
    id: str = Field(description="The order line's id.", examples=["ol_0193a1b2c3d4e5f6a7b8c9d0"])
    code: str | None = Field(description="Your product code; null: none.", examples=["HC-1"])
    description: str = Field(
        description="What is ordered, as the invoice line reads.", examples=["Hälsokontroll"]
    )
    unit_amount: int = Field(
        description="Price per unit in minor units, net of VAT.", examples=[149500]
    )
    quantity: int = Field(description="How many were ordered.", examples=[2])
    amount: int = Field(description="unit_amount × quantity, in minor units.", examples=[299000])
    tax_category: str = Field(description="Its VAT category.", examples=["standard"])
    delivered: int = Field(
        description="How many of them were delivered (and invoiced).", examples=[1]
    )
    #: Of what was delivered, how much was given back by credits.
    credited: int = Field(
        description="Of what was delivered, how many were given back by credits.", examples=[0]
    )
    cancelled: int = Field(
        description="How many were cancelled before delivery (never invoiced).", examples=[0]
    )
    outstanding: int = Field(
        description="How many are still to be delivered: quantity − delivered − cancelled.",
        examples=[1],
    )


class DeliveryLineOut(BaseModel):
    line_id: str = Field(
        description="The order line delivered.", examples=["ol_0193a1b2c3d4e5f6a7b8c9d0"]
    )
    code: str | None = Field(description="Your product code; null: none.", examples=["HC-1"])
    description: str = Field(
        description="What was delivered, as the invoice line reads.", examples=["Hälsokontroll"]
    )
    unit_amount: int = Field(
        description="Price per unit in minor units, net of VAT.", examples=[149500]
    )
    quantity: int = Field(description="How many were delivered.", examples=[1])
    amount: int = Field(description="unit_amount × quantity, in minor units.", examples=[149500])


class DeliveryOut(BaseModel):
    id: str = Field(description="The delivery's id.", examples=["dlv_0193a1b2c3d4e5f6a7b8c9d0"])
    order_id: str = Field(description="Its order.", examples=["ord_0193a1b2c3d4e5f6a7b8c9d0"])
    reference: str = Field(
        description="The delivering system's reference.", examples=["visit-2025-0412"]
    )
    delivered_on: str = Field(
        description="The day it was delivered (ISO date).", examples=["2025-04-12"]
    )
    invoice_id: str = Field(
        description="The invoice of exactly what it delivered.",
        examples=["inv_0193a1b2c3d4e5f6a7b8c9d0"],
    )
    total: int = Field(description="What it delivered, net, in minor units.", examples=[149500])
    currency: str = Field(description="ISO 4217 code.", examples=["SEK"])
    lines: list[DeliveryLineOut] = Field(description="What was delivered.")
    recorded_at: str = Field(
        description="When it was recorded (ISO timestamp).", examples=["2025-04-02T09:30:00+00:00"]
    )
    recorded_by: str = Field(
        description="Who recorded it (role:person or key).",
        examples=["staff:person_0193a1b2c3d4e5f6a7b8c9d0"],
    )


class CreditLineOut(BaseModel):
    line_id: str = Field(
        description="The order line given back.", examples=["ol_0193a1b2c3d4e5f6a7b8c9d0"]
    )
    #: The delivery (and so the invoice) this part of the credit gives back.
    delivery_id: str = Field(
        description="The delivery (and so the invoice) this part of the credit gives back.",
        examples=["dlv_0193a1b2c3d4e5f6a7b8c9d0"],
    )
    invoice_id: str = Field(
        description="The invoice it credits.", examples=["inv_0193a1b2c3d4e5f6a7b8c9d0"]
    )
    unit_amount: int = Field(
        description="Price per unit in minor units, as it was billed.", examples=[149500]
    )
    quantity: int = Field(description="How many are given back.", examples=[1])
    amount: int = Field(
        description="The positive amount given back, in minor units.", examples=[149500]
    )


class CreditOut(BaseModel):
    id: str = Field(description="The credit's id.", examples=["ocr_0193a1b2c3d4e5f6a7b8c9d0"])
    order_id: str = Field(description="Its order.", examples=["ord_0193a1b2c3d4e5f6a7b8c9d0"])
    reference: str = Field(description="The caller's reference.", examples=["credit-2025-0415"])
    reason: str | None = Field(description="Why; null: none given.")
    #: One credit note per invoice given back.
    credit_notes: list[str] = Field(
        description="The credit notes it issued, one per invoice given back.",
        examples=[["cn_0193a1b2c3d4e5f6a7b8c9d0"]],
    )
    total: int = Field(
        description="The positive amount given back, net, in minor units.", examples=[149500]
    )
    currency: str = Field(description="ISO 4217 code.", examples=["SEK"])
    lines: list[CreditLineOut] = Field(description="What was given back.")
    recorded_at: str = Field(
        description="When it was recorded (ISO timestamp).", examples=["2025-04-02T09:30:00+00:00"]
    )
    recorded_by: str = Field(
        description="Who recorded it (role:person or key).",
        examples=["staff:person_0193a1b2c3d4e5f6a7b8c9d0"],
    )


class OrderOut(BaseModel):
    id: str = Field(description="The order's id.", examples=["ord_0193a1b2c3d4e5f6a7b8c9d0"])
    customer_id: str = Field(description="The buyer.", examples=["cus_0193a1b2c3d4e5f6a7b8c9d0"])
    currency: str = Field(description="ISO 4217 code: the customer's.", examples=["SEK"])
    status: str = Field(
        description="pending, partially_delivered, delivered or cancelled.", examples=["pending"]
    )
    total: int = Field(description="What was ordered, net, in minor units.", examples=[299000])
    delivered_total: int = Field(
        description="What was delivered (and invoiced), net, in minor units.", examples=[149500]
    )
    credited_total: int = Field(
        description="What credits gave back, net, in minor units.", examples=[0]
    )
    lines: list[OrderLineOut] = Field(description="The order's lines.")
    deliveries: list[DeliveryOut] = Field(
        description="Its deliveries, oldest first, each with its invoice."
    )
    credits: list[CreditOut] = Field(
        description="Its credits, oldest first, each with its credit notes."
    )
    created_at: str = Field(
        description="When it was ordered (ISO timestamp).", examples=["2025-04-02T09:30:00+00:00"]
    )
    created_by: str = Field(
        description="Who ordered it (role:person or key).",
        examples=["staff:person_0193a1b2c3d4e5f6a7b8c9d0"],
    )
    cancelled_at: str | None = Field(
        description="When it was cancelled (ISO timestamp); null: not cancelled."
    )
    cancelled_by: str | None = Field(description="Who cancelled it; null: not cancelled.")
    cancel_reason: str | None = Field(
        description="Why it was cancelled; null: not cancelled or no reason given."
    )


class OrderPage(BaseModel):
    data: list[OrderOut] = Field(description="The page's orders.")
    next_cursor: str | None = Field(
        description=(
            "Set when the page came back full: pass it as after for the next page; null: no more."
        ),
    )
