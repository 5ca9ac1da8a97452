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
    line1: Name
    line2: Name | None = None
    postal_code: PostalCode
    city: City


class AddressOut(Response):
    line1: str
    line2: str | None
    postal_code: str
    city: str


class BankIn(Request):
    """Where the seller is paid; any of them, as its country uses (all checked)."""

    #: Sweden: Bankgiro number (7-8 digits).
    bankgiro: Identifier | None = None
    #: Sweden: PlusGiro number.
    plusgiro: Identifier | None = None
    #: Norway: the 11-digit account number; Denmark: registration number and account.
    account: Identifier | None = None
    iban: Identifier | None = None
    bic: Identifier | None = None
    #: Denmark: the FI creditor number (8 digits), needed for FIK +71 references.
    creditor: Identifier | None = None


class BankOut(Response):
    bankgiro: str | None = None
    plusgiro: str | None = None
    account: str | None = None
    iban: str | None = None
    bic: str | None = None
    creditor: str | None = None


class SellerCreate(Request):
    legal_name: Name
    address: AddressIn
    #: SE, NO or DK.
    country: Identifier
    organisation_number: Identifier
    #: Absent or null: not registered for VAT (the documents charge none and say so).
    vat_number: Identifier | None = None
    #: Sweden only: approved for F-tax.
    f_skatt: StrictBool = False
    #: Norway only: registered in Foretaksregisteret.
    foretaksregisteret: StrictBool = False
    bank: BankIn = BankIn()
    #: Null: the application's default payment terms.
    payment_terms_days: PaymentTermsDays | None = None
    #: Names the seller's series (``SE`` -> ``SE-INV``). Absent: ``""`` (plain ``INV``) for the
    #: first seller, else the country code, or the country code and a digit when it is taken.
    number_prefix: NumberPrefix | None = None
    #: Absent: the country's (SE ``ocr``, NO ``kid_mod10``, DK ``fik71``); null: none.
    reference_scheme: ReferenceScheme | None = None
    reference_prefix: ReferencePrefix = ""
    email: Email | None = None
    phone: Phone | None = None
    #: Absent: true for the first seller, else false. True moves the default here.
    is_default: StrictBool | None = None


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

    legal_name: Name | None = None
    address: AddressIn | None = None
    country: Identifier | None = None
    organisation_number: Identifier | None = None
    vat_number: Identifier | None = None
    f_skatt: StrictBool | None = None
    foretaksregisteret: StrictBool | None = None
    bank: BankIn | None = None
    payment_terms_days: PaymentTermsDays | None = None
    number_prefix: NumberPrefix | None = None
    reference_scheme: ReferenceScheme | None = None
    reference_prefix: ReferencePrefix | None = None
    email: Email | None = None
    phone: Phone | None = None
    #: True moves the default here; false is refused (another seller takes it instead).
    is_default: StrictBool | None = None

    @model_validator(mode="after")
    def _no_null_where_required(self) -> SellerUpdate:
        nulled = sorted(f for f in self.model_fields_set & REQUIRED if getattr(self, f) is None)
        if nulled:
            raise ValueError(f"{', '.join(nulled)} may not be null")
        return self


class SellerOut(Response):
    """A seller: every field normalized, and as documents print it (``*_formatted``)."""

    id: str
    legal_name: str
    address: AddressOut
    country: str
    organisation_number: str
    organisation_number_formatted: str
    vat_number: str | None
    vat_number_formatted: str | None
    f_skatt: bool
    foretaksregisteret: bool
    bank: BankOut
    bank_formatted: BankOut
    payment_terms_days: int | None
    number_prefix: str
    invoice_series: str
    credit_note_series: str
    customer_series: str
    reference_scheme: str | None
    reference_prefix: str
    email: str | None
    phone: str | None
    is_default: bool
    created_at: datetime
