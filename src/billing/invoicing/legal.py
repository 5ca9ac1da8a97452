"""What the law asks a document to say, in words the JSON and the printed document share.

* **Notes** (:func:`notes_of`): a line taxed under a code that is not a domestic rate needs a
  note: reverse charge ("Omvänd betalningsskyldighet", "Omvendt avgiftsplikt", "Omvendt
  betalingspligt"; the buyer's VAT number is on the document with it), outside the scope of
  VAT, exempt (with the law of the seller's country that exempts it: Sweden's
  mervärdesskattelag 10 kap., Norway's merverdiavgiftslov kapittel 3, Denmark's momslov
  § 13) and a seller not registered for VAT. In the customer's language (:func:`language_of`).
* **Rates** as a percent (:func:`rate_percent`): ``2500`` hundredths → ``"25"``.
* **Parties** (:func:`party_out`): the seller and buyer as the document keeps them, with their
  numbers as printed (``556036-0793``, ``NO 923 609 016 MVA``) and the seller's bank details.

The words live here rather than in :mod:`billing.documents.labels` because the documents
package reads the ledger through invoicing, so invoicing may not import it; the labels take
these words from here. A document issued before VAT (no ``parties``) has no notes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel import Locale, UnknownLocaleError

from billing.domain.errors import InvalidInput
from billing.domain.vat import RATE_SCALE, TaxCode
from billing.parties import identity
from billing.sellers.checks import BANK_FIELDS, formatted_bank
from billing.storage.models import Document

LANGUAGES = ("sv", "nb", "da", "en")
_INDEX = {lang: i for i, lang in enumerate(LANGUAGES)}
#: Norwegian has two written standards and a macro code; all read the Bokmål texts.
_ALIASES = {"no": "nb", "nn": "nb"}

#: key: (sv, nb, da, en). The legal notes cite the law of the seller's country.
WORDS: dict[str, tuple[str, str, str, str]] = {
    "item_setup": ("Startavgift", "Etableringsgebyr", "Oprettelsesgebyr", "Start-up fee"),
    "item_one_off": ("Engångsleverans", "Engangslevering", "Engangslevering", "One-off delivery"),
    "item_usage": ("Förbrukning", "Forbruk", "Forbrug", "Usage"),
    "usage_tier": ("nivå", "trinn", "trin", "tier"),
    "item_reminder_fee": ("Påminnelseavgift", "Purregebyr", "Rykkergebyr", "Reminder fee"),
    "item_late_compensation": (
        "Förseningsersättning",
        "Kompensasjon for forsinket betaling",
        "Kompensationsbeløb",
        "Late payment compensation",
    ),
    "item_late_interest": ("Dröjsmålsränta", "Forsinkelsesrente", "Morarente", "Late interest"),
    "note_reverse_charge": (
        "Omvänd betalningsskyldighet",
        "Omvendt avgiftsplikt",
        "Omvendt betalingspligt",
        "Reverse charge",
    ),
    "note_outside_scope": (
        "Utanför mervärdesskattens tillämpningsområde",
        "Utenfor merverdiavgiftens virkeområde",
        "Uden for momsens anvendelsesområde",
        "Outside the scope of VAT",
    ),
    "note_not_registered": (
        "Säljaren är inte registrerad för mervärdesskatt",
        "Selger er ikke registrert for merverdiavgift",
        "Sælger er ikke momsregistreret",
        "The seller is not registered for VAT",
    ),
    "note_exempt_SE": (
        "Undantagen från skatteplikt enligt 10 kap. ML",
        "Unntatt fra merverdiavgift etter 10 kap. i den svenske merverdiavgiftsloven (ML)",
        "Fritaget for moms efter 10 kap. i den svenske momslov (ML)",
        "Exempt from VAT under chapter 10 of the Swedish VAT Act (ML)",
    ),
    "note_exempt_NO": (
        "Undantagen från mervärdesskatt enligt kapitel 3 i den norska merverdiavgiftsloven",
        "Unntatt fra merverdiavgift etter merverdiavgiftsloven kapittel 3",
        "Fritaget for moms efter kapitel 3 i den norske merverdiavgiftslov",
        "Exempt from VAT under chapter 3 of the Norwegian VAT Act",
    ),
    "note_exempt_DK": (
        "Undantagen från mervärdesskatt enligt 13 § i den danska momslagen",
        "Unntatt fra merverdiavgift etter § 13 i den danske momsloven",
        "Momsfritaget efter momslovens § 13",
        "Exempt from VAT under section 13 of the Danish VAT Act",
    ),
}


def language_of(locale: str) -> str:
    """The document language for a customer locale: ``sv_SE`` → ``sv``, ``no`` → ``nb``;
    English for a language we do not have."""
    try:
        language = Locale.parse(locale.replace("-", "_")).language
    except (ValueError, UnknownLocaleError):
        return "en"
    language = _ALIASES.get(language, language)
    return language if language in _INDEX else "en"


#: Phrases by key, each in the four languages: (sv, nb, da, en).
Phrases = Mapping[str, tuple[str, str, str, str]]


def in_language(phrases: Phrases, language: str) -> dict[str, str]:
    """Every phrase of ``phrases`` in ``language`` (English for a language we do not have):
    the one lookup of the documents', statements' and reminders' words."""
    i = _INDEX.get(language, _INDEX["en"])
    return {key: values[i] for key, values in phrases.items()}


