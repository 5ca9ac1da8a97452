"""The code lists of Peppol BIS Billing 3.0 that our documents use, and how our terms map to them.

* **Specification and process** (BT-24, BT-23): :data:`CUSTOMIZATION_ID`, :data:`PROFILE_ID`;
  invoices are type 380 (UNCL 1001 "Commercial invoice"), credit notes 381.
* **VAT categories** (UNCL 5305, BT-118/BT-151), from a VAT breakdown row's code
  (:class:`billing.domain.vat.TaxCode`): every taxed code (standard, reduced, food, reduced_low;
  stored in the one ``standard`` row of their rate) is ``S`` with its percent; ``exempt`` is
  ``E`` (0 %, with the exemption note of the seller's country as the reason text: BR-E-10;
  no VATEX code, because "exempt" covers exemptions of several articles of the VAT directive
  and the code would claim one); ``reverse_charge`` is ``AE`` (0 %, VATEX-EU-AE and the note:
  BR-AE-10); ``outside_scope`` and ``not_registered`` are ``O`` ("Not subject to VAT",
  VATEX-EU-O and the note: BR-O-10; no percent: BR-O-05).

  Why ``O`` for a seller that is not registered for VAT: it charges no VAT because it is not
  in the VAT system, not because one supply is exempt; and ``E`` needs the seller's VAT
  identifier or tax registration (BR-E-02), which a Danish seller without VAT has nothing
  for, while ``O`` forbids only VAT identifiers (BR-O-02), which such a seller has none of.
  ``O`` must be the document's only category (BR-O-11, BR-O-12): on a document with an ``O``
  row, an exempt row is ``O`` too (an exempt product sold outside the scope of our VAT is
  outside it as well), and neither party's VAT identifier is written (BR-O-02).
* **Electronic addresses** (EAS, BT-34/BT-49) and **legal registration schemes** (ICD,
  BT-30/BT-47): the Swedish organisation number is ``0007``, the Norwegian ``0192``, the
  Danish CVR number ``0184`` (in both lists). A buyer elsewhere is addressed by its VAT
  number, under its country's EAS VAT scheme (``9930`` Germany, ...) where the list has one.
* **Payment means** (UNCL 4461, BT-81): ``30`` credit transfer (Swedish bankgiro and PlusGiro
  with ``SE:BANKGIRO``/``SE:PLUSGIRO`` as the financial institution, SE-R-011; Norwegian
  account; IBAN), and for a Danish seller the codes Denmark allows between Danish parties
  (DK-R-005): ``93`` FIK (payment id ``71#`` + the 15 digits, creditor number as the account,
  DK-R-010/011), ``42`` payment to a bank account (account and reg.nr., DK-R-006), ``31``
  for an IBAN.
* **Unit** (UN/ECE rec. 20, BT-130): ``C62`` ("one"): a line's quantity is licences.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from billing.domain.vat import TaxCode

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
INVOICE_TYPE_CODE = "380"
CREDIT_NOTE_TYPE_CODE = "381"
UNIT_CODE = "C62"
VAT_SCHEME = "VAT"
#: A seller's tax registration that is not its VAT number (BT-32): Swedish F-skatt (SE-R-005)
#: and the Norwegian register (NO-R-002).
TAX_SCHEME = "TAX"
F_SKATT = "Godkänd för F-skatt"
FORETAKSREGISTERET = "Foretaksregisteret"


class Category(StrEnum):
    """UNCL 5305 VAT categories we issue."""

    STANDARD = "S"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    NOT_SUBJECT = "O"


#: VATEX exemption reason codes (BT-121) of the categories that have an unambiguous one.
VATEX = {Category.REVERSE_CHARGE: "VATEX-EU-AE", Category.NOT_SUBJECT: "VATEX-EU-O"}

#: Breakdown codes taxed at a rate (all in the ``standard`` row of their rate).
TAXED_CODES = frozenset({TaxCode.STANDARD, TaxCode.REDUCED, TaxCode.FOOD, TaxCode.REDUCED_LOW})
_CATEGORY = {
    TaxCode.EXEMPT: Category.EXEMPT,
    TaxCode.REVERSE_CHARGE: Category.REVERSE_CHARGE,
    TaxCode.OUTSIDE_SCOPE: Category.NOT_SUBJECT,
    TaxCode.NOT_REGISTERED: Category.NOT_SUBJECT,
}


def category_of(code: TaxCode) -> Category | None:
    """The category of a breakdown row's code (None: untaxed, posted before VAT)."""
    if code in TAXED_CODES:
        return Category.STANDARD
    return _CATEGORY.get(code)


