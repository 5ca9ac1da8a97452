"""Request and response bodies of customers.

The buyer's legal details (``kind`` … ``vat_number``) are all optional: a domestic consumer
needs a name only. What is given is checked for the buyer's country (:mod:`.service`). A PATCH
names the fields it changes: a field left out stays, an ``address`` given replaces the whole
address, and ``null`` clears a field that may be empty (``name``, ``locale`` and ``timezone``
may not: ``validation_error``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StrictStr, model_validator

from billing.schemas_common import Currency, LocaleName, Name, Request, Response, Timezone
from billing.sellers.schemas import AddressIn, AddressOut, Identifier

Kind = Literal["business", "consumer"]
SellerId = Annotated[StrictStr, Field(min_length=1, max_length=40)]


class CustomerCreate(Request):
    name: Name = Field(description="The customer's name as staff know it.", examples=["Acme AB"])
    currency: Currency = Field(
        description="ISO 4217 code everything is billed in; never changes.", examples=["SEK"]
    )
    locale: LocaleName = Field(
        default="sv_SE", description="Language and formats of their documents.", examples=["sv_SE"]
    )
    timezone: Timezone = Field(
        default="Europe/Stockholm",
        description="IANA time zone that decides which day it is for them.",
        examples=["Europe/Stockholm"],
    )
    external_ref: Name | None = Field(
        default=None, description="Your own reference (e.g. a CRM id).", examples=["crm-1"]
    )
    #: The seller it buys from; absent: the default seller (whichever it is when billed).
    seller_id: SellerId | None = Field(
        default=None, description="The seller it buys from; absent: the default seller."
    )
    kind: Kind | None = Field(
        default=None, description="business or consumer.", examples=["business"]
    )
    legal_name: Name | None = Field(
        default=None, description="The name documents print; absent: name."
    )
    address: AddressIn | None = Field(default=None, description="The address documents print.")
    #: ISO 3166-1 alpha-2; absent: the seller's country.
    country: Identifier | None = Field(
        default=None,
        description="ISO 3166-1 alpha-2; absent: the seller's country.",
        examples=["SE"],
    )
    organisation_number: Identifier | None = Field(
        default=None,
        description="The organisation number (checked for its country).",
        examples=["5566778899"],
    )
    vat_number: Identifier | None = Field(
        default=None, description="The VAT number (checked for its country)."
    )


#: Fields of a customer that may not be null.
REQUIRED = frozenset({"name", "locale", "timezone"})


class CustomerUpdate(Request):
    """The fields to change (see the module docstring); the rest stay. The currency stays."""

    name: Name | None = Field(
        default=None,
        description="The customer's name as staff know it; may not be null.",
        examples=["Acme AB"],
    )
    locale: LocaleName | None = Field(
        default=None,
        description="Language and formats of their documents; may not be null.",
        examples=["sv_SE"],
    )
    timezone: Timezone | None = Field(
        default=None,
        description="IANA time zone that decides which day it is for them; may not be null.",
        examples=["Europe/Stockholm"],
    )
    external_ref: Name | None = Field(
        default=None,
        description="Your own reference (e.g. a CRM id); null clears it.",
        examples=["crm-1"],
    )
    seller_id: SellerId | None = Field(
        default=None,
        description=(
            "The seller it buys from; null: the default seller. Refused once it has documents "
            "(customer_has_documents)."
        ),
    )
    kind: Kind | None = Field(
        default=None, description="business or consumer; null clears it.", examples=["business"]
    )
    legal_name: Name | None = Field(
        default=None, description="The name documents print; null: name."
    )
    address: AddressIn | None = Field(
        default=None, description="The address documents print, replaced whole; null clears it."
    )
    country: Identifier | None = Field(
        default=None, description="ISO 3166-1 alpha-2; null: the seller's country.", examples=["SE"]
    )
    organisation_number: Identifier | None = Field(
        default=None,
        description="The organisation number (checked for its country); null clears it.",
        examples=["5566778899"],
    )
    vat_number: Identifier | None = Field(
        default=None,
        description="The VAT number (checked for its country); null clears it.",
        examples=["SE556677889901"],
    )

    @model_validator(mode="after")
    def _no_null_where_required(self) -> CustomerUpdate:
        nulled = sorted(f for f in self.model_fields_set & REQUIRED if getattr(self, f) is None)
        if nulled:
            raise ValueError(f"{', '.join(nulled)} may not be null")
        return self


class CustomerOut(Response):
    """A customer, with its account in its currency today (:mod:`billing.domain.overdue`):
    ``status`` is ``overdue`` while any of its invoices is overdue, else the stored status
    (``active``, or ``passive`` once every subscription has ended)."""

    id: str = Field(description="The customer's id.", examples=["cus_0193a1b2c3d4e5f6a7b8c9d0"])
    name: str = Field(description="The customer's name as staff know it.", examples=["Acme AB"])
    currency: str = Field(description="ISO 4217 code everything is billed in.", examples=["SEK"])
    locale: str = Field(description="Language and formats of their documents.", examples=["sv_SE"])
    timezone: str = Field(
        description="IANA time zone that decides which day it is for them.",
        examples=["Europe/Stockholm"],
    )
    external_ref: str | None = Field(
        description="Your own reference; null: none given.", examples=["crm-1"]
    )
    status: str = Field(
        description=(
            "active; passive once every subscription has ended; overdue while any of its invoices"
            " is overdue."
        ),
        examples=["active"],
    )
    created_at: datetime = Field(
        description="When it was created (UTC timestamp).", examples=["2025-04-02T09:30:00Z"]
    )
    #: Null: buys from the default seller.
    seller_id: str | None = Field(
        default=None,
        description="The seller it buys from; null: the default seller.",
        examples=["sel_0193a1b2c3d4e5f6a7b8c9d0"],
    )
    #: Printed on its documents; a series per seller (null until there is a seller).
    customer_number: str | None = Field(
        default=None,
        description=(
            "Its number on its documents, a series per seller; null until there is a seller."
        ),
        examples=["10001"],
    )
    kind: str | None = Field(
        default=None, description="business or consumer; null: not given.", examples=["business"]
    )
    legal_name: str | None = Field(
        default=None, description="The name documents print; null: name."
    )
    address: AddressOut | None = Field(
        default=None, description="The address documents print; null: none given."
    )
    country: str | None = Field(
        default=None, description="ISO 3166-1 alpha-2; null: the seller's country.", examples=["SE"]
    )
    organisation_number: str | None = Field(
        default=None,
        description="The organisation number, normalized; null: none given.",
        examples=["5566778899"],
    )
    organisation_number_formatted: str | None = Field(
        default=None,
        description="The organisation number as documents print it.",
        examples=["556677-8899"],
    )
    vat_number: str | None = Field(
        default=None,
        description="The VAT number, normalized; null: none given.",
        examples=["SE556677889901"],
    )
    vat_number_formatted: str | None = Field(
        default=None,
        description="The VAT number as documents print it.",
        examples=["SE556677889901"],
    )
    #: What the customer owes on its account today (the statement's closing balance: open
    #: amounts less customer credit; negative when the business owes the customer).
    balance: int = Field(
        0,
        description="What the customer owes today in minor units: the statement's closing balance,"
        " open amounts less customer credit (negative: the business owes the customer).",
    )
    balance_formatted: str = Field(
        "", description="The balance as the customer's documents print it."
    )
    #: What its invoices still ask, and the part of it past the due date.
    open_amount: int = Field(0, description="What its invoices still ask, in minor units.")
    overdue_amount: int = Field(
        0, description="The part of the open amount past its due date, in minor units."
    )
    overdue_amount_formatted: str = Field(
        "", description="The overdue amount as the documents print it."
    )
    overdue_invoices: int = Field(0, description="How many of its invoices are overdue.")
    #: Of the open amount, what is on invoices under an open dispute.
    disputed_amount: int = Field(
        0, description="Of the open amount, what is on invoices under an open dispute."
    )
    #: Credit the customer holds (spent by its next invoices).
    customer_credit: int = Field(
        0, description="Credit the customer holds, spent by its next invoices (minor units)."
    )


class CustomerPage(Response):
    """A page of customers, each with its account today in id order."""

    data: list[CustomerOut] = Field(
        description="The page's customers, each with its account today."
    )
    next_cursor: str | None = Field(
        description="The last id when the page came back full: pass it as after for the next "
        "page; null: the list is drained."
    )
