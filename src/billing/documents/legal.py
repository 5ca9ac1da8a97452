"""The legal content of a document issued since VAT, as people read it: who sells to whom, the
VAT per rate, the notes the law asks for and how to pay.

What each country's law asks an invoice to say, and where it comes from here:

* **Sweden** (mervärdesskattelagen 2023:200, 17 kap. 24 §): issue date and unique number
  (the header), the seller's VAT number (``Momsreg.nr``), the seller's and the buyer's names
  and addresses, the kind and quantity of the service (product and licences on each line),
  its supply date or period (each line's period), the taxable amount, rate and VAT per rate
  (the VAT breakdown), the reverse-charge note with the buyer's VAT number; and "Godkänd för
  F-skatt" when the seller is approved for F-tax. A credit note names the invoice it changes
  (17 kap. 22 §).
* **Norway** (bokføringsforskriften § 5-1-1): the seller's organisation number followed by
  "MVA" when it is VAT registered (``Org.nr. 923 609 016 MVA``), "Foretaksregisteret" when it
  is registered there, the buyer's name and address, the due date and the VAT per rate.
* **Denmark** (momsbekendtgørelsen § 58): the CVR number (``CVR-nr. 13585628``), the
  sequential number, the buyer's address and the VAT per rate; the VAT number (``DK…``)
  too when the sale is not domestic.
* **All**: the seller's bank details, the payment reference with its name (``OCR-nummer``,
  ``KID``, ``Betalings-id``; a Danish FIK +71 payment printed as its code line
  ``+71<payment id+creditor<``), the customer number, and net, VAT and gross totals. A seller
  not registered for VAT shows no VAT at all, only the note that says so.

Every number is as the document kept it at issue (``parties``), formatted by
:func:`billing.invoicing.legal.party_out`, so the document and its JSON agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.numbers import format_percent

from billing.domain.money import format_money
from billing.domain.references import FikReference, is_valid_fik_payment_id
from billing.domain.vat import RATE_SCALE, Treatment
from billing.invoicing.legal import notes_of, party_out
from billing.invoicing.views import net_total
from billing.storage.models import Document

#: Bank details in the order a payer looks for them (the FI creditor is in the FIK line).
PRINTED_BANK = ("bankgiro", "plusgiro", "account", "iban", "bic")


@dataclass(frozen=True, slots=True)
class Party:
    """A seller or buyer block: its heading, its name and its lines (address, numbers)."""

    heading: str
    name: str
    lines: list[str]


@dataclass(frozen=True, slots=True)
class VatRow:
    """One rate of the VAT breakdown, formatted."""

    rate: str
    taxable: str
    vat: str


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class LegalContent:
    seller: Party
    buyer: Party
    #: False when the seller is not VAT registered: then no VAT is shown at all (no rates, no
    #: breakdown, no net and VAT totals), only the note that says so.
    taxed: bool
    vat_rows: list[VatRow]
    net_total: str | None
    vat_total: str | None
    notes: list[str]
    #: Invoices: the bank details and the payment reference.
    payment: list[Fact]


def legal_content(
    doc: Document, *, language: str, locale: str, t: Mapping[str, str]
) -> LegalContent | None:
    """The legal content of ``doc`` (None for a document issued before VAT: it prints as it
    did)."""
    if doc.parties is None:
        return None
    seller = party_out(doc.parties["seller"])
    buyer = party_out(doc.parties["buyer"])
    how = str(doc.parties.get("treatment") or "")

    def money(amount: int) -> str:
        return format_money(amount, doc.currency, locale)

    taxed = how != Treatment.NOT_REGISTERED
    return LegalContent(
        seller=_seller(seller, how, t),
        buyer=_buyer(buyer, str(seller["country"]), t, locale),
        taxed=taxed,
        vat_rows=_vat_rows(doc, locale, money) if taxed else [],
        net_total=money(net_total(doc)) if taxed else None,
        vat_total=money(doc.vat_total or 0) if taxed else None,
        notes=_notes(doc, buyer, language, t),
        payment=_payment(doc, seller, t) if doc.type == "invoice" else [],
    )


def _org_label(country: str | None, t: Mapping[str, str]) -> str:
    return t.get(f"org_number_{country}", t["org_number"])


def _seller(seller: Mapping[str, Any], how: str, t: Mapping[str, str]) -> Party:
    country = str(seller["country"])
    lines = _address(seller.get("address"))
    org = f"{_org_label(country, t)} {seller['organisation_number_formatted']}"
    vat = seller.get("vat_number_formatted")
    if country == "NO":
        # bokføringsforskriften § 5-1-1: the organisation number followed by "MVA".
        lines.append(f"{org} {t['vat_registered_suffix']}" if vat else org)
        if seller.get("foretaksregisteret"):
            lines.append(t["foretaksregisteret"])
    else:
        lines.append(org)
        if vat and (country == "SE" or how != Treatment.DOMESTIC):
            lines.append(f"{t['vat_number']} {vat}")
        if seller.get("f_skatt"):
            lines.append(t["f_skatt"])
    for key in ("email", "phone"):
        if seller.get(key):
            lines.append(f"{t[key]} {seller[key]}")
    return Party(t["seller"], str(seller.get("legal_name") or ""), lines)


def _buyer(
    buyer: Mapping[str, Any], seller_country: str, t: Mapping[str, str], locale: str
) -> Party:
    country = buyer.get("country")
    lines = _address(buyer.get("address"))
    if country and country != seller_country:
        lines.append(str(Locale.parse(locale).territories.get(country, country)))
    if buyer.get("organisation_number_formatted"):
        lines.append(f"{_org_label(country, t)} {buyer['organisation_number_formatted']}")
    if buyer.get("vat_number_formatted"):
        lines.append(f"{t['vat_number']} {buyer['vat_number_formatted']}")
    name = buyer.get("legal_name") or buyer.get("name") or ""
    return Party(t["buyer"], str(name), lines)


def _address(address: Mapping[str, Any] | None) -> list[str]:
    if not address:
        return []
    place = " ".join(str(address[k]) for k in ("postal_code", "city") if address.get(k))
    return [str(x) for x in (address.get("line1"), address.get("line2"), place) if x]


def format_rate(rate_bps: int, locale: str) -> str:
    """A rate in hundredths of a percent for people: ``25 %`` in sv_SE, ``25%`` in en_GB."""
    value = Decimal(rate_bps) / RATE_SCALE
    return str(format_percent(value, locale=locale, decimal_quantization=False))


def _vat_rows(doc: Document, locale: str, money: Callable[[int], str]) -> list[VatRow]:
    return [
        VatRow(format_rate(int(r["rate"]), locale), money(int(r["taxable"])), money(int(r["vat"])))
        for r in doc.vat_breakdown or ()
    ]


def _notes(
    doc: Document, buyer: Mapping[str, Any], language: str, t: Mapping[str, str]
) -> list[str]:
    """The notes; reverse charge with the buyer's VAT number (ML 17 kap. 24 § 12, momsdirektivet
    art. 226.4)."""
    out = []
    for note in notes_of(doc, language):
        text = note.text
        if note.code == Treatment.REVERSE_CHARGE and buyer.get("vat_number_formatted"):
            text = f"{text}. {t['buyer_vat_number']} {buyer['vat_number_formatted']}"
        out.append(text)
    return out


def _payment(doc: Document, seller: Mapping[str, Any], t: Mapping[str, str]) -> list[Fact]:
    bank = seller.get("bank_formatted") or {}
    facts = [Fact(t[k], str(bank[k])) for k in PRINTED_BANK if bank.get(k)]
    ref = doc.payment_reference
    if ref:
        country = str(seller["country"])
        creditor = (seller.get("bank") or {}).get("creditor")
        if country == "DK" and creditor and is_valid_fik_payment_id(ref):
            facts.append(Fact(t["reference_DK"], FikReference(ref, str(creditor)).line))
        elif country in ("SE", "NO"):  # Bankgirot's OCR, Nets' KID
            facts.append(Fact(t[f"reference_{country}"], ref))
        else:
            facts.append(Fact(t["reference"], ref))
    return facts
