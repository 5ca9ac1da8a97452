"""Setting up and changing customers, and the buyer's legal details documents print.

**The buyer's identity** is checked for its country (:mod:`billing.parties.identity`): ISO
country code; organisation number by the country's register where it has a check digit (SE,
NO, DK, FI), free text elsewhere; VAT number by the country's rule (EU VAT numbers, ``EL`` for
Greece, Norway's ``…MVA``), whose prefix must be the country's; in SE, NO, DK and FI a VAT
number given with an organisation number must be made from it. A buyer that gives an
organisation or VAT number but no country is taken to be in its seller's country, and that
country is stored with the numbers (a number means nothing without its country, and a later
change of seller must not change what it is read as); with no seller at all the country must
be given (``buyer_country_required``). A consumer has no VAT number
(``consumer_vat_number``). Every refusal is a 422 with its code and changes nothing.

**The seller** is the customer's ``seller_id`` (``unknown_seller`` if there is none such) or,
when null, the default seller. Once the customer has documents, a change that gives it another
seller is refused (409 ``customer_has_documents``); naming the seller it already buys from
(e.g. the default, to keep it when the default moves) is no change and is allowed.

**Customer numbers** come from the seller's series
(:func:`billing.sellers.service.number_customer`): given at creation when there is a seller,
and again from the new seller's series when a PATCH gives the customer another seller. The
number is kept when the default seller moves (a customer number is the customer's, not a
document's).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy.orm import Session

from billing.clock import utcnow
from billing.customers import repository
from billing.customers.schemas import CustomerCreate, CustomerUpdate
from billing.domain.errors import InvalidInput
from billing.errors import Conflict
from billing.ids import new_id
from billing.parties import identity
from billing.sellers.service import effective_seller, hold_sellers, number_customer
from billing.storage.models import Customer, Seller


@dataclass(frozen=True, slots=True)
class Buyer:
    """A customer's legal details as they would be stored (before: as given)."""

    kind: str | None = None
    legal_name: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    organisation_number: str | None = None
    vat_number: str | None = None

    def columns(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


#: Request fields that are Buyer fields as they are (the address is four).
_BUYER_FIELDS = ("kind", "legal_name", "country", "organisation_number", "vat_number")


def checked_buyer(buyer: Buyer, seller: Seller | None) -> Buyer:
    """``buyer`` normalized, or refused (module docstring)."""
    org, vat = buyer.organisation_number, buyer.vat_number
    if buyer.kind == "consumer" and vat is not None:
        raise InvalidInput("a consumer has no VAT number", code="consumer_vat_number")
    country = buyer.country
    if country is None and (org is not None or vat is not None):
        if seller is None:
            raise InvalidInput(
                "say the buyer's country: there is no seller whose country it would be",
                code="buyer_country_required",
            )
        country = seller.country
    if country is None:
        return buyer
    country = identity.country(country)
    if org is not None:
        who = identity.check_identity(country, organisation_number=org, vat_number=vat)
        org, vat = who.organisation_number, who.vat_number
    elif vat is not None:
        vat = identity.vat_number(country, vat)
    return replace(buyer, country=country, organisation_number=org, vat_number=vat)


def _given(buyer: Buyer, body: CustomerCreate | CustomerUpdate) -> Buyer:
    """``buyer`` with the fields ``body`` gives (an address replaces the whole address)."""
    given = body.model_fields_set
    out = replace(buyer, **{name: getattr(body, name) for name in _BUYER_FIELDS if name in given})
    if "address" in given:
        address = body.address
        out = replace(
            out,
            address_line1=None if address is None else address.line1,
            address_line2=None if address is None else address.line2,
            postal_code=None if address is None else address.postal_code,
            city=None if address is None else address.city,
        )
    return out


def create_customer(session: Session, body: CustomerCreate) -> Customer:
    hold_sellers(session)
    seller = effective_seller(session, body.seller_id)
    buyer = checked_buyer(_given(Buyer(), body), seller)
    customer = Customer(
        id=new_id("cus"),
        name=body.name,
        currency=body.currency,
        locale=body.locale,
        timezone=body.timezone,
        external_ref=body.external_ref,
        status="active",
        created_at=utcnow(),
        seller_id=body.seller_id,
        **buyer.columns(),
    )
    if seller is not None:
        number_customer(session, customer, seller)
    session.add(customer)
    session.flush()
    return customer


def buyer_of(customer: Customer) -> Buyer:
    return Buyer(**{f.name: getattr(customer, f.name) for f in fields(Buyer)})


#: PATCH fields of the customer itself (not the buyer's legal details, not the seller).
_OWN_FIELDS = ("name", "locale", "timezone", "external_ref")


def update_customer(session: Session, customer_id: str, body: CustomerUpdate) -> Customer:
    """Change the fields ``body`` names (module docstring)."""
    hold_sellers(session)
    customer = repository.get(session, customer_id, lock=True)
    given = body.model_fields_set
    seller_id = body.seller_id if "seller_id" in given else customer.seller_id
    before = effective_seller(session, customer.seller_id)
    seller = effective_seller(session, seller_id)
    moves = (before and before.id) != (seller and seller.id)
    if moves and repository.has_documents(session, customer.id):
        raise Conflict(
            "the customer has documents: it cannot buy from another seller",
            code="customer_has_documents",
        )
    buyer = checked_buyer(_given(buyer_of(customer), body), seller)
    for name in _OWN_FIELDS:
        if name in given:
            setattr(customer, name, getattr(body, name))
    for name, value in buyer.columns().items():
        setattr(customer, name, value)
    customer.seller_id = seller_id
    if seller is not None and (moves or customer.customer_number is None):
        number_customer(session, customer, seller)
    session.flush()
    return customer
