"""Legal identity of a seller or buyer: country, organisation number and VAT number, checked
offline and normalized to one canonical string each.

**Country** (:func:`country`) is an ISO 3166-1 alpha-2 code, upper case, one Babel (CLDR) has a
name for. CLDR also names things that are not countries and are refused: its numeric regions
(``001`` World, ``150`` Europe), ``ZZ`` (unknown), the groupings ``EU``, ``EZ``, ``UN`` and
``QO``, the pseudo-locales ``XA``/``XB``, and the codes ISO only *reserves* (``AC``, ``CP``,
``CQ``, ``DG``, ``EA``, ``IC``, ``TA``). ``XK`` (Kosovo) is kept: user-assigned in ISO, but it
is the code the EU and the IBAN registry use. :data:`EU_COUNTRIES` are the 27 member states
in 2026. Greece is ``GR`` as a country and ``EL`` as a VAT prefix (:func:`vat_prefix`, as in
VIES); ``EL`` is not accepted as a country.

**Organisation number** (:func:`organisation_number`), the register's number for the legal
person, returned compact (digits only) where the number has a check digit:

* SE *organisationsnummer* (Bolagsverket, Skatteverket): 10 digits, Luhn; printed
  ``556036-0793``. A sole trader's is their *personnummer*, the same shape, and is accepted.
* NO *organisasjonsnummer* (Brønnøysundregistrene): 9 digits, modulus 11; printed
  ``988 077 917``.
* DK *CVR-nummer* (Erhvervsstyrelsen): 8 digits, modulus 11, no leading zero.
* FI *Y-tunnus* (PRH/YTJ): 7 digits and a modulus 11 check digit; printed ``2077474-0``.
* elsewhere: the register's identifier as free text, 1-35 printable characters (ISO 20022's
  ``Max35Text``, the field it ends up in), trimmed, NFC, not checked further.

**VAT number** (:func:`vat_number`), always with its country prefix:

* SE *momsregistreringsnummer*: ``SE`` + the organisation number + ``01``.
* NO: an organisation number in the VAT register (*Merverdiavgiftsregisteret*) is written with
  ``MVA`` after it: ``NO123456789MVA``, printed ``NO 123 456 789 MVA``. Norway is outside the
  EU and VIES; without ``MVA`` the number says nothing about VAT and is refused.
* DK: ``DK`` + the CVR number.
* other EU countries: the prefix and the national number, checked by that country's rule.
* other countries: refused (``vat_number_unsupported_country``); nothing here can check them.

A prefix belonging to another country is ``vat_number_country_mismatch``; a number given
without a prefix gets the country's. Greek numbers written ``GR…`` are read as ``EL…``. In SE,
NO, DK and FI the VAT number *contains* the organisation number
(:func:`vat_number_matches_organisation`); :func:`check_identity` refuses a pair that
contradicts itself. Whether a VAT number is *registered* today needs VIES, a network call, and
is not checked here.

**Input** (:func:`clean_number`): spaces, dashes and dots anywhere (also their Unicode
look-alikes: no-break and thin spaces, en dashes) and lower case are normalized away; control
characters anywhere, non-ASCII letters or digits (``５``, ``ſ``) and more than 100 characters
are refused. Every function is idempotent: its result, given again, comes back unchanged.

**Why libraries.** python-stdnum keeps the check-digit rules of nearly every national number
(including all EU VAT numbers) maintained and tested against numbers found in the wild; these
rules change (Belgium's 10-digit numbers, Greece's 8-to-9 digits) and are not ours to re-derive.
Babel already gives the country names. Bank details (schwifty) are in :mod:`.banks`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from babel import Locale
from stdnum import exceptions as stdnum_errors
from stdnum.dk import cvr as dk_cvr
from stdnum.eu import vat as eu_vat
from stdnum.fi import ytunnus as fi_ytunnus
from stdnum.no import mva as no_mva
from stdnum.no import orgnr as no_orgnr
from stdnum.se import orgnr as se_orgnr
from stdnum.se import vat as se_vat

from billing.domain.errors import InvalidInput

# The EU member states in 2026 (ISO codes; Greece's VAT prefix is EL, see :func:`vat_prefix`):
# one list, the VAT rules' own.
from billing.domain.vat import EU_COUNTRIES as EU_COUNTRIES

#: Two-letter CLDR territories that are not countries (see the module docstring).
_NOT_COUNTRIES = frozenset("AC CP CQ DG EA IC TA EU EZ UN QO XA XB ZZ".split())
_COUNTRIES = frozenset(
    code
    for code in Locale("en").territories
    if isinstance(code, str) and len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
)
#: Two letters that start a VAT number of some country: to tell "another country's number"
#: from a national number that happens to start with letters.
_VAT_PREFIXES = _COUNTRIES | {"EL", "XI"}

#: Longest input looked at: far above any identifier here, far below anything costly.
MAX_INPUT_LENGTH = 100
#: Longest free-text organisation number (ISO 20022 Max35Text).
MAX_FREE_ORGANISATION_NUMBER = 35


@dataclass(frozen=True, slots=True)
class _Register:
    """A national organisation number: its name, length and the library's rules."""

    name: str
    digits: int
    validate: Callable[[str], str]
    format: Callable[[str], str]


