"""What a seller must be before it may issue documents: each rule a refusal with its code
(problem+json 422), checked on the whole seller as it would be stored, so that a change of one
field (a PATCH of the country) is checked against the others it affects.

* ``country``: SE, NO or DK (``unknown_country``, ``seller_country_unsupported``);
* organisation and VAT number valid for the country, the VAT number made from the organisation
  number (:func:`billing.parties.identity.check_identity`: ``invalid_organisation_number``,
  ``invalid_vat_number``, ``vat_number_country_mismatch``,
  ``vat_number_organisation_mismatch``);
* ``f_skatt`` Swedish only (``f_skatt_not_swedish``), ``foretaksregisteret`` Norwegian only
  (``foretaksregisteret_not_norwegian``);
* bank details valid (:mod:`billing.parties.banks`) and of the country's own systems: bankgiro
  and PlusGiro in Sweden, ``account`` in Norway (11 digits) and Denmark (reg.nr. and account),
  the FI creditor number in Denmark (``bank_detail_not_for_country``); IBAN and BIC anywhere;
* the payment reference scheme can reference an invoice: ``fik71`` needs the FI creditor
  number (``fik_needs_creditor``), and the prefix must fit the scheme (a FIK +71 prefix has at
  most 4 digits: ``invalid_payment_reference``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from billing.domain.errors import InvalidInput
from billing.domain.references import ReferenceScheme, payment_reference
from billing.parties import banks, identity

#: Where sellers may be: the countries whose VAT, references and documents are implemented.
SELLER_COUNTRIES = ("SE", "NO", "DK")
#: The reference scheme a seller gets when it names none: what the country's banks read.
DEFAULT_SCHEME = {
    "SE": ReferenceScheme.OCR,
    "NO": ReferenceScheme.KID_MOD10,
    "DK": ReferenceScheme.FIK71,
}
#: Bank details that exist in some countries only (IBAN and BIC exist everywhere).
BANK_COUNTRIES = {
    "bankgiro": ("SE",),
    "plusgiro": ("SE",),
    "account": ("NO", "DK"),
    "creditor": ("DK",),
}
BANK_FIELDS = ("bankgiro", "plusgiro", "account", "iban", "bic", "creditor")
#: A Danish account: the 4-digit reg.nr., then the account zero-padded to 10 digits.
DANISH_REGISTRATION_DIGITS = 4


@dataclass(frozen=True, slots=True)
class SellerFields:
    """A seller's fields as they would be stored (before: as given)."""

    legal_name: str
    address_line1: str
    address_line2: str | None
    postal_code: str
    city: str
    country: str
    organisation_number: str
    vat_number: str | None
    f_skatt: bool
    foretaksregisteret: bool
    bank: dict[str, str]
    payment_terms_days: int | None
    reference_scheme: ReferenceScheme | None
    reference_prefix: str
    email: str | None
    phone: str | None

    def columns(self) -> dict[str, Any]:
        """The fields as :class:`~billing.storage.models.Seller` columns."""
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        scheme = self.reference_scheme
        out["reference_scheme"] = None if scheme is None else scheme.value
        out["bank"] = dict(self.bank)
        return out


def checked(fields: SellerFields) -> SellerFields:
    """``fields`` normalized, or the first rule they break refused (module docstring)."""
    country = seller_country(fields.country)
    who = identity.check_identity(
        country, organisation_number=fields.organisation_number, vat_number=fields.vat_number
    )
    if fields.f_skatt and country != "SE":
        raise InvalidInput("F-skatt is a Swedish approval", code="f_skatt_not_swedish")
    if fields.foretaksregisteret and country != "NO":
        raise InvalidInput(
            "Foretaksregisteret is the Norwegian register",
            code="foretaksregisteret_not_norwegian",
        )
    bank = checked_bank(country, fields.bank)
    _check_reference(fields.reference_scheme, fields.reference_prefix, bank.get("creditor"))
    return replace(
        fields,
        country=country,
        organisation_number=who.organisation_number,
        vat_number=who.vat_number,
        bank=bank,
    )


def seller_country(value: str) -> str:
    code = identity.country(value)
    if code not in SELLER_COUNTRIES:
        raise InvalidInput(
            f"sellers are in {', '.join(SELLER_COUNTRIES)}, not {code}",
            code="seller_country_unsupported",
        )
    return code


def checked_bank(country: str, bank: dict[str, str]) -> dict[str, str]:
    """The bank details given, each normalized; those not given are left out."""
    out: dict[str, str] = {}
    for name in BANK_FIELDS:
        value = bank.get(name)
        if value is None:
            continue
        if country not in BANK_COUNTRIES.get(name, (country,)):
            where = " and ".join(BANK_COUNTRIES[name])
            raise InvalidInput(
                f"bank.{name} is for sellers in {where}, not {country}",
                code="bank_detail_not_for_country",
            )
        out[name] = _bank_detail(country, name, value)
    return out


def _bank_detail(country: str, name: str, value: str) -> str:
    if name == "bankgiro":
        return banks.bankgiro(value)
    if name == "plusgiro":
        return banks.plusgiro(value)
    if name == "iban":
        return banks.iban(value)
    if name == "bic":
        return banks.bic(value)
    if name == "creditor":
        return banks.fik_creditor_number(value)
    if country == "NO":
        return banks.norwegian_account(value)
    digits = identity.clean_digits(
        value, code="invalid_bank_account", what="a Danish account", lengths=range(5, 15)
    )
    reg, account = digits[:DANISH_REGISTRATION_DIGITS], digits[DANISH_REGISTRATION_DIGITS:]
    danish = banks.danish_account(reg, account)
    return danish.registration_number + danish.account_number


def formatted_bank(country: str, bank: dict[str, Any]) -> dict[str, str]:
    """The stored bank details as the documents print them."""
    out: dict[str, str] = {}
    for name, value in bank.items():
        if name == "bankgiro":
            out[name] = banks.format_bankgiro(value)
        elif name == "plusgiro":
            out[name] = banks.format_plusgiro(value)
        elif name == "iban":
            out[name] = banks.format_iban(value)
        elif name == "account" and country == "NO":
            out[name] = banks.format_norwegian_account(value)
        elif name == "account":
            out[name] = f"{value[:DANISH_REGISTRATION_DIGITS]} {value[DANISH_REGISTRATION_DIGITS:]}"
        else:
            out[name] = str(value)
    return out


def _check_reference(scheme: ReferenceScheme | None, prefix: str, creditor: str | None) -> None:
    """Whether invoices can be referenced: the first invoice's reference is made as a trial."""
    if scheme is None:
        return
    if scheme is ReferenceScheme.FIK71 and creditor is None:
        raise InvalidInput(
            "FIK +71 references need the seller's FI creditor number (bank.creditor)",
            code="fik_needs_creditor",
        )
    payment_reference(scheme, number=1, prefix=prefix, creditor=creditor)
