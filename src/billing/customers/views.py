"""A customer as the API answers it, with its identity numbers also as printed and its account
summary (read by the caller from the receivables: :mod:`billing.receivables.account`)."""

from __future__ import annotations

from billing.customers.schemas import CustomerOut
from billing.domain.money import format_money
from billing.domain.overdue import AccountSummary
from billing.parties import identity
from billing.sellers.schemas import AddressOut
from billing.storage.models import Customer


def _printed_organisation_number(customer: Customer) -> str | None:
    org, country = customer.organisation_number, customer.country
    if org is None or country is None:
        return org
    return identity.format_organisation_number(country, org)


def _printed_vat_number(customer: Customer) -> str | None:
    vat, country = customer.vat_number, customer.country
    if vat is None or country is None:
        return vat
    return identity.format_vat_number(country, vat)


def customer_out(customer: Customer, account: AccountSummary) -> CustomerOut:
    address = None
    if customer.address_line1 is not None:
        address = AddressOut(
            line1=customer.address_line1,
            line2=customer.address_line2,
            postal_code=customer.postal_code or "",
            city=customer.city or "",
        )
    return CustomerOut(
        id=customer.id,
        name=customer.name,
        currency=customer.currency,
        locale=customer.locale,
        timezone=customer.timezone,
        external_ref=customer.external_ref,
        status=account.customer_status(customer.status),
        created_at=customer.created_at,
        seller_id=customer.seller_id,
        customer_number=customer.customer_number,
        kind=customer.kind,
        legal_name=customer.legal_name,
        address=address,
        country=customer.country,
        organisation_number=customer.organisation_number,
        organisation_number_formatted=_printed_organisation_number(customer),
        vat_number=customer.vat_number,
        vat_number_formatted=_printed_vat_number(customer),
        balance=account.balance,
        balance_formatted=format_money(account.balance, account.currency, customer.locale),
        open_amount=account.open_amount,
        overdue_amount=account.overdue_amount,
        overdue_amount_formatted=format_money(
            account.overdue_amount, account.currency, customer.locale
        ),
        overdue_invoices=account.overdue_invoices,
        disputed_amount=account.disputed_amount,
        customer_credit=account.customer_credit,
    )