_REGISTERS = {
    "SE": _Register("Swedish organisation number", 10, se_orgnr.validate, se_orgnr.format),
    "NO": _Register("Norwegian organisation number", 9, no_orgnr.validate, no_orgnr.format),
    "DK": _Register("Danish CVR number", 8, dk_cvr.validate, str),
    "FI": _Register("Finnish business ID (Y-tunnus)", 8, fi_ytunnus.validate, fi_ytunnus.format),
}

#: Where the organisation number sits in the (canonical) VAT number.
_ORGANISATION_IN_VAT = {
    "SE": slice(2, 12),
    "NO": slice(2, 11),
    "DK": slice(2, 10),
    "FI": slice(2, 10),
}
#: Countries whose VAT number contains the organisation number.
VAT_CONTAINS_ORGANISATION_NUMBER = frozenset(_ORGANISATION_IN_VAT)


@dataclass(frozen=True, slots=True)
class LegalIdentity:
    """A party's checked identity, every field canonical."""

    country: str
    """ISO 3166-1 alpha-2, upper case."""
    organisation_number: str
    """Compact (see :func:`organisation_number`); print with :func:`format_organisation_number`."""
    vat_number: str | None
    """With its prefix (``SE556036079301``), or None for a party not registered for VAT."""


def _has_control(value: str) -> bool:
    """Whether ``value`` holds a control character (C0, DEL or C1)."""
    return any(ch < " " or "\x7f" <= ch <= "\x9f" for ch in value)


