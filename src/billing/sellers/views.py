"""A seller as the API answers it: stored (normalized) fields and the printed forms."""

from __future__ import annotations

from billing.parties import identity
from billing.sellers.checks import formatted_bank
from billing.sellers.schemas import AddressOut, BankOut, SellerOut
from billing.sellers.service import seller_series
from billing.storage.models import Seller


def seller_out(seller: Seller) -> SellerOut:
    country = seller.country
    vat = seller.vat_number
    invoices, credit_notes, customers = seller_series(seller.number_prefix)
    return SellerOut(
        id=seller.id,
        legal_name=seller.legal_name,
        address=AddressOut(
            line1=seller.address_line1,
            line2=seller.address_line2,
            postal_code=seller.postal_code,
            city=seller.city,
        ),
        country=country,
        organisation_number=seller.organisation_number,
        organisation_number_formatted=identity.format_organisation_number(
            country, seller.organisation_number
        ),
        vat_number=vat,
        vat_number_formatted=None if vat is None else identity.format_vat_number(country, vat),
        f_skatt=seller.f_skatt,
        foretaksregisteret=seller.foretaksregisteret,
        bank=BankOut(**(seller.bank or {})),
        bank_formatted=BankOut(**formatted_bank(country, seller.bank or {})),
        payment_terms_days=seller.payment_terms_days,
        number_prefix=seller.number_prefix,
        invoice_series=invoices,
        credit_note_series=credit_notes,
        customer_series=customers,
        reference_scheme=seller.reference_scheme,
        reference_prefix=seller.reference_prefix,
        email=seller.email,
        phone=seller.phone,
        is_default=seller.is_default,
        created_at=seller.created_at,
    )
