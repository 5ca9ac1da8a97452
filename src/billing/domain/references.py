"""Payment references: the number a payer gives with a payment so that it finds its invoice.

Every scheme is a string of digits whose last character is a check digit over the digits before
it, so that a bank refuses (or warns about) a mistyped reference before the money moves.

Swedish OCR (``ocr``, ``ocr_length``)
    Bankgirot's OCR reference ("OCR-referensnummer"), Bankgiro Inbetalningar, user manual and
    the "OCR-referenskontroll" check on bankgirot.se. 2 to 25 digits; the last digit is a
    check digit by the 10-modul (Luhn: weights 2, 1, 2, ... from the right over the digits
    before it, the digits of each product summed, the check digit brings the total to a
    multiple of ten). The agreement with the bank sets the control level: soft or hard
    ("mjuk"/"hård" kontroll, the check digit only; ``ocr``) or variable length control
    ("variabel längdkontroll"; ``ocr_length``), where the second-to-last digit is a length
    digit: the length of the whole reference, check and length digits included, modulo ten
    (a reference of 4, 14 or 24 digits has the length digit 4); the check digit covers the
    length digit. Fixed lengths ("fast längd") are met because our references keep one length.

Norwegian KID (``kid_mod10``, ``kid_mod11``)
    Nets' (now Mastercard Payment Services) "KID" (kundeidentifikasjon) for OCR giro and
    AvtaleGiro: 2 to 25 characters, the last a check digit by one of two methods fixed in the
    payee's agreement. MOD10 is the Luhn rule above. MOD11: weights 2, 3, 4, 5, 6, 7, 2, 3, ...
    from the right, ``r`` = the weighted sum modulo 11; the check digit is 0 when ``r`` is 0,
    the character ``-`` when ``r`` is 1 (11 - 1 = 10 is no digit), else ``11 - r``. A KID
    ending in ``-`` is valid (:func:`is_valid_kid` accepts it), but payers mistype it and some
    systems take digits only, so we never make one: :func:`kid_reference` refuses such a base
    and :func:`payment_reference` adds a variant digit (below) that avoids it.

Danish FIK +71 (``fik71``)
    The Fælles Indbetalingskort, card type ("kortart") 71 (Danish banks' and Nets' FI/
    Indbetalingskort specification): a 15-digit payment id ("betalings-id") whose last digit
    is a modulus 10 check digit, weights 1, 2, 1, 2, ... from the right starting with the
    check digit, the digits of each product summed: the Luhn rule (the printers' examples: 1
    is printed 18, 2 is printed 26). The code line printed on the invoice is
    ``+71<payment id+creditor number<``, the creditor number ("FI-kreditornummer") being
    the payee's 8 digits from its FI agreement.

Uniqueness. An invoice's reference is made from its number, gapless and unique in the seller's
invoice series (:mod:`billing.storage.numbering`). The base is the seller's fixed ``prefix``
followed by the number zero-padded to :data:`NUMBER_WIDTH` digits, so (prefix, number) can be
read back from the base: distinct numbers give distinct bases, and the check digits are a
function of the base. For ``kid_mod11`` one variant digit follows the number: 0, or 1 when 0
would make the check ``-``. The variant digit has weight 2, so going from 0 to 1 moves the sum
by 2 modulo 11 and at most one of the two has ``r`` = 1: the KID is always digits, one per
invoice number. For ``fik71`` the payment id has 14 digits before its check digit: the prefix
(at most 4 digits) is zero-padded on the left to 4, then the 10-digit number. A seller keeps
one prefix (with ``fik71``, ``"1"`` and ``"01"`` are the same series). Every reference of one
seller therefore has one length, which fixed-length agreements (Bankgirot, Nets) require.
:func:`invoice_number_of` gives the number back.

Pure: the Luhn digit is python-stdnum's (:mod:`stdnum.luhn`); stdnum has no KID module, so
MOD11 is the five lines of :func:`mod11_check_digit`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from stdnum import luhn

from billing.domain.errors import InvalidInput

#: The error code of every refusal here (problem+json 422).
CODE = "invalid_payment_reference"
#: Digits the invoice number is zero-padded to: references keep one length up to 9,999,999,999.
NUMBER_WIDTH = 10
#: Bankgirot's and Nets' bounds on a whole reference, check (and length) digits included.
MIN_LENGTH = 2
MAX_LENGTH = 25
#: A FIK +71 payment id, check digit included, and an FI creditor number.
FIK_PAYMENT_ID_LENGTH = 15
FIK_CREDITOR_LENGTH = 8
#: What is left of a FIK payment id for the prefix, after the number and the check digit.
FIK_PREFIX_WIDTH = FIK_PAYMENT_ID_LENGTH - 1 - NUMBER_WIDTH

_DIGITS = re.compile(r"[0-9]+")  # ASCII: str.isdigit() also takes "²" and Arabic-Indic digits
_MOD11_WEIGHTS = (2, 3, 4, 5, 6, 7)
# What a payer or bank file may carry for FIK: the payment id, alone or as (part of) the code
# line ("+71<000000000000018+85012345<"), once whitespace is gone.
_FIK_TEXT = re.compile(r"(?:\+71<?)?([0-9]{15})(?:\+[0-9]{8}<?)?")


class KidScheme(StrEnum):
    """The check digit method of a KID, fixed in the payee's agreement with Nets."""

    MOD10 = "mod10"
    MOD11 = "mod11"


