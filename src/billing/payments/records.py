"""What a bank file says, whatever its format: the lines every parser gives the importer.

A parser reads the whole file and checks it (record layout, counts and sums of its end records)
before anything is written: a file is taken whole or refused whole. A refusal is
:class:`~billing.domain.errors.InvalidInput` with the code of the rule (``bank_file_invalid``:
a record or element that is not what the format says; ``bank_file_checksum``: an end record's
count or sum that the file's payments do not add up to; ``bank_file_format``: not a file of
the format asked for) and, in its detail, the line or element that is wrong.

Amounts are integer minor units (öre) read from digits or from a :class:`~decimal.Decimal`,
never through a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from billing.domain.errors import InvalidInput


class FileFormat(StrEnum):
    """The bank file formats we read."""

    #: Bankgirot's Bankgiro Inbetalningar file (Swedish OCR payments to a bankgiro number).
    BGMAX = "bgmax"
    #: Nets' OCR giro transactions (Norwegian KID payments to an account).
    OCR_GIRO = "ocr_giro"
    #: ISO 20022 BankToCustomerDebitCreditNotification (any bank, any currency).
    CAMT054 = "camt054"


class LineKind(StrEnum):
    #: Money received: matched by reference, else queued.
    PAYMENT = "payment"
    #: Money taken off (a BgMax deduction, a reversed OCR giro transaction): kept as it was
    #: reported, never matched (its amount is negative).
    DEDUCTION = "deduction"


@dataclass(frozen=True, slots=True)
class Receiver:
    """The account a file says was paid: ``kind`` is a key of a seller's bank details
    (``bankgiro``, ``account``, ``iban``), ``number`` its digits (or compact IBAN)."""

    kind: str
    number: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.number}"


@dataclass(frozen=True, slots=True)
class BankLine:
    """One payment of a file."""

    #: Where it is in the file: ``line 7`` or ``Ntfctn[1]/Ntry[2]/NtryDtls/TxDtls[1]``.
    location: str
    #: The references the payer gave, as the file has them (none: unreferenced).
    references: tuple[str, ...]
    #: Minor units; negative for a deduction.
    amount: int
    currency: str
    paid_on: date
    receiver: Receiver | None
    payer: str | None = None
    kind: LineKind = LineKind.PAYMENT


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """A whole file, checked."""

    format: FileFormat
    #: The file's own identifiers, e.g. ``bgmax:20040525173035010331``: one file, one key.
    key: str
    lines: tuple[BankLine, ...]

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


def invalid(where: str, detail: str) -> InvalidInput:
    return InvalidInput(f"{where}: {detail}", code="bank_file_invalid")


def checksum(where: str, detail: str) -> InvalidInput:
    return InvalidInput(f"{where}: {detail}", code="bank_file_checksum")


def digits(text: str, *, where: str, what: str) -> int:
    """A fixed-width numeric field (ASCII digits only: ``"²".isdigit()`` is true)."""
    if not text or not (text.isascii() and text.isdigit()):
        raise invalid(where, f"{what} is not digits: {text!r}")
    return int(text)


def minor_units(text: str, *, digits_after: int, where: str) -> int:
    """A decimal amount (``1234.50``) in minor units, exactly: more decimals than the currency
    has, a sign, an exponent or anything but digits and one point is refused."""
    body = text.strip()
    whole, _, fraction = body.partition(".")
    ok = whole.isascii() and whole.isdigit() and (not fraction or fraction.isdigit())
    if not ok or len(fraction) > digits_after or "." in fraction:
        raise invalid(where, f"an amount is digits with at most {digits_after} decimals: {text!r}")
    try:
        value = Decimal(body).scaleb(digits_after)
    except InvalidOperation as exc:  # pragma: no cover - excluded by the checks above
        raise invalid(where, f"not an amount: {text!r}") from exc
    return int(value)
