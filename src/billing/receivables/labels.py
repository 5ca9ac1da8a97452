"""The words of the statement (kontoutdrag), in the languages of our customers.

Words the documents already have (``invoice``, ``credit_note``, ``date``, ``due_date``,
``customer``, ``amount`` …) are :mod:`billing.documents.labels`' and read the same here; these
are the statement's own. key: (sv, nb, da, en).
"""

from __future__ import annotations

from billing.documents.labels import texts
from billing.invoicing.legal import in_language

_WORDS: dict[str, tuple[str, str, str, str]] = {
    "statement": ("Kontoutdrag", "Kontoutskrift", "Kontoudtog", "Statement of account"),
    "period": ("Period", "Periode", "Periode", "Period"),
    "as_of": ("Per", "Per", "Pr.", "As of"),
    "from_start": ("från början", "fra start", "fra start", "from the start"),
    "opening_balance": ("Ingående saldo", "Inngående saldo", "Primosaldo", "Opening balance"),
    "closing_balance": ("Utgående saldo", "Utgående saldo", "Ultimosaldo", "Closing balance"),
    "balance": ("Saldo", "Saldo", "Saldo", "Balance"),
    "movements": ("Transaktioner", "Transaksjoner", "Posteringer", "Movements"),
    "kind": ("Typ", "Type", "Type", "Kind"),
    "reference": ("Referens", "Referanse", "Reference", "Reference"),
    "kind_invoice": ("Faktura", "Faktura", "Faktura", "Invoice"),
    "kind_credit_note": ("Kreditfaktura", "Kreditnota", "Kreditnota", "Credit note"),
    "kind_payment": ("Betalning", "Innbetaling", "Indbetaling", "Payment"),
    "kind_refund": ("Återbetalning", "Tilbakebetaling", "Tilbagebetaling", "Refund"),
    "kind_credit_kept": (
        "Sparat som tillgodohavande",
        "Lagt til gode",
        "Gemt som tilgodehavende",
        "Kept as credit",
    ),
    "kind_credit_applied": (
        "Tillgodohavande använt",
        "Tilgodebeløp brukt",
        "Tilgodehavende anvendt",
        "Credit applied",
    ),
    "kind_payment_credit": (
        "Överbetalning, sparad som tillgodohavande",
        "Overbetaling, lagt til gode",
        "Overbetaling, gemt som tilgodehavende",
        "Overpayment kept as credit",
    ),
    "kind_credit_unallocated": (
        "Kredit varken återbetald eller sparad",
        "Kreditt verken tilbakebetalt eller lagt til gode",
        "Kredit hverken tilbagebetalt eller gemt",
        "Credit neither refunded nor kept",
    ),
    "open_items": ("Öppna poster", "Åpne poster", "Åbne poster", "Open items"),
    "open_total": ("Summa öppna poster", "Sum åpne poster", "Åbne poster i alt", "Open total"),
    "overdue_total": ("Varav förfallet", "Herav forfalt", "Heraf forfaldent", "Of which overdue"),
    "customer_credit": ("Tillgodohavande", "Til gode", "Tilgodehavende", "Customer credit"),
    "days_overdue": ("Dagar sen", "Dager forfalt", "Dage forfalden", "Days overdue"),
    "aging": ("Åldersanalys", "Aldersfordeling", "Aldersfordeling", "Aging"),
    "bucket_not_due": ("Ej förfallet", "Ikke forfalt", "Ikke forfaldent", "Not due"),
    "bucket_1_30": ("1–30 dagar", "1–30 dager", "1–30 dage", "1–30 days"),
    "bucket_31_60": ("31–60 dagar", "31–60 dager", "31–60 dage", "31–60 days"),
    "bucket_61_90": ("61–90 dagar", "61–90 dager", "61–90 dage", "61–90 days"),
    "bucket_over_90": ("> 90 dagar", "> 90 dager", "> 90 dage", "> 90 days"),
    "no_movements": (
        "Inga transaktioner under perioden",
        "Ingen transaksjoner i perioden",
        "Ingen posteringer i perioden",
        "No movements in the period",
    ),
}


def statement_texts(language: str) -> dict[str, str]:
    """The documents' words and the statement's own, in ``language`` (English if unknown)."""
    return {**texts(language), **in_language(_WORDS, language)}