class ReferenceScheme(StrEnum):
    """How a seller's invoices are referenced: one per seller, with its bank agreement."""

    #: Swedish OCR, check digit only (Bankgirot soft/hard control).
    OCR = "ocr"
    #: Swedish OCR with length digit (Bankgirot variable length control).
    OCR_LENGTH = "ocr_length"
    #: Norwegian KID, MOD10 check digit.
    KID_MOD10 = "kid_mod10"
    #: Norwegian KID, MOD11 check digit (never ``-`` in ours).
    KID_MOD11 = "kid_mod11"
    #: Danish FIK card type 71: the 15-digit payment id.
    FIK71 = "fik71"


@dataclass(frozen=True, slots=True)
class FikReference:
    """A FIK +71 payment: what the payer enters (``payment_id``) and whose account it pays."""

    #: 15 digits, the last its Luhn check digit.
    payment_id: str
    #: The payee's FI creditor number, 8 digits.
    creditor: str

    def __post_init__(self) -> None:
        if not is_valid_fik_payment_id(self.payment_id):
            raise _refused(
                f"a FIK +71 payment id is 15 digits with a valid check digit: "
                f"{_shown(self.payment_id)}"
            )
        _checked_creditor(self.creditor)

    @property
    def line(self) -> str:
        """The code line printed on the invoice, as banks' scanners and apps read it."""
        return f"+71<{self.payment_id}+{self.creditor}<"


# -- check digits ------------------------------------------------------------------------------


def luhn_check_digit(body: str) -> str:
    """The 10-modul / MOD10 / FIK modulus 10 check digit to append to ``body`` (digits)."""
    return str(luhn.calc_check_digit(_checked_digits(body, what="a reference body")))


def mod11_check_digit(body: str) -> str:
    """The KID MOD11 check character to append to ``body`` (digits): ``0``-``9`` or ``-``."""
    digits = _checked_digits(body, what="a reference body")
    total = sum(int(d) * _MOD11_WEIGHTS[i % 6] for i, d in enumerate(reversed(digits)))
    remainder = total % 11
    if remainder == 0:
        return "0"
    return "-" if remainder == 1 else str(11 - remainder)


# -- the schemes -------------------------------------------------------------------------------


def ocr_reference(base: int | str, *, with_length: bool) -> str:
    """The Swedish OCR reference of ``base``: its digits, the length digit when
    ``with_length``, then the check digit."""
    body = _base_digits(base)
    if with_length:
        body += str((len(body) + 2) % 10)
    return _bounded(body + luhn_check_digit(body), what="an OCR reference")


def is_valid_ocr(ref: str, *, with_length: bool = False) -> bool:
    """Whether ``ref`` passes Bankgirot's check (the length digit too when ``with_length``)."""
    if not _is_digits(ref) or not MIN_LENGTH <= len(ref) <= MAX_LENGTH:
        return False
    if with_length and ref[-2] != str(len(ref) % 10):
        return False
    return bool(luhn.is_valid(ref))


