"""The words on documents and in the console, in the languages of our customers.

A small dictionary of our own rather than gettext catalogues: four languages, some hundred
phrases, all reviewed in one place. Babel does what it is good at (money, dates, numbers);
these are the words around them. A locale whose language is not here gets English words with
its own Babel formats.

The words the JSON documents carry too (the legal notes, the start-up fee and one-off product
names) and the choice of language are :mod:`billing.invoicing.legal`'s; they are included
here, so a document and its JSON say the same.

Some words are the law's own and read the same in every language: "Godkänd för F-skatt" (the
Swedish F-tax approval, as Skatteverket words it), "Foretaksregisteret" (the Norwegian
register) and "MVA" after a Norwegian organisation number.
"""

from __future__ import annotations

from billing.invoicing.legal import LANGUAGES, WORDS, in_language, language_of

__all__ = ["LANGUAGES", "language_of", "text", "texts"]

_TEXTS: dict[str, tuple[str, str, str, str]] = {
    **WORDS,
    # key: (sv, nb, da, en)
    "invoice": ("Faktura", "Faktura", "Faktura", "Invoice"),
    "credit_note": ("Kreditfaktura", "Kreditnota", "Kreditnota", "Credit note"),
    "number": ("Nummer", "Nummer", "Nummer", "Number"),
    "date": ("Datum", "Dato", "Dato", "Date"),
    "due_date": ("Förfallodatum", "Forfallsdato", "Forfaldsdato", "Due date"),
    "customer": ("Kund", "Kunde", "Kunde", "Customer"),
    "customer_number": ("Kundnummer", "Kundenummer", "Kundenummer", "Customer number"),
    "subscription": ("Abonnemang", "Abonnement", "Abonnement", "Subscription"),
    "status": ("Status", "Status", "Status", "Status"),
    "description": ("Beskrivning", "Beskrivelse", "Beskrivelse", "Description"),
    "service_period": ("Period", "Periode", "Periode", "Service period"),
    "of_period": ("av perioden", "av perioden", "af perioden", "of the period"),
    "licences": ("Licenser", "Lisenser", "Licenser", "Licences"),
    "unit_price": ("À-pris", "Enhetspris", "Enhedspris", "Unit price"),
    "amount": ("Belopp", "Beløp", "Beløb", "Amount"),
    "total": ("Summa", "Sum", "I alt", "Total"),
    "total_credited": (
        "Summa att återbetala",
        "Sum til gode",
        "Tilgodehavende i alt",
        "Total credited",
    ),
    "amount_paid": ("Betalt", "Betalt", "Betalt", "Paid"),
    "amount_credited": ("Krediterat", "Kreditert", "Krediteret", "Credited"),
    "amount_due": ("Att betala", "Å betale", "At betale", "Amount due"),
    "credits_invoice": (
        "Krediterar faktura",
        "Krediterer faktura",
        "Krediterer faktura",
        "Credits invoice",
    ),
    "dated": ("daterad", "datert", "dateret", "dated"),
    "reason": ("Orsak", "Årsak", "Årsag", "Reason"),
    "end_date": ("slutdatum", "sluttdato", "slutdato", "end date"),
    "item_main": ("Abonnemang", "Abonnement", "Abonnement", "Subscription"),
    "item_addon": ("Tillägg", "Tillegg", "Tilvalg", "Add-on"),
    "item_usage": ("Förbrukning", "Forbruk", "Forbrug", "Usage"),
    "status_open": ("Obetald", "Ubetalt", "Ubetalt", "Open"),
    "status_paid": ("Betald", "Betalt", "Betalt", "Paid"),
    "status_void": ("Makulerad", "Annullert", "Annulleret", "Void"),
    "status_issued": ("Utfärdad", "Utstedt", "Udstedt", "Issued"),
    "event_started": ("Start", "Start", "Start", "Started"),
    "event_price_changed": ("Prisändring", "Prisendring", "Prisændring", "Price changed"),
    "event_quantity_changed": (
        "Ändrat antal licenser",
        "Endret antall lisenser",
        "Ændret antal licenser",
        "Licences changed",
    ),
    "event_interval_changed": (
        "Ändrat fakturaintervall",
        "Endret fakturaintervall",
        "Ændret faktureringsinterval",
        "Invoice interval changed",
    ),
    "event_plan_changed": ("Byte av plan", "Bytte av plan", "Skift af plan", "Plan changed"),
    "event_start_postponed": (
        "Start framflyttad",
        "Start utsatt",
        "Start udskudt",
        "Start postponed",
    ),
    "event_paused": ("Uppehåll", "Pause", "Pause", "Paused"),
    "event_resumed": ("Återupptaget", "Gjenopptatt", "Genoptaget", "Resumed"),
    "event_cancellation_scheduled": (
        "Uppsägning",
        "Oppsigelse",
        "Opsigelse",
        "Cancellation",
    ),
    "event_cancellation_moved": (
        "Ändrat slutdatum",
        "Endret sluttdato",
        "Ændret slutdato",
        "End date moved",
    ),
    "event_cancellation_revoked": (
        "Uppsägning ångrad",
        "Oppsigelse angret",
        "Opsigelse fortrudt",
        "Cancellation undone",
    ),
    "event_cancellation_verified": (
        "Uppsägning bekräftad",
        "Oppsigelse bekreftet",
        "Opsigelse bekræftet",
        "Cancellation verified",
    ),
    "event_addon_attached": (
        "Tillägg tillagt",
        "Tillegg lagt til",
        "Tilvalg tilføjet",
        "Add-on attached",
    ),
    "event_addon_detached": (
        "Tillägg borttaget",
        "Tillegg fjernet",
        "Tilvalg fjernet",
        "Add-on detached",
    ),
    "event_one_off_delivered": (
        "Engångsleverans",
        "Engangslevering",
        "Engangslevering",
        "One-off delivery",
    ),
    "event_setup_fee_waived": (
        "Startavgift efterskänkt",
        "Etableringsgebyr frafalt",
        "Oprettelsesgebyr frafaldet",
        "Start-up fee waived",
    ),
    "event_retention_offer_made": ("Erbjudande", "Tilbud", "Tilbud", "Retention offer"),
    "event_terminated": ("Avslutat", "Avsluttet", "Afsluttet", "Terminated"),
    # The legal content of documents issued since VAT.
    "seller": ("Säljare", "Selger", "Sælger", "Seller"),
    "buyer": ("Köpare", "Kjøper", "Køber", "Buyer"),
    "org_number": ("Org.nr", "Org.nr.", "Reg.nr.", "Reg. no."),
    "org_number_SE": ("Org.nr", "Org.nr.", "Org.nr.", "Reg. no."),
    "org_number_NO": ("Org.nr.", "Org.nr.", "Org.nr.", "Org. no."),
    "org_number_DK": ("CVR-nr.", "CVR-nr.", "CVR-nr.", "CVR no."),
    "vat_number": ("Momsreg.nr", "MVA-nr.", "Momsnr.", "VAT no."),
    "buyer_vat_number": (
        "Köparens momsreg.nr",
        "Kjøpers MVA-nr.",
        "Købers momsnr.",
        "Buyer's VAT no.",
    ),
    "f_skatt": ("Godkänd för F-skatt",) * 4,
    "foretaksregisteret": ("Foretaksregisteret",) * 4,
    "vat_registered_suffix": ("MVA",) * 4,
    "email": ("E-post", "E-post", "E-mail", "Email"),
    "phone": ("Telefon", "Telefon", "Telefon", "Phone"),
    "vat": ("Moms", "MVA", "Moms", "VAT"),
    "vat_rate": ("Momssats", "MVA-sats", "Momssats", "VAT rate"),
    "taxable_amount": ("Underlag", "Grunnlag", "Momsgrundlag", "Taxable amount"),
    "vat_breakdown": (
        "Momsspecifikation",
        "MVA-spesifikasjon",
        "Momsspecifikation",
        "VAT breakdown",
    ),
    "net_total": ("Summa exkl. moms", "Sum ekskl. MVA", "I alt ekskl. moms", "Total excl. VAT"),
    "gross_total": ("Summa inkl. moms", "Sum inkl. MVA", "I alt inkl. moms", "Total incl. VAT"),
    "payment": ("Betalning", "Betaling", "Betaling", "Payment"),
    "bankgiro": ("Bankgiro", "Bankgiro", "Bankgiro", "Bankgiro"),
    "plusgiro": ("Plusgiro", "Plusgiro", "Plusgiro", "PlusGiro"),
    "account": ("Bankkonto", "Kontonummer", "Kontonr.", "Account"),
    "iban": ("IBAN",) * 4,
    "bic": ("BIC",) * 4,
    "reference_SE": ("OCR-nummer", "OCR-nummer", "OCR-nummer", "OCR number"),
    "reference_NO": ("KID", "KID", "KID", "KID"),
    "reference_DK": ("Betalnings-id", "Betalings-ID", "Betalings-id", "Payment ID"),
    "reference": (
        "Betalningsreferens",
        "Betalingsreferanse",
        "Betalingsreference",
        "Payment reference",
    ),
}

_INDEX = {lang: i for i, lang in enumerate(LANGUAGES)}


def texts(language: str) -> dict[str, str]:
    """Every phrase in one language (English for languages we do not have)."""
    return in_language(_TEXTS, language)


def text(language: str, key: str) -> str:
    values = _TEXTS.get(key)
    if values is None:
        return key.replace("_", " ")
    return values[_INDEX.get(language, _INDEX["en"])]