def _refuse_unreadable(value: object, *, code: str, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{what} is text", code=code)
    if len(value) > MAX_INPUT_LENGTH:
        raise InvalidInput(f"{what} is at most {MAX_INPUT_LENGTH} characters", code=code)
    if _has_control(value):
        raise InvalidInput(f"{what} must not contain control characters", code=code)
    return value


def _is_separator(ch: str) -> bool:
    """Spaces (any width), dashes (any length) and dots: how people group digits."""
    return ch == "." or unicodedata.category(ch) in ("Zs", "Pd")


def clean_number(value: str, *, code: str, what: str) -> str:
    """The one reading of an identifier typed by a person: without separators, upper case,
    ASCII only. Raises :class:`InvalidInput` with ``code`` naming ``what`` was refused."""
    text = _refuse_unreadable(value, code=code, what=what)
    compact = "".join(ch for ch in text if not _is_separator(ch))
    if not compact.isascii() or not compact.isalnum():
        raise InvalidInput(f"{what} holds only letters, digits, spaces, dashes and dots", code=code)
    return compact.upper()


def clean_digits(value: str, *, code: str, what: str, lengths: range) -> str:
    """:func:`clean_number`, which must then be ASCII digits, as many as one of ``lengths``."""
    text = clean_number(value, code=code, what=what)
    if not text.isdigit() or len(text) not in lengths:
        size = f"{lengths[0]}" if len(lengths) == 1 else f"{lengths[0]}-{lengths[-1]}"
        raise InvalidInput(f"{what} is {size} digits", code=code)
    return text


def country(code: str) -> str:
    """``code`` as an ISO 3166-1 alpha-2 country code, upper case (``unknown_country``)."""
    text = _refuse_unreadable(code, code="unknown_country", what="a country code").strip()
    if len(text) != 2 or not text.isascii() or not text.isalpha():
        raise InvalidInput("a country is a two-letter ISO 3166 code", code="unknown_country")
    text = text.upper()
    if text == "EL":
        raise InvalidInput("EL is Greece's VAT prefix; the country is GR", code="unknown_country")
    if text not in _COUNTRIES:
        raise InvalidInput(f"{text} is not a known country code", code="unknown_country")
    return text


def is_eu(country_code: str) -> bool:
    """Whether the country is an EU member state (Norway is not)."""
    return country(country_code) in EU_COUNTRIES


def vat_prefix(country_code: str) -> str:
    """The two letters a country's VAT numbers start with: the ISO code, but EL for Greece."""
    code = country(country_code)
    return "EL" if code == "GR" else code


# -- organisation numbers -------------------------------------------------------------------


def _free_organisation_number(value: str) -> str:
    code = "invalid_organisation_number"
    text = _refuse_unreadable(value, code=code, what="an organisation number")
    text = "".join(" " if unicodedata.category(ch) == "Zs" else ch for ch in text)
    text = unicodedata.normalize("NFC", text)
    if not text.isprintable():
        raise InvalidInput("an organisation number holds only printable characters", code=code)
    text = text.strip()
    if not 1 <= len(text) <= MAX_FREE_ORGANISATION_NUMBER:
        raise InvalidInput(
            f"an organisation number is 1-{MAX_FREE_ORGANISATION_NUMBER} characters", code=code
        )
    return text


def _organisation(code: str, value: str) -> str:
    """``value`` as an organisation number of the (normalized) country ``code``."""
    register = _REGISTERS.get(code)
    if register is None:
        return _free_organisation_number(value)
    error = "invalid_organisation_number"
    lengths = range(register.digits, register.digits + 1)
    digits = clean_digits(value, code=error, what=f"a {register.name}", lengths=lengths)
    try:
        return register.validate(digits)
    except stdnum_errors.InvalidChecksum:
        raise InvalidInput(
            f"the check digit of the {register.name} does not match (a typing error?)", code=error
        ) from None
    except stdnum_errors.ValidationError:
        raise InvalidInput(f"not a valid {register.name}", code=error) from None


def organisation_number(country_code: str, value: str) -> str:
    """``value`` as the country's organisation number, compact: digits only for SE, NO, DK and
    FI (``5560360793``), trimmed free text elsewhere (``invalid_organisation_number``)."""
    return _organisation(country(country_code), value)


def format_organisation_number(country_code: str, value: str) -> str:
    """The organisation number as printed: ``556036-0793``, ``988 077 917``, ``13585628``,
    ``2077474-0``; free text as it is."""
    code = country(country_code)
    compact = _organisation(code, value)
    register = _REGISTERS.get(code)
    return compact if register is None else register.format(compact)


# -- VAT numbers ----------------------------------------------------------------------------


def _national_part(text: str, *, code: str) -> str:
    """The VAT number ``text`` (cleaned) without its prefix, which must be the country's."""
    prefix = "EL" if code == "GR" else code
    if text.startswith(prefix) or (code == "GR" and text.startswith("GR")):
        national = text[2:]
    elif text[:2] in _VAT_PREFIXES:
        raise InvalidInput(
            f"the VAT number starts with {text[:2]}, but those of {code} start with {prefix}",
            code="vat_number_country_mismatch",
        )
    else:
        national = text
    if not national or national[:2] in (prefix, code):
        raise InvalidInput(f"not a valid VAT number of {code}", code="invalid_vat_number")
    return national


def _checked_vat(code: str, national: str) -> str:
    """The canonical VAT number, checked by the country's rule (stdnum errors pass through)."""
    if code == "SE":
        return "SE" + se_vat.validate(national)
    if code == "NO":
        if not national.endswith("MVA"):
            raise InvalidInput(
                "a Norwegian VAT number is the organisation number followed by MVA",
                code="invalid_vat_number",
            )
        return "NO" + no_mva.validate(national)
    if code == "DK":
        return "DK" + dk_cvr.validate(national)
    return eu_vat.validate(("EL" if code == "GR" else code) + national)


def _vat(code: str, value: str) -> str:
    """``value`` as a VAT number of the (normalized) country ``code``."""
    error = "invalid_vat_number"
    text = clean_number(value, code=error, what="a VAT number")
    if code not in EU_COUNTRIES and code != "NO":
        raise InvalidInput(
            f"VAT numbers are checked for the EU countries and Norway, not {code}",
            code="vat_number_unsupported_country",
        )
    national = _national_part(text, code=code)
    try:
        return _checked_vat(code, national)
    except stdnum_errors.InvalidChecksum:
        raise InvalidInput(
            f"the check digit of the VAT number of {code} does not match (a typing error?)",
            code=error,
        ) from None
    except stdnum_errors.ValidationError:
        raise InvalidInput(f"not a valid VAT number of {code}", code=error) from None


def vat_number(country_code: str, value: str) -> str:
    """``value`` as the country's VAT number, compact with its prefix: ``SE556036079301``,
    ``NO995525828MVA``, ``DK13585628``, ``EL094259216`` (``invalid_vat_number``,
    ``vat_number_country_mismatch``, ``vat_number_unsupported_country``)."""
    return _vat(country(country_code), value)


def format_vat_number(country_code: str, value: str) -> str:
    """The VAT number as printed: ``NO 995 525 828 MVA`` for Norway, compact elsewhere."""
    code = country(country_code)
    compact = _vat(code, value)
    return no_mva.format(compact) if code == "NO" else compact


def _contains(code: str, vat: str, organisation: str) -> bool:
    where = _ORGANISATION_IN_VAT.get(code)
    return where is None or vat[where] == organisation


def vat_number_matches_organisation(
    country_code: str, *, vat_number: str, organisation_number: str
) -> bool:
    """Whether the VAT number contains the organisation number, in the countries where it is
    made from it (:data:`VAT_CONTAINS_ORGANISATION_NUMBER`: SE, NO, DK, FI). Elsewhere the two
    are unrelated, nothing can contradict, and the answer is True. Both numbers are checked
    first (their own codes)."""
    code = country(country_code)
    vat = _vat(code, vat_number)
    return _contains(code, vat, _organisation(code, organisation_number))


def check_identity(
    country_code: str, *, organisation_number: str, vat_number: str | None
) -> LegalIdentity:
    """The party's country, organisation number and VAT number (None: not registered for VAT),
    each checked and normalized, and refused together when the VAT number is not made from the
    organisation number (``vat_number_organisation_mismatch``)."""
    code = country(country_code)
    organisation = _organisation(code, organisation_number)
    vat = None if vat_number is None else _vat(code, vat_number)
    if vat is not None and not _contains(code, vat, organisation):
        raise InvalidInput(
            f"the VAT number {vat} is not made from the organisation number {organisation}",
            code="vat_number_organisation_mismatch",
        )
    return LegalIdentity(country=code, organisation_number=organisation, vat_number=vat)
