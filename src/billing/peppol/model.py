"""A document as EN 16931 sees it: the business terms a UBL invoice or credit note carries.

:mod:`billing.peppol.content` fills these from an issued document; :mod:`billing.peppol.ubl`
writes them as UBL 2.1. Amounts are integer minor units of the document's currency, signed as
the document shows them (a credit note's lines are positive: what it gives back); a price is a
``Decimal`` in major units (it may have more decimals than the currency). Each field names its
business term.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from billing.peppol.codes import Category, Identifier, MeansCode


@dataclass(frozen=True, slots=True)
class Address:
    """BG-5 / BG-8: street (BT-35/50), additional line (BT-36/51), city (BT-37/52), post code
    (BT-38/53), country (BT-40/55)."""

    country: str
    street: str | None = None
    additional: str | None = None
    city: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True, slots=True)
class Party:
    """BG-4 seller / BG-7 buyer."""

    #: BT-34 / BT-49, with its EAS scheme.
    endpoint: Identifier
    #: BT-27 / BT-44.
    legal_name: str
    address: Address
    #: BT-28 / BT-45 trading name, when it differs from the legal name.
    trading_name: str | None = None
    #: BT-31 / BT-48 (None: not written; see :mod:`billing.peppol.codes` on category O).
    vat_number: str | None = None
    #: BT-32: seller's tax registration other than VAT (F-skatt, Foretaksregisteret).
    tax_registration: str | None = None
    #: BT-30 / BT-47, with its ICD scheme.
    legal_id: Identifier | None = None
    #: BT-42 / BT-43 seller contact.
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class TaxCategory:
    """BT-118/BT-151 category, BT-119/BT-152 rate (None for O), BT-120/BT-121 reason."""

    category: Category
    percent: Decimal | None
    reason: str | None = None
    reason_code: str | None = None


@dataclass(frozen=True, slots=True)
class Subtotal:
    """BG-23: one VAT breakdown row (BT-116 taxable, BT-117 VAT)."""

    taxable: int
    vat: int
    tax: TaxCategory


@dataclass(frozen=True, slots=True)
class Line:
    """BG-25: one invoice or credit note line."""

    #: BT-126.
    id: str
    #: BT-129, with unit BT-130.
    quantity: int
    #: BT-131: the line's net amount.
    net: int
    #: BT-146: net price per unit, in major units.
    price: Decimal
    #: BT-153: the product.
    name: str
    #: BT-151/BT-152: the line's category (no reason on lines).
    tax: TaxCategory
    #: BG-26: first and last day served, both inclusive.
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class PaymentMeans:
    """BG-16: how to pay. BT-81 code, BT-83 remittance (payment id), BT-84 account and BT-86
    its financial institution (a BIC, or ``SE:BANKGIRO``, or a Danish reg.nr.)."""

    code: MeansCode
    account: str
    payment_id: str | None = None
    institution: str | None = None


@dataclass(frozen=True, slots=True)
class Totals:
    """BG-22: BT-106 Σ line net, BT-109 without VAT, BT-110 VAT, BT-112 with VAT, BT-115
    amount due."""

    line_net: int
    tax_exclusive: int
    vat: int
    tax_inclusive: int
    payable: int


@dataclass(frozen=True, slots=True)
class CreditedInvoice:
    """BG-3: the invoice a credit note credits (BT-25 number, BT-26 issue date)."""

    number: str
    issue_date: date


@dataclass(frozen=True, slots=True)
class UblDocument:
    """An invoice (``credit_note`` False) or a credit note."""

    credit_note: bool
    #: BT-1, BT-2, BT-9 (invoices), BT-5.
    number: str
    issue_date: date
    due_date: date | None
    currency: str
    #: Minor digits of the currency (2 for SEK, NOK, DKK).
    digits: int
    #: BT-10: the customer number (PEPPOL-EN16931-R003).
    buyer_reference: str
    seller: Party
    buyer: Party
    #: BG-14: first and last day of all lines.
    period: tuple[date, date]
    payment_means: tuple[PaymentMeans, ...]
    #: BT-20.
    payment_terms: str | None
    subtotals: tuple[Subtotal, ...]
    totals: Totals
    lines: tuple[Line, ...]
    credited: CreditedInvoice | None = None
