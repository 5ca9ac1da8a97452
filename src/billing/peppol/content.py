"""What an issued document says in EN 16931 terms (:class:`~billing.peppol.model.UblDocument`).

Everything comes from the document as issued: its ``parties`` (seller and buyer as they were),
its VAT breakdown, totals and payment reference, and its ledger lines; nothing is recomputed
from today's catalogue or customer. The buyer's language (the customer's locale) chooses the
words: product names and the legal notes that are the VAT exemption reasons.

* **Refused** (409): a document issued before VAT (no parties: it lacks the legal content,
  ``document_not_peppol_ready``), one with lines posted before VAT (untaxed: no category is
  true of them), and one whose buyer had neither an organisation number nor a VAT number to
  address it by (``buyer_endpoint_missing``: Peppol needs the buyer's electronic address,
  PEPPOL-EN16931-R010).
* **Categories and rows**: see :mod:`billing.peppol.codes`. Rows of the same category and rate
  are one VAT breakdown (BR-S-08 and the like); a document with an ``O`` row is all ``O`` and
  names no VAT identifier.
* **Lines**: the product as named on the document (:class:`billing.invoicing.views.Catalogue`),
  the licences, the net amount (a gross price list's lines split by
  :func:`billing.peppol.amounts.net_lines`), the net unit price, the row's category and the
  days served (the ledger's end is exclusive; the period shows the last day served).
* **Totals**: Σ line net = net total = the amount without VAT; with VAT = the document's
  total; the amount due is that total, as issued (payments and credits come later, on their own
  records). The sums are checked against the stored totals: a document that disagrees with
  itself is an error, never a silently different e-invoice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from billing.domain.money import currency_digits
from billing.domain.vat import LineTax, TaxCode
from billing.errors import Conflict
from billing.invoicing.issuing import row_tax
from billing.invoicing.legal import note_text, rate_percent
from billing.peppol import amounts
from billing.peppol.codes import (
    CREDITED_AGAINST,
    F_SKATT,
    FORETAKSREGISTERET,
    VATEX,
    Category,
    category_of,
    electronic_address,
    organisation_id,
)
from billing.peppol.model import (
    Address,
    CreditedInvoice,
    Line,
    Party,
    Subtotal,
    TaxCategory,
    Totals,
    UblDocument,
)
from billing.peppol.payment import payment_means
from billing.storage.models import Document, LedgerEntry

NOT_READY = "document_not_peppol_ready"


@dataclass(frozen=True, slots=True)
class _Row:
    """A stored VAT breakdown row, and the category it is written under."""

    tax: LineTax
    lines: int
    taxable: int
    vat: int
    category: TaxCategory


def _reason(code: TaxCode, category: Category, country: str, language: str) -> TaxCategory:
    if category is Category.STANDARD:
        raise ValueError("a standard rated row has no exemption reason")
    note = note_text(code.value, country, language)
    return TaxCategory(
        category,
        None if category is Category.NOT_SUBJECT else Decimal(0),
        reason=note,
        reason_code=VATEX.get(category),
    )


def _categories(stored: Sequence[tuple[LineTax, Mapping[str, Any]]]) -> list[Category]:
    out = []
    for tax, _ in stored:
        category = category_of(tax.code)
        if category is None:
            raise Conflict("the document has lines billed before VAT", code=NOT_READY)
        out.append(category)
    if Category.NOT_SUBJECT not in out:
        return out
    for (_, r), category in zip(stored, out, strict=True):
        if category is Category.STANDARD or int(r["vat"]) != 0:
            raise Conflict(
                "VAT charged beside a supply not subject to VAT cannot be one EN 16931 "
                "document (BR-O-11)",
                code=NOT_READY,
            )
    return [Category.NOT_SUBJECT] * len(out)


def _rows(breakdown: Iterable[Mapping[str, Any]], country: str, language: str) -> list[_Row]:
    stored = [
        (LineTax(TaxCode(r["code"]), int(r["rate"]), bool(r["inclusive"])), r) for r in breakdown
    ]
    categories = _categories(stored)
    # The reason of an all-O document is its treatment's (outside the scope, not registered).
    reason_of_o = next(
        (tax.code for tax, _ in stored if category_of(tax.code) is Category.NOT_SUBJECT), None
    )
    out: list[_Row] = []
    for (tax, r), category in zip(stored, categories, strict=True):
        if category is Category.STANDARD:
            written = TaxCategory(category, Decimal(rate_percent(tax.rate)))
        else:
            code = reason_of_o if reason_of_o is not None else tax.code
            written = _reason(code, category, country, language)
        out.append(_Row(tax, int(r["lines"]), int(r["taxable"]), int(r["vat"]), written))
    return out


def _subtotals(rows: Sequence[_Row]) -> tuple[Subtotal, ...]:
    """One breakdown per category and rate, in the rows' order."""
    merged: dict[TaxCategory, tuple[int, int]] = {}
    for row in rows:
        taxable, vat = merged.get(row.category, (0, 0))
        merged[row.category] = (taxable + row.taxable, vat + row.vat)
    return tuple(Subtotal(t, v, category) for category, (t, v) in merged.items())


def _line_nets(
    entries: Sequence[LedgerEntry], rows: Sequence[_Row], sign: int
) -> dict[int, tuple[int, _Row]]:
    """Each entry's net amount (by its index) and the row it is in."""
    by_tax = {row.tax: row for row in rows}
    members: dict[LineTax, list[int]] = {}
    for i, e in enumerate(entries):
        tax = row_tax(e.tax_code, e.vat_rate, e.vat_inclusive).group
        if tax not in by_tax:
            raise ValueError(f"line {e.id} is taxed {tax}, which the breakdown does not have")
        members.setdefault(tax, []).append(i)
    out: dict[int, tuple[int, _Row]] = {}
    for tax, indexes in members.items():
        row = by_tax[tax]
        priced = [sign * entries[i].amount for i in indexes]
        if sum(priced) != row.lines:
            raise ValueError(f"the lines of {tax} add up to {sum(priced)}, not {row.lines}")
        nets = amounts.net_lines(priced, row.taxable) if tax.inclusive else priced
        out.update((i, (net, row)) for i, net in zip(indexes, nets, strict=True))
    return out