#: Organisation numbers: the scheme that is both their EAS and their ICD code.
ORGANISATION_SCHEME = {"SE": "0007", "NO": "0192", "DK": "0184"}
#: Where a VAT number of SE/NO/DK holds the organisation number.
ORGANISATION_IN_VAT = {"SE": slice(2, 12), "NO": slice(2, 11), "DK": slice(2, 10)}
#: EAS schemes of VAT numbers, by VAT prefix (the Peppol EAS list in BIS Billing 3.0.19).
VAT_SCHEME_BY_PREFIX = {
    "AT": "9914",
    "BE": "9925",
    "BG": "9926",
    "CH": "9927",
    "CY": "9928",
    "CZ": "9929",
    "DE": "9930",
    "EE": "9931",
    "EL": "9933",
    "ES": "9920",
    "FI": "0213",
    "FR": "9957",
    "GB": "9932",
    "HR": "9934",
    "HU": "9910",
    "IE": "9935",
    "IT": "0211",
    "LT": "9937",
    "LU": "9938",
    "LV": "9939",
    "MT": "9943",
    "NL": "9944",
    "PL": "9945",
    "PT": "9946",
    "RO": "9947",
    "SI": "9949",
    "SK": "9950",
}


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier with its scheme (EAS or ICD code; None: no scheme)."""

    value: str
    scheme: str | None = None


def organisation_id(country: str, number: str | None) -> Identifier | None:
    """An organisation number with its scheme where it has one (None: no number)."""
    if not number:
        return None
    return Identifier(number, ORGANISATION_SCHEME.get(country))


def electronic_address(
    country: str, organisation_number: str | None, vat_number: str | None
) -> Identifier | None:
    """A party's electronic address (BT-34/BT-49): its organisation number under its country's
    scheme, else the one inside its VAT number, else its VAT number under the prefix's EAS VAT
    scheme; None when there is none of these."""
    scheme = ORGANISATION_SCHEME.get(country)
    if scheme is not None and organisation_number:
        return Identifier(organisation_number, scheme)
    if vat_number:
        prefix = vat_number[:2]
        if prefix == country and country in ORGANISATION_IN_VAT and scheme is not None:
            return Identifier(vat_number[ORGANISATION_IN_VAT[country]], scheme)
        if prefix in VAT_SCHEME_BY_PREFIX:
            return Identifier(vat_number, VAT_SCHEME_BY_PREFIX[prefix])
    return None


class MeansCode(StrEnum):
    """UNCL 4461 payment means we issue."""

    CREDIT_TRANSFER = "30"
    DEBIT_TRANSFER = "31"  # what Danish practice uses for an IBAN (DK-R-005, DK-R-006)
    BANK_ACCOUNT = "42"
    REFERENCE_GIRO = "93"  # Danish FIK


#: Swedish giro systems, named as the financial institution (SE-R-011).
SE_BANKGIRO = "SE:BANKGIRO"
SE_PLUSGIRO = "SE:PLUSGIRO"
#: The FIK card type our Danish references are (payment id ``71#`` + 15 digits).
FIK_CARD_TYPE = "71"

#: Words a document writes that are not the legal notes: (sv, nb, da, en).
CREDITED_AGAINST = {
    "sv": "Krediteras mot faktura {number}",
    "nb": "Krediteres mot faktura {number}",
    "da": "Krediteres faktura {number}",
    "en": "Credited against invoice {number}",
}
