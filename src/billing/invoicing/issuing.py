"""Who issues a document to whom, and how its lines are taxed: from rows to the domain's terms.

A **sale** (:class:`Sale`) is one seller × one buyer: the issuer (series, payment reference
scheme), the VAT treatment (:func:`billing.domain.vat.treatment`), the seller's payment terms
and the parties as the document prints them — a snapshot kept on the document, so an issued
invoice never changes when a customer moves. The buyer's country defaults to the seller's; a
buyer abroad must say whether it is a business (``buyer_kind_missing`` otherwise).

A **tax book** (:class:`billing.domain.posting.TaxBook`) taxes a posting's lines: a charge by
its product's category (the plan's for the subscription and its start-up fee, the add-on's
own, the order line's), the sale's treatment and its supply date (first served day); a credit
at the tax of the charge it gives back, as stored on that ledger row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from billing.domain.errors import InvalidInput
from billing.domain.events import Event, OneOffDelivered
from billing.domain.ledger import Entry
from billing.domain.posting import Issuer, TaxBook
from billing.domain.references import ReferenceScheme
from billing.domain.vat import (
    UNTAXED,
    BuyerTax,
    LineTax,
    SellerTax,
    TaxCategory,
    TaxCode,
    Treatment,
    line_tax,
    treatment,
)
from billing.storage.models import Customer, Plan, Seller

__all__ = [
    "Sale",
    "addon_categories",
    "credited_before",
    "item_categories",
    "order_book",
    "row_tax",
    "sale_of",
    "subscription_book",
]


@dataclass(frozen=True, slots=True)
class Sale:
    """One seller selling to one buyer."""

    issuer: Issuer
    seller_country: str
    treatment: Treatment
    payment_terms_days: int | None
    parties: dict[str, Any]


def _address(row: Seller | Customer) -> dict[str, str | None]:
    return {
        "line1": row.address_line1,
        "line2": row.address_line2,
        "postal_code": row.postal_code,
        "city": row.city,
    }


def _parties(seller: Seller, customer: Customer, how: Treatment) -> dict[str, Any]:
    return {
        "treatment": how.value,
        "seller": {
            "id": seller.id,
            "legal_name": seller.legal_name,
            "address": _address(seller),
            "country": seller.country,
            "organisation_number": seller.organisation_number,
            "vat_number": seller.vat_number,
            "f_skatt": seller.f_skatt,
            "foretaksregisteret": seller.foretaksregisteret,
            "bank": dict(seller.bank or {}),
            "email": seller.email,
            "phone": seller.phone,
        },
        "buyer": {
            "customer_id": customer.id,
            "customer_number": customer.customer_number,
            "name": customer.name,
            "legal_name": customer.legal_name,
            "address": _address(customer),
            "country": customer.country or seller.country,
            "kind": customer.kind,
            "organisation_number": customer.organisation_number,
            "vat_number": customer.vat_number,
        },
    }


def sale_of(seller: Seller, customer: Customer) -> Sale:
    """The sale from ``seller`` to ``customer``; a combination VAT does not cover is refused."""
    country = customer.country or seller.country
    if country != seller.country and customer.kind is None:
        raise InvalidInput(
            f"the customer is in {country}, the seller in {seller.country}: say whether the "
            "customer is a business or a consumer",
            code="buyer_kind_missing",
        )
    how = treatment(
        SellerTax(seller.country, vat_registered=seller.vat_number is not None),
        BuyerTax(
            country,
            business=customer.kind != "consumer",
            has_vat_number=customer.vat_number is not None,
        ),
    )
    issuer = Issuer(
        seller_id=seller.id,
        prefix=seller.number_prefix,
        reference_scheme=(
            ReferenceScheme(seller.reference_scheme) if seller.reference_scheme else None
        ),
        reference_prefix=seller.reference_prefix,
        creditor=(seller.bank or {}).get("creditor"),
    )
    return Sale(
        issuer, seller.country, how, seller.payment_terms_days, _parties(seller, customer, how)
    )


def row_tax(tax_code: str | None, vat_rate: int | None, vat_inclusive: bool | None) -> LineTax:
    """A ledger row's tax as stored (NULL: posted before VAT, untaxed)."""
    if tax_code is None:
        return UNTAXED
    return LineTax(TaxCode(tax_code), int(vat_rate or 0), bool(vat_inclusive))


def credited_before(
    breakdowns: Iterable[tuple[str, list[dict[str, Any]] | None]],
) -> dict[str, dict[LineTax, int]]:
    """Per invoice, what its credit notes so far gave back per tax, from their VAT breakdowns
    (``(invoice id, breakdown)`` pairs); notes without one (issued before VAT) gave back
    untaxed lines only."""
    out: dict[str, dict[LineTax, int]] = {}
    for invoice_id, rows in breakdowns:
        sums = out.setdefault(invoice_id, {})
        for r in rows or ():
            tax = LineTax(TaxCode(r["code"]), int(r["rate"]), bool(r["inclusive"]))
            sums[tax] = sums.get(tax, 0) + int(r["lines"])
    return out


def addon_categories(plan: Plan) -> dict[str, TaxCategory]:
    """The tax category of each add-on a plan offers (its own, else the plan's)."""
    default = TaxCategory(plan.tax_category)
    return {
        str(a["code"]): TaxCategory(str(a.get("tax_category") or default.value))
        for a in plan.addons or ()
    }


def item_categories(events: Iterable[Event]) -> dict[str, TaxCategory]:
    """The lines of a timeline that name their own category: one-offs delivered with one
    (``one_off:<event id>``, the item their ledger entries carry)."""
    return {
        f"one_off:{e.id}": e.payload.tax_category
        for e in events
        if isinstance(e.payload, OneOffDelivered) and e.payload.tax_category is not None
    }


def subscription_book(
    sale: Sale,
    *,
    category: TaxCategory,
    addons: Mapping[str, TaxCategory],
    inclusive: bool,
    posted: Mapping[str, LineTax],
    before: Mapping[str, Mapping[LineTax, int]],
    items: Mapping[str, TaxCategory] | None = None,
) -> TaxBook:
    """How a subscription's lines are taxed: the plan's ``category`` for the subscription and
    its start-up fee, each add-on's own, a line of ``items`` (one-offs) its own; ``inclusive``
    when the plan's prices include VAT."""
    own = items or {}

    def charge(entry: Entry) -> LineTax:
        of_item = own.get(entry.item, category)
        if entry.item.startswith("addon:"):
            of_item = addons.get(entry.item.split(":", 1)[1], category)
        return line_tax(
            of_item,
            sale.treatment,
            country=sale.seller_country,
            supply_date=entry.service_start,
            inclusive=inclusive,
        )

    return TaxBook(charge=charge, posted=posted, credited_before=before)


def order_book(
    sale: Sale,
    *,
    category_of: Mapping[int, TaxCategory],
    posted: Mapping[str, LineTax],
    before: Mapping[str, Mapping[LineTax, int]],
) -> TaxBook:
    """How an order's lines are taxed: ``category_of`` maps ``id(entry)`` of each new charge to
    its order line's category (order prices are net)."""

    def charge(entry: Entry) -> LineTax:
        return line_tax(
            category_of[id(entry)],
            sale.treatment,
            country=sale.seller_country,
            supply_date=entry.service_start,
        )

    return TaxBook(charge=charge, posted=posted, credited_before=before)