def _lines(
    entries: Sequence[LedgerEntry],
    rows: Sequence[_Row],
    *,
    sign: int,
    digits: int,
    product: Callable[[LedgerEntry], str],
) -> tuple[Line, ...]:
    nets = _line_nets(entries, rows, sign)
    out = []
    for i, e in enumerate(entries):
        net, row = nets[i]
        out.append(
            Line(
                id=str(i + 1),
                quantity=amounts.line_quantity(net, e.quantity),
                net=net,
                price=amounts.unit_price(net, e.quantity, digits),
                name=product(e),
                tax=TaxCategory(row.category.category, row.category.percent),
                start=e.service_start,
                end=max(e.service_start, e.service_end - timedelta(days=1)),
            )
        )
    return tuple(out)


def _address(country: str, stored: Mapping[str, Any] | None) -> Address:
    a = stored or {}
    return Address(
        country,
        street=a.get("line1"),
        additional=a.get("line2"),
        city=a.get("city"),
        postal_code=a.get("postal_code"),
    )


def _seller(seller: Mapping[str, Any], *, with_vat: bool) -> Party:
    country = str(seller["country"])
    organisation = str(seller["organisation_number"])
    endpoint = electronic_address(country, organisation, seller.get("vat_number"))
    if endpoint is None:
        raise Conflict("the seller has no electronic address", code=NOT_READY)
    registration = F_SKATT if seller.get("f_skatt") else None
    if seller.get("foretaksregisteret"):
        registration = FORETAKSREGISTERET
    return Party(
        endpoint=endpoint,
        legal_name=str(seller["legal_name"]),
        address=_address(country, seller.get("address")),
        vat_number=seller.get("vat_number") if with_vat else None,
        tax_registration=registration,
        legal_id=organisation_id(country, organisation),
        phone=seller.get("phone"),
        email=seller.get("email"),
    )


def _buyer(buyer: Mapping[str, Any], *, with_vat: bool) -> Party:
    country = str(buyer["country"])
    organisation, vat = buyer.get("organisation_number"), buyer.get("vat_number")
    endpoint = electronic_address(country, organisation, vat)
    if endpoint is None:
        raise Conflict(
            "the buyer had neither an organisation number nor a VAT number when the document "
            "was issued: Peppol needs its electronic address (BT-49)",
            code="buyer_endpoint_missing",
        )
    name = str(buyer["name"])
    legal_name = str(buyer.get("legal_name") or name)
    return Party(
        endpoint=endpoint,
        legal_name=legal_name,
        address=_address(country, buyer.get("address")),
        trading_name=name if name != legal_name else None,
        vat_number=vat if with_vat else None,
        legal_id=organisation_id(country, organisation),
    )


def _totals(doc: Document, lines: Sequence[Line]) -> Totals:
    line_net = sum(line.net for line in lines)
    vat = doc.vat_total or 0
    if line_net != doc.net_total or line_net + vat != doc.total:
        raise ValueError(f"document {doc.id}: its lines and VAT do not add up to its totals")
    return Totals(line_net, line_net, vat, line_net + vat, line_net + vat)


def ubl_document(
    doc: Document,
    entries: Sequence[LedgerEntry],
    *,
    number: str,
    language: str,
    product: Callable[[LedgerEntry], str],
    credited: CreditedInvoice | None = None,
) -> UblDocument:
    """The EN 16931 content of ``doc`` (numbered ``number``) with its ledger ``entries``;
    ``product`` names a line's product; ``credited``: the invoice a credit note credits."""
    parties = doc.parties
    if parties is None or doc.vat_breakdown is None or not entries:
        raise Conflict(
            "the document was issued before VAT: it lacks the legal parties an EN 16931 "
            "document needs",
            code=NOT_READY,
        )
    seller, buyer = parties["seller"], parties["buyer"]
    digits = amounts.checked_digits(doc.currency, currency_digits(doc.currency))
    rows = _rows(doc.vat_breakdown, str(seller["country"]), language)
    with_vat = all(row.category.category is not Category.NOT_SUBJECT for row in rows)
    credit_note = doc.type == "credit_note"
    lines = _lines(entries, rows, sign=-1 if credit_note else 1, digits=digits, product=product)
    means = payment_means(
        seller_country=str(seller["country"]),
        buyer_country=str(buyer["country"]),
        bank=seller.get("bank") or {},
        reference=doc.payment_reference,
    )
    terms = None
    if credited is not None:
        terms = CREDITED_AGAINST.get(language, CREDITED_AGAINST["en"]).format(
            number=credited.number
        )
    return UblDocument(
        credit_note=credit_note,
        number=number,
        issue_date=doc.issue_date,
        due_date=None if credit_note else doc.due_date,
        currency=doc.currency,
        digits=digits,
        buyer_reference=str(buyer.get("customer_number") or buyer.get("customer_id")),
        seller=_seller(seller, with_vat=with_vat),
        buyer=_buyer(buyer, with_vat=with_vat),
        period=_period(lines),
        payment_means=() if credit_note else means,
        payment_terms=terms,
        subtotals=_subtotals(rows),
        totals=_totals(doc, lines),
        lines=lines,
        credited=credited,
    )


def _period(lines: Sequence[Line]) -> tuple[date, date]:
    return min(line.start for line in lines), max(line.end for line in lines)
