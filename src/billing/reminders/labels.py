"""The words of a reminder (påminnelse, purring, rykker), key: (sv, nb, da, en)."""

from __future__ import annotations

from billing.invoicing.legal import in_language

_WORDS: dict[str, tuple[str, str, str, str]] = {
    "reminder": ("Betalningspåminnelse", "Purring", "Rykker", "Payment reminder"),
    "number": ("Påminnelse nr", "Purring nr.", "Rykker nr.", "Reminder no."),
    "intro": (
        "Vi har ännu inte fått betalt för fakturan nedan.",
        "Vi har ennå ikke mottatt betaling for fakturaen nedenfor.",
        "Vi har endnu ikke modtaget betaling for fakturaen nedenfor.",
        "We have not yet received payment of the invoice below.",
    ),
    "invoice": ("Faktura", "Faktura", "Faktura", "Invoice"),
    "due_date": ("Förfallodag", "Forfallsdato", "Forfaldsdato", "Due date"),
    "overdue": ("Förfallet belopp", "Forfalt beløp", "Forfaldent beløb", "Amount overdue"),
    "reference": ("OCR-nummer", "KID", "Betalings-ID", "Payment reference"),
    "fee": ("Påminnelseavgift", "Purregebyr", "Rykkergebyr", "Reminder fee"),
    "compensation": (
        "Förseningsersättning",
        "Standardkompensasjon",
        "Kompensation",
        "Late-payment compensation",
    ),
    "interest": ("Dröjsmålsränta", "Forsinkelsesrente", "Morarente", "Late interest"),
    "days": ("dagar", "dager", "dage", "days"),
    "rate": ("Räntesats", "Rentesats", "Rentesats", "Rate"),
    "charges": (
        "Avgifter och ränta (faktura)",
        "Gebyrer og renter (faktura)",
        "Gebyrer og renter (faktura)",
        "Fees and interest (invoice)",
    ),
    "open_items": ("Obetalda fakturor", "Ubetalte fakturaer", "Ubetalte fakturaer", "Open items"),
    "amount_due": ("Att betala", "Å betale", "At betale", "Amount due"),
    "total": ("Totalt att betala", "Totalt å betale", "I alt at betale", "Total due"),
    "vat_note": (
        "Avgifter och ränta är utanför momsens tillämpningsområde.",
        "Gebyrer og renter er utenfor merverdiavgiftsområdet.",
        "Gebyrer og renter er uden for momsens anvendelsesområde.",
        "Fees and interest are outside the scope of VAT.",
    ),
}


def reminder_texts(language: str) -> dict[str, str]:
    """The reminder's words in ``language`` (English if unknown)."""
    return in_language(_WORDS, language)