def kid_reference(base: int | str, *, scheme: KidScheme) -> str:
    """The KID of ``base``: its digits and the check digit by ``scheme``. A MOD11 base whose
    check would be ``-`` is refused (see the module docstring; :func:`payment_reference`
    never makes one)."""
    body = _base_digits(base)
    check = luhn_check_digit(body) if scheme is KidScheme.MOD10 else mod11_check_digit(body)
    if check == "-":
        raise _refused(f"the MOD11 check of {_shown(body)} would be '-': choose another base")
    return _bounded(body + check, what="a KID")


def is_valid_kid(ref: str, *, scheme: KidScheme) -> bool:
    """Whether ``ref`` is a KID with a valid check character by ``scheme`` (MOD11 ``-``
    included, as the Nets specification has it)."""
    if not isinstance(ref, str) or not MIN_LENGTH <= len(ref) <= MAX_LENGTH:
        return False
    body, check = ref[:-1], ref[-1]
    if not _is_digits(body):
        return False
    if scheme is KidScheme.MOD10:
        return check in "0123456789" and luhn_check_digit(body) == check
    return mod11_check_digit(body) == check


def fik_reference(base: int | str, *, creditor: str) -> FikReference:
    """The FIK +71 payment of ``base`` (at most 14 digits, zero-padded on the left to 14, then
    the check digit) to the FI creditor ``creditor``."""
    body = _base_digits(base)
    if len(body) > FIK_PAYMENT_ID_LENGTH - 1:
        raise _refused(f"a FIK +71 base has at most 14 digits, not {len(body)}")
    body = body.zfill(FIK_PAYMENT_ID_LENGTH - 1)
    return FikReference(payment_id=body + luhn_check_digit(body), creditor=creditor)


def is_valid_fik_payment_id(payment_id: str) -> bool:
    """Whether ``payment_id`` is 15 digits whose last is the modulus 10 check digit."""
    return (
        _is_digits(payment_id)
        and len(payment_id) == FIK_PAYMENT_ID_LENGTH
        and bool(luhn.is_valid(payment_id))
    )


# -- what invoicing calls ----------------------------------------------------------------------


def payment_reference(
    scheme: ReferenceScheme, *, number: int, prefix: str = "", creditor: str | None = None
) -> str:
    """The payment reference of invoice ``number`` (its gapless number in the seller's series)
    under the seller's ``scheme`` and fixed ``prefix`` (digits, may be empty). For ``fik71``
    it is the payment id, and ``creditor`` (the seller's FI creditor number) is required, so
    that the invoice can print its code line; the other schemes do not use it. How
    uniqueness follows: the module docstring."""
    scheme = ReferenceScheme(scheme)
    if scheme is ReferenceScheme.FIK71:
        if creditor is None:
            raise _refused("a FIK +71 reference needs the seller's FI creditor number")
        _checked_creditor(creditor)
    return _reference_of(scheme, number, prefix)


def is_valid_reference(scheme: ReferenceScheme, ref: str) -> bool:
    """Whether ``ref`` (already compact) passes the check of ``scheme``."""
    scheme = ReferenceScheme(scheme)
    if scheme is ReferenceScheme.OCR:
        return is_valid_ocr(ref)
    if scheme is ReferenceScheme.OCR_LENGTH:
        return is_valid_ocr(ref, with_length=True)
    if scheme is ReferenceScheme.KID_MOD10:
        return is_valid_kid(ref, scheme=KidScheme.MOD10)
    if scheme is ReferenceScheme.KID_MOD11:
        return is_valid_kid(ref, scheme=KidScheme.MOD11)
    return is_valid_fik_payment_id(ref)


def parse_reference(scheme: ReferenceScheme, text: str) -> str:
    """The reference in ``text`` as :func:`payment_reference` writes it: whitespace removed
    (payers type groups: ``"1234 5678 97"``), then checked by ``scheme``. For ``fik71`` the
    text may also be the code line, or ``+71`` and the payment id. Refuses what fails the
    check, with ``invalid_payment_reference``."""
    scheme = ReferenceScheme(scheme)
    if not isinstance(text, str):
        raise _refused("a payment reference is text")
    compact = "".join(text.split())
    if scheme is ReferenceScheme.FIK71 and (line := _FIK_TEXT.fullmatch(compact)):
        compact = line.group(1)
    if not is_valid_reference(scheme, compact):
        raise _refused(f"{_shown(compact)} is not a valid {scheme.value} payment reference")
    return compact


