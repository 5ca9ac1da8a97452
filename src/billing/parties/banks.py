"""Bank details a seller prints for payment, checked offline and normalized (digits, or the
compact IBAN/BIC); a ``format_…`` function gives each one as people write it.

* **Bankgiro** (Sweden, Bankgirot): 7 or 8 digits, the last a Luhn (modulus 10) check digit;
  printed ``NNN-NNNN`` or ``NNNN-NNNN`` (``5050-1055``).
* **PlusGiro** (Sweden, Nordea's PlusGirot): 2-8 digits, the last a Luhn check digit; printed
  with the check digit after a dash (``286543-4``).
* **Norwegian account number** (*kontonummer*): 11 digits, bank (4), account group (2),
  customer account and a modulus 11 check digit (weights 5 4 3 2 7 6 5 4 3 2); printed
  ``8601.11.17947``.
* **IBAN** (ISO 13616): country, two mod-97 check digits and the country's BBAN, of the
  country's fixed length and structure (SWIFT's IBAN registry, bundled with schwifty). The
  mod-97 check already catches every single wrong digit and swapped pair of neighbours; the
  national check digits inside the BBAN are not checked again (schwifty has no rule for some
  countries, Sweden among them). Printed in groups of four.
* **BIC** (ISO 9362): bank (4), country (2, a real one), location (2), optional branch (3).
  Whether the bank exists is not asked: the bundled registry is not complete.
* **Danish account** (*reg.nr.* and *kontonummer*): a 4-digit registration number and an
  account number of up to 10 digits, stored zero-padded to 10 as in the Danish IBAN. Banks'
  own check rules differ and are not published for all; only the form is checked.
* **FI creditor number** (*kreditornummer*, Danish FI-kort/FIK, the ``+12345678<`` at the end
  of the payment line): 8 digits, form only.

Input is read as in :func:`billing.parties.identity.clean_number` (spaces, dashes and dots
dropped, control characters and non-ASCII refused). Every function is idempotent.

**Why libraries.** python-stdnum has the Luhn and Norwegian modulus 11 rules; schwifty has the
IBAN registry (every country's length and BBAN structure, kept current by its maintainers) and
the BIC rules with the country list, which nobody should copy by hand into a billing system.
"""

from __future__ import annotations

from dataclasses import dataclass

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import luhn
from stdnum.exceptions import ValidationError
from stdnum.no import kontonr as no_kontonr

from billing.domain.errors import InvalidInput
from billing.parties.identity import clean_digits, clean_number


@dataclass(frozen=True, slots=True)
class DanishAccount:
    """A Danish bank account, both parts digits."""

    registration_number: str
    """The bank's *reg.nr.*, 4 digits (``0040``)."""
    account_number: str
    """The *kontonummer*, zero-padded to 10 digits (``0440116243``)."""


def _luhn(value: str, *, code: str, what: str, lengths: range) -> str:
    digits = clean_digits(value, code=code, what=what, lengths=lengths)
    if not luhn.is_valid(digits):
        raise InvalidInput(f"the check digit of {what} does not match (a typing error?)", code=code)
    return digits


def bankgiro(value: str) -> str:
    """A Swedish bankgiro number, digits only: ``50501055`` (``invalid_bankgiro``)."""
    return _luhn(value, code="invalid_bankgiro", what="a bankgiro number", lengths=range(7, 9))


def format_bankgiro(value: str) -> str:
    """The bankgiro number as printed: ``5050-1055``, ``902-0033``."""
    digits = bankgiro(value)
    return f"{digits[:-4]}-{digits[-4:]}"


def plusgiro(value: str) -> str:
    """A Swedish PlusGiro number, digits only: ``2865434`` (``invalid_plusgiro``)."""
    return _luhn(value, code="invalid_plusgiro", what="a PlusGiro number", lengths=range(2, 9))


def format_plusgiro(value: str) -> str:
    """The PlusGiro number as printed: ``286543-4``."""
    digits = plusgiro(value)
    return f"{digits[:-1]}-{digits[-1]}"


def norwegian_account(value: str) -> str:
    """A Norwegian bank account number, 11 digits: ``86011117947`` (``invalid_bank_account``)."""
    code = "invalid_bank_account"
    what = "a Norwegian account number"
    digits = clean_digits(value, code=code, what=what, lengths=range(11, 12))
    try:
        no_kontonr.validate(digits)
    except ValidationError:
        raise InvalidInput(
            f"the check digit of {what} does not match (a typing error?)", code=code
        ) from None
    return digits


def format_norwegian_account(value: str) -> str:
    """The Norwegian account number as printed: ``8601.11.17947``."""
    return str(no_kontonr.format(norwegian_account(value)))


def _iban(value: str) -> IBAN:
    text = clean_number(value, code="invalid_iban", what="an IBAN")
    try:
        return IBAN(text)
    except SchwiftyException as exc:
        raise InvalidInput(f"not a valid IBAN: {exc}", code="invalid_iban") from None


def iban(value: str) -> str:
    """An IBAN, compact: ``SE4550000000058398257466`` (``invalid_iban``)."""
    return str(_iban(value).compact)


def format_iban(value: str) -> str:
    """The IBAN as printed, in groups of four: ``SE45 5000 0000 0583 9825 7466``."""
    return str(_iban(value).formatted)


def bic(value: str) -> str:
    """A BIC (SWIFT code), compact, 8 or 11 characters as given: ``ESSESESS`` (``invalid_bic``)."""
    text = clean_number(value, code="invalid_bic", what="a BIC")
    try:
        return str(BIC(text).compact)
    except SchwiftyException as exc:
        raise InvalidInput(f"not a valid BIC: {exc}", code="invalid_bic") from None


def danish_account(registration_number: str, account_number: str) -> DanishAccount:
    """A Danish account from its *reg.nr.* (4 digits) and *kontonummer* (1-10 digits,
    zero-padded to 10) (``invalid_bank_account``)."""
    code = "invalid_bank_account"
    registration = clean_digits(
        registration_number, code=code, what="a Danish registration number", lengths=range(4, 5)
    )
    account = clean_digits(
        account_number, code=code, what="a Danish account number", lengths=range(1, 11)
    )
    return DanishAccount(registration_number=registration, account_number=account.zfill(10))


def fik_creditor_number(value: str) -> str:
    """The creditor number of a Danish FI payment (FIK), 8 digits (``invalid_creditor_number``)."""
    return clean_digits(
        value, code="invalid_creditor_number", what="an FI creditor number", lengths=range(8, 9)
    )