def word(language: str, key: str) -> str:
    return WORDS[key][_INDEX.get(language, _INDEX["en"])]


def note_text(code: str, seller_country: str, language: str) -> str | None:
    """The legal note a line taxed under ``code`` needs (None: none, a domestic rate)."""
    key = f"note_exempt_{seller_country}" if code == TaxCode.EXEMPT else f"note_{code}"
    return word(language, key) if key in WORDS else None


@dataclass(frozen=True, slots=True)
class Note:
    """A legal note a document prints: its tax code and its text."""

    code: str
    text: str


def notes_of(doc: Document, language: str) -> list[Note]:
    """The notes that apply to ``doc``: one per tax code of its VAT breakdown that has one, in
    the breakdown's order (none for a document issued before VAT)."""
    if doc.parties is None:
        return []
    country = str(doc.parties["seller"]["country"])
    out: list[Note] = []
    for row in doc.vat_breakdown or ():
        code = str(row["code"])
        text = note_text(code, country, language)
        if text is not None and all(n.code != code for n in out):
            out.append(Note(code, text))
    return out


def rate_percent(rate_bps: int) -> str:
    """A rate in hundredths of a percent as a percent: ``2500`` → ``"25"``, ``1250`` →
    ``"12.5"``."""
    value = (Decimal(rate_bps) * 100 / RATE_SCALE).normalize()
    return format(value, "f")


def _printed(fmt: Callable[[str, str], str], country: str | None, value: Any) -> str | None:
    """``value`` as printed by ``fmt``; as stored when it cannot be (not one of ours)."""
    if value is None or country is None:
        return None if value is None else str(value)
    try:
        return fmt(country, str(value))
    except InvalidInput:
        return str(value)


def party_out(party: Mapping[str, Any]) -> dict[str, Any]:
    """A seller or buyer of a document as issued (``parties``), with its numbers (and a
    seller's bank details) also as printed; an address with nothing in it is null."""
    out = dict(party)
    country = party.get("country")
    address = party.get("address") or {}
    out["address"] = dict(address) if any(v is not None for v in address.values()) else None
    for name, fmt in (
        ("organisation_number", identity.format_organisation_number),
        ("vat_number", identity.format_vat_number),
    ):
        out[f"{name}_formatted"] = _printed(fmt, country, party.get(name))
    if "bank" in party:
        bank = dict(party.get("bank") or {})
        try:
            printed = formatted_bank(str(country), bank)
        except InvalidInput:
            printed = {k: str(v) for k, v in bank.items()}
        out["bank"] = {k: bank.get(k) for k in BANK_FIELDS}
        out["bank_formatted"] = {k: printed.get(k) for k in BANK_FIELDS}
    return out