def invoice_number_of(scheme: ReferenceScheme, reference: str, *, prefix: str = "") -> int:
    """The invoice number whose reference (under ``scheme`` and ``prefix``) is ``reference``;
    refuses a reference that is valid but not one :func:`payment_reference` made."""
    scheme = ReferenceScheme(scheme)
    ref = parse_reference(scheme, reference)
    after = 2 if scheme in (ReferenceScheme.OCR_LENGTH, ReferenceScheme.KID_MOD11) else 1
    digits = ref[: len(ref) - after][-NUMBER_WIDTH:]
    number = int(digits) if _is_digits(digits) else 0
    if number < 1 or _reference_of(scheme, number, prefix) != ref:
        raise _refused(f"{_shown(ref)} is not an invoice reference with prefix {_shown(prefix)}")
    return number


# -- helpers -----------------------------------------------------------------------------------


def _reference_of(scheme: ReferenceScheme, number: int, prefix: str) -> str:
    """The reference of ``number`` under ``scheme`` and ``prefix`` (FIK: the payment id)."""
    padded = _padded_number(number)
    if not isinstance(prefix, str) or (prefix and not _is_digits(prefix)):
        raise _refused(f"a reference prefix is digits 0-9 only: {_shown(prefix)}")
    base = prefix + padded
    if scheme is ReferenceScheme.OCR:
        return ocr_reference(base, with_length=False)
    if scheme is ReferenceScheme.OCR_LENGTH:
        return ocr_reference(base, with_length=True)
    if scheme is ReferenceScheme.KID_MOD10:
        return kid_reference(base, scheme=KidScheme.MOD10)
    if scheme is ReferenceScheme.KID_MOD11:
        # The variant digit (module docstring): 1 only when 0 would make the check "-".
        variant = "1" if mod11_check_digit(base + "0") == "-" else "0"
        return kid_reference(base + variant, scheme=KidScheme.MOD11)
    if len(prefix) > FIK_PREFIX_WIDTH:
        raise _refused(f"a FIK +71 prefix has at most {FIK_PREFIX_WIDTH} digits")
    body = prefix.zfill(FIK_PREFIX_WIDTH) + padded
    return body + luhn_check_digit(body)


def _padded_number(number: int) -> str:
    if isinstance(number, bool) or not isinstance(number, int):
        raise _refused("an invoice number is an integer")
    if not 1 <= number < 10**NUMBER_WIDTH:
        raise _refused(f"an invoice number is 1 to {10**NUMBER_WIDTH - 1}, not {number}")
    return str(number).zfill(NUMBER_WIDTH)


def _base_digits(base: int | str) -> str:
    if isinstance(base, bool) or not isinstance(base, int | str):
        raise _refused("a reference base is a non-negative integer or a string of digits")
    if isinstance(base, int):
        if base < 0:
            raise _refused(f"a reference base is not negative: {base}")
        return str(base)
    return _checked_digits(base, what="a reference base")


def _checked_digits(text: str, *, what: str) -> str:
    if not _is_digits(text):
        raise _refused(f"{what} is digits 0-9 only: {_shown(text)}")
    return text


def _checked_creditor(creditor: str) -> str:
    if not (_is_digits(creditor) and len(creditor) == FIK_CREDITOR_LENGTH):
        raise _refused(f"an FI creditor number is 8 digits: {_shown(creditor)}")
    return creditor


def _bounded(ref: str, *, what: str) -> str:
    if not MIN_LENGTH <= len(ref) <= MAX_LENGTH:
        raise _refused(f"{what} has {MIN_LENGTH} to {MAX_LENGTH} digits, not {len(ref)}")
    return ref


def _is_digits(text: object) -> bool:
    return isinstance(text, str) and _DIGITS.fullmatch(text) is not None


def _shown(value: object) -> str:
    """``value`` for an error message: quoted, escaped, cut to 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _refused(detail: str) -> InvalidInput:
    return InvalidInput(detail, code=CODE)
