"""Request and response bodies of sellers, and the postal address buyers share with them.

Identity numbers (organisation, VAT, bank) arrive as people type them (spaces, dashes) and are
checked and normalized by :mod:`billing.parties`; the schemas only bound their size. A PATCH
names the fields it changes: a field it leaves out stays as it is, an ``address`` or ``bank``
it gives replaces the whole object, and ``null`` clears a field that may be empty (a field that
may not, such as ``legal_name``, refuses ``null`` with ``validation_error``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StrictBool, StrictInt, StrictStr, model_validator

from billing.domain.references import ReferenceScheme
from billing.schemas_common import Name, Request, Response

#: An identifier as typed; :mod:`billing.parties` refuses more than 100 characters.
Identifier = Annotated[StrictStr, Field(max_length=200)]
PostalCode = Annotated[Name, Field(max_length=20)]
City = Annotated[Name, Field(max_length=100)]
NumberPrefix = Annotated[StrictStr, Field(pattern=r"^[A-Z0-9]{1,6}$")]
ReferencePrefix = Annotated[StrictStr, Field(pattern=r"^[0-9]{0,6}$")]
PaymentTermsDays = Annotated[StrictInt, Field(ge=0, le=365)]
Email = Annotated[StrictStr, Field(max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Phone = Annotated[StrictStr, Field(max_length=40, pattern=r"^\+?[0-9][0-9 ()-]{2,39}$")]


class AddressIn(Request):
    line1: Name = Field(description="Street address.", examples=["Storgatan 1"])
    line2: Name | None = Field(
        default=None, description="A second address line (c/o, floor); null: none."
    )
    postal_code: PostalCode = Field(
        description="Postal code as written in its country.", examples=["111 22"]
    )
    city: City = Field(description="City (postal town).", examples=["Stockholm"])


class AddressOut(Response):
    line1: str = Field(description="Street address.", examples=["Storgatan 1"])
    line2: str | None = Field(description="A second address line; null: none.")
    postal_code: str = Field(description="Postal code.", examples=["111 22"])
    city: str = Field(description="City (postal town).", examples=["Stockholm"])


class BankIn(Request):
    """Where the seller is paid; any of them, as its country uses (all checked)."""

    #: Sweden: Bankgiro number (7-8 digits).
    bankgiro: Identifier | None = Field(
        default=None, description="Sweden: Bankgiro number (7-8 digits).", examples=["5050-1055"]
    )
    #: Sweden: PlusGiro number.
    plusgiro: Identifier | None = Field(
        default=None, description="Sweden: PlusGiro number.", examples=["4711-4"]
    )
    #: Norway: the 11-digit account number; Denmark: registration number and account.
    account: Identifier | None = Field(
        default=None,
        description=(
            "Norway: the 11-digit account number; Denmark: registration number and account."
        ),
        examples=["1234.56.78903"],
    )
    iban: Identifier | None = Field(
        default=None, description="IBAN.", examples=["SE4550000000058398257466"]
    )
    bic: Identifier | None = Field(
        default=None, description="BIC (SWIFT code) of the IBAN's bank.", examples=["ESSESESS"]
    )
    #: Denmark: the FI creditor number (8 digits), needed for FIK +71 references.
    creditor: Identifier | None = Field(
        default=None,
        description="Denmark: the FI creditor number (8 digits), needed for FIK +71 references.",
        examples=["12345678"],
    )


class BankOut(Response):
    bankgiro: str | None = Field(
        default=None, description="Sweden: Bankgiro number; null: none.", examples=["5050-1055"]
    )
    plusgiro: str | None = Field(
        default=None, description="Sweden: PlusGiro number; null: none.", examples=["4711-4"]
    )
    account: str | None = Field(
        default=None,
        description="Norway or Denmark: the bank account; null: none.",
        examples=["12345678903"],
    )
    iban: str | None = Field(
        default=None, description="IBAN; null: none.", examples=["SE4550000000058398257466"]
    )
    bic: str | None = Field(default=None, description="BIC; null: none.", examples=["ESSESESS"])
    creditor: str | None = Field(
        default=None,
        description="Denmark: the FI creditor number; null: none.",
        examples=["12345678"],
    )


class SellerCreate(Request):
    legal_name: Name = Field(
        description="The seller's registered name, as documents print it.",
        examples=["Hälsokontroll Sverige AB"],
    )
    address: AddressIn = Field(description="The seller's address, as documents print it.")
    #: SE, NO or DK.
    country: Identifier = Field(description="SE, NO or DK.", examples=["SE"])
    organisation_number: Identifier = Field(
        description="The organisation number (checked for its country).", examples=["5560360793"]
    )
    #: Absent or null: not registered for VAT (the documents charge none and say so).
    vat_number: Identifier | None = Field(
        default=None,
        description=(
            "The VAT number; absent or null: not registered for VAT (the documents charge none "
            "and say so)."
        ),
        examples=["SE556036079301"],
    )
    #: Sweden only: approved for F-tax.
    f_skatt: StrictBool = Field(
        default=False,
        description="Sweden only: approved for F-tax (documents say Godkänd för F-skatt).",
        examples=[True],
    )
    #: Norway only: registered in Foretaksregisteret.
    foretaksregisteret: StrictBool = Field(
        default=False,
        description="Norway only: registered in Foretaksregisteret.",
        examples=[False],
    )
    bank: BankIn = Field(
        default=BankIn(), description="Where the seller is paid (documents print it)."
    )
    #: Null: the application's default payment terms.
    payment_terms_days: PaymentTermsDays | None = Field(
        default=None,
        description="Days from issue to due date; null: the application's default payment terms.",
        examples=[30],
    )
    #: Names the seller's series (``SE`` -> ``SE-INV``). Absent: ``""`` (plain ``INV``) for the
    #: first seller, else the country code, or the country code and a digit when it is taken.
    number_prefix: NumberPrefix | None = Field(
        default=None,
        description=(
            "Names the seller's series (SE: SE-INV). Absent: none (plain INV) for the first "
            "seller, else the country code, or it and a digit when taken."
        ),
        examples=["SE"],
    )
    #: Absent: the country's (SE ``ocr``, NO ``kid_mod10``, DK ``fik71``); null: none.
    reference_scheme: ReferenceScheme | None = Field(
        default=None,
        description=(
            "The payment reference: ocr or ocr_length (SE), kid_mod10 or kid_mod11 (NO), fik71 "
            "(DK); absent: the country's; null: none."
        ),
        examples=["ocr"],
    )
    reference_prefix: ReferencePrefix = Field(
        default="",
        description="Up to 6 fixed digits every payment reference starts with, before the "
        "document number and check digit; empty: none.",
        examples=[""],
    )
    email: Email | None = Field(
        default=None, description="Contact e-mail documents print.", examples=["faktura@example.se"]
    )
    phone: Phone | None = Field(
        default=None, description="Contact phone documents print.", examples=["+46 8 123 456 00"]
    )
    #: Absent: true for the first seller, else false. True moves the default here.
    is_default: StrictBool | None = Field(
        default=None,
        description=(
            "Whether it becomes the default seller; absent: true for the first seller, else false."
        ),
        examples=[True],
    )


#: Fields of a seller that may not be null.
REQUIRED = frozenset(
    {
        "legal_name",
        "address",
        "country",
        "organisation_number",
        "f_skatt",
        "foretaksregisteret",
        "bank",
        "number_prefix",
        "reference_prefix",
        "is_default",
    }
)


class SellerUpdate(Request):
    """The fields to change (see the module docstring); the rest stay."""

    legal_name: Name | None = Field(
        default=None,
        description="The seller's registered name; may not be null.",
        examples=["Hälsokontroll Sverige AB"],
    )
    address: AddressIn | None = Field(
        default=None, description="The seller's address, replaced whole; may not be null."
    )
    country: Identifier | None = Field(
        default=None, description="SE, NO or DK; may not be null.", examples=["SE"]
    )
    organisation_number: Identifier | None = Field(
        default=None,
        description="The organisation number (checked for its country); may not be null.",
        examples=["5560360793"],
    )
    vat_number: Identifier | None = Field(
        default=None,
        description="The VAT number; null: not registered for VAT.",
        examples=["SE556036079301"],
    )
    f_skatt: StrictBool | None = Field(
        default=None, description="Sweden only: approved for F-tax.", examples=[True]
    )
    foretaksregisteret: StrictBool | None = Field(
        default=None, description="Norway only: registered in Foretaksregisteret.", examples=[False]
    )
    bank: BankIn | None = Field(
        default=None, description="Where the seller is paid, replaced whole."
    )
    payment_terms_days: PaymentTermsDays | None = Field(
        default=None,
        description="Days from issue to due date; null: the application's default.",
        examples=[30],
    )
    number_prefix: NumberPrefix | None = Field(
        default=None, description="Names the seller's series (SE: SE-INV).", examples=["SE"]
    )
    reference_scheme: ReferenceScheme | None = Field(
        default=None,
        description=(
            "The payment reference scheme (ocr, ocr_length, kid_mod10, kid_mod11, fik71); null: "
            "none."
        ),
        examples=["ocr"],
    )
    reference_prefix: ReferencePrefix | None = Field(
        default=None,
        description="Up to 6 fixed digits every payment reference starts with; empty: none.",
        examples=[""],
    )
    email: Email | None = Field(
        default=None,
        description="Contact e-mail documents print; null clears it.",
        examples=["faktura@example.se"],
    )
    phone: Phone | None = Field(
        default=None,
        description="Contact phone documents print; null clears it.",
        examples=["+46 8 123 456 00"],
    )
    #: True moves the default here; false is refused (another seller takes it instead).
    is_default: StrictBool | None = Field(
        default=None,
        description=(
            "True moves the default here; false is refused (make another seller the default "
            "instead)."
        ),
        examples=[True],
    )

    @model_validator(mode="after")
    def _no_null_where_required(self) -> SellerUpdate:
        nulled = sorted(f for f in self.model_fields_set & REQUIRED if getattr(self, f) is None)
        if nulled:
            raise ValueError(f"{', '.join(nulled)} may not be null")
        return self


class SellerOut(Response):
    """A seller: every field normalized, and as documents print it (``*_formatted``)."""

    id: str = Field(description="The seller's id.", examples=["sel_0193a1b2c3d4e5f6a7b8c9d0"])
    legal_name: str = Field(
        description="The seller's registered name.", examples=["Hälsokontroll Sverige AB"]
    )
    address: AddressOut = Field(description="The seller's address.")
    country: str = Field(description="SE, NO or DK.", examples=["SE"])
    organisation_number: str = Field(
        description="The organisation number, normalized.", examples=["5560360793"]
    )
    organisation_number_formatted: str = Field(
        description="The organisation number as documents print it.", examples=["556036-0793"]
    )
    vat_number: str | None = Field(
        description="The VAT number, normalized; null: not registered for VAT.",
        examples=["SE556036079301"],
    )
    vat_number_formatted: str | None = Field(
        description="The VAT number as documents print it; null: not registered.",
        examples=["SE556036079301"],
    )
    f_skatt: bool = Field(description="Sweden only: approved for F-tax.", examples=[True])
    foretaksregisteret: bool = Field(
        description="Norway only: registered in Foretaksregisteret.", examples=[False]
    )
    bank: BankOut = Field(description="Where the seller is paid, normalized.")
    bank_formatted: BankOut = Field(description="Where the seller is paid, as documents print it.")
    payment_terms_days: int | None = Field(
        description="Days from issue to due date; null: the application's default.", examples=[30]
    )
    number_prefix: str = Field(
        description="What names its series (empty: plain INV).", examples=["SE"]
    )
    invoice_series: str = Field(description="Its invoices' number series.", examples=["SE-INV"])
    credit_note_series: str = Field(
        description="Its credit notes' number series.", examples=["SE-CN"]
    )
    customer_series: str = Field(description="Its customer numbers' series.", examples=["SE-CUST"])
    reference_scheme: str | None = Field(
        description=(
            "The payment reference scheme (ocr, ocr_length, kid_mod10, kid_mod11, fik71); null: "
            "none."
        ),
        examples=["ocr"],
    )
    reference_prefix: str = Field(
        description="Fixed digits every payment reference starts with (may be empty).",
        examples=[""],
    )
    email: str | None = Field(
        description="Contact e-mail; null: none.", examples=["faktura@example.se"]
    )
    phone: str | None = Field(
        description="Contact phone; null: none.", examples=["+46 8 123 456 00"]
    )
    is_default: bool = Field(
        description="Whether it is the default seller (of customers with no seller of their own).",
        examples=[True],
    )
    created_at: datetime = Field(
        description="When it was created (UTC timestamp).", examples=["2025-04-02T09:30:00Z"]
    )


class SellerPage(Response):
    """A page of sellers in id order."""

    data: list[SellerOut] = Field(description="The page's sellers.")
    next_cursor: str | None = Field(
        description="The last id when the page came back full: pass it as after for the next "
        "page; null: the list is drained."
    )
