"""Sellers: the legal entities that issue documents, and which one issues a customer's.

**The default.** Exactly one seller is the default once there is any: the first one made, until
another is made or changed with ``is_default: true``. A customer that names no seller buys from
the default; :func:`seller_of` is the one answer to "who issues this customer's documents".

**Series.** Each seller has three gapless counters in ``document_counters``, named by its
``number_prefix`` (:func:`seller_series`): invoices and credit notes
(:func:`billing.domain.posting.series_of`: ``INV``/``CN`` for the prefix ``""``, else
``SE-INV``/``SE-CN``) and customer numbers (:func:`customer_series`: ``CUST`` or ``SE-CUST``).
A new seller gets its rows; an existing row (the plain ``INV``/``CN`` rows are as old as the
schema) is kept as it is, so a series is never restarted. The default prefix is ``""`` for the
first seller (it continues the series documents were numbered in before sellers existed), else
the country code, or the country code and a digit (``SE2``) when that is taken.

**Customer numbers** (:func:`number_customer`) are the seller's ``CUST`` counter plus
:data:`CUSTOMER_NUMBER_OFFSET`, written as a plain decimal string: the first customer of a
seller is ``"1001"`` (four digits from the start, and no customer number looks like a count).
A customer made while no seller exists has none; the first seller numbers all of them, in the
order they were made. Numbers are taken with
:func:`billing.storage.numbering.take_numbers` (an ``UPDATE … RETURNING`` on the counter row,
locked until commit): the same lock as ``next_number``, one statement for any count, and
never the preview path of ``next_number``, whose number is not reserved (a customer is never
made in a preview, so a number shown but not reserved would be given twice).

**What documents fix.** Once a seller has issued a document, its country, organisation number
and prefix are what those documents say and are refused as changes (409
``seller_has_documents``); everything else may change (documents keep the parties as issued).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from sqlalchemy.orm import Session

from billing.clock import utcnow
from billing.domain.errors import InvalidInput
from billing.domain.posting import DocumentType, series_of
from billing.domain.references import ReferenceScheme
from billing.errors import Conflict
from billing.ids import new_id
from billing.parties import identity
from billing.sellers import repository
from billing.sellers.checks import DEFAULT_SCHEME, SellerFields, checked, seller_country
from billing.sellers.schemas import AddressIn, BankIn, SellerCreate, SellerUpdate
from billing.storage.models import Customer, Seller
from billing.storage.numbering import take_numbers

CUSTOMER_SERIES = "CUST"
#: Added to a seller's customer counter: its first customer is number 1001.
CUSTOMER_NUMBER_OFFSET = 1000


def customer_series(prefix: str) -> str:
    """The series of a seller's customer numbers: ``CUST``, or ``SE-CUST`` for prefix ``SE``."""
    return f"{prefix}-{CUSTOMER_SERIES}" if prefix else CUSTOMER_SERIES


def seller_series(prefix: str) -> tuple[str, str, str]:
    """Invoices, credit notes and customer numbers of the seller with ``prefix``."""
    return (
        series_of(DocumentType.INVOICE, prefix),
        series_of(DocumentType.CREDIT_NOTE, prefix),
        customer_series(prefix),
    )


def default_prefix(country: str, taken: set[str], *, first: bool) -> str:
    """The prefix of a new seller that names none (module docstring)."""
    if first and "" not in taken:
        return ""
    candidates = [country, *(f"{country}{n}" for n in range(2, 10_000))]
    return next(p for p in candidates if p not in taken)


# -- who issues a customer's documents ----------------------------------------------------------


def default_seller(session: Session) -> Seller | None:
    return repository.default(session)


def hold_sellers(session: Session) -> None:
    """Until commit, no seller is made or changed (PostgreSQL; a shared lock: writers that
    only read sellers do not wait for each other). A writer that numbers a customer by the
    seller it reads takes it first, so the first seller cannot miss that customer."""
    repository.lock_sellers(session, shared=True)


def effective_seller(session: Session, seller_id: str | None) -> Seller | None:
    """The seller ``seller_id`` (refused as ``unknown_seller`` if there is none), or the
    default seller when None (None when there is no seller at all)."""
    if seller_id is None:
        return repository.default(session)
    seller = repository.find(session, seller_id)
    if seller is None:
        raise InvalidInput(f"there is no seller {seller_id}", code="unknown_seller")
    return seller


def seller_of(session: Session, customer: Customer) -> Seller:
    """The seller that issues ``customer``'s documents: its own, else the default."""
    seller = effective_seller(session, customer.seller_id)
    if seller is None:
        raise Conflict(
            "no seller to issue documents: create one with POST /v1/sellers",
            code="seller_missing",
        )
    return seller


def sellers_by_id(session: Session, ids: Iterable[str]) -> dict[str, Seller]:
    """The sellers of ``ids`` (one query); ids without a seller are left out."""
    return {s.id: s for s in repository.by_ids(session, ids)}


def number_customer(session: Session, customer: Customer, seller: Seller) -> None:
    """Give ``customer`` the next number of ``seller``'s customer series."""
    number = take_numbers(session.connection(), customer_series(seller.number_prefix), 1)
    customer.customer_number = str(number + CUSTOMER_NUMBER_OFFSET)


def _number_unnumbered(session: Session, seller: Seller) -> None:
    """The first seller numbers the customers made before it, in the order they were made."""
    ids = repository.unnumbered_customers(session)
    if not ids:
        return
    first = take_numbers(session.connection(), customer_series(seller.number_prefix), len(ids))
    numbers = {cid: str(first + i + CUSTOMER_NUMBER_OFFSET) for i, cid in enumerate(ids)}
    repository.set_customer_numbers(session, numbers)


# -- making and changing sellers -----------------------------------------------------------------


def _address(fields: SellerFields, address: AddressIn) -> SellerFields:
    return replace(
        fields,
        address_line1=address.line1,
        address_line2=address.line2,
        postal_code=address.postal_code,
        city=address.city,
    )


def _bank(bank: BankIn) -> dict[str, str]:
    return {k: v for k, v in bank.model_dump().items() if v is not None}


def _fields_of_create(body: SellerCreate) -> SellerFields:
    country = seller_country(body.country)
    if "reference_scheme" in body.model_fields_set:
        scheme = body.reference_scheme
    else:
        scheme = DEFAULT_SCHEME[country]
    fields = SellerFields(
        legal_name=body.legal_name,
        address_line1="",
        address_line2=None,
        postal_code="",
        city="",
        country=country,
        organisation_number=body.organisation_number,
        vat_number=body.vat_number,
        f_skatt=body.f_skatt,
        foretaksregisteret=body.foretaksregisteret,
        bank=_bank(body.bank),
        payment_terms_days=body.payment_terms_days,
        reference_scheme=scheme,
        reference_prefix=body.reference_prefix,
        email=body.email,
        phone=body.phone,
    )
    return checked(_address(fields, body.address))


def _ensure_counters(session: Session, prefix: str) -> None:
    """The seller's counter rows that are missing, starting at 0."""
    series = seller_series(prefix)
    existing = repository.counter_values(session, series)
    repository.add_counters(session, {s: 0 for s in series if s not in existing})


def _free_prefix(session: Session, prefix: str) -> None:
    if prefix in repository.prefixes(session):
        raise Conflict(f"another seller has the prefix {prefix!r}", code="number_prefix_taken")


def create_seller(session: Session, body: SellerCreate) -> Seller:
    """A new seller with its counters; the first one is the default and numbers the customers
    made before it."""
    fields = _fields_of_create(body)
    repository.lock_sellers(session)
    first = not repository.any_seller(session)
    if body.number_prefix is not None:
        _free_prefix(session, body.number_prefix)
        prefix = body.number_prefix
    else:
        prefix = default_prefix(fields.country, repository.prefixes(session), first=first)
    if first and body.is_default is False:
        raise Conflict("the first seller is the default", code="default_seller_required")
    is_default = first or bool(body.is_default)
    if is_default:
        repository.clear_default(session)
    seller = Seller(
        id=new_id("sel"),
        number_prefix=prefix,
        is_default=is_default,
        created_at=utcnow(),
        **fields.columns(),
    )
    session.add(seller)
    session.flush()
    _ensure_counters(session, prefix)
    if first:
        _number_unnumbered(session, seller)
    return seller


def fields_of(seller: Seller) -> SellerFields:
    """A stored seller's fields."""
    scheme = seller.reference_scheme
    return SellerFields(
        legal_name=seller.legal_name,
        address_line1=seller.address_line1,
        address_line2=seller.address_line2,
        postal_code=seller.postal_code,
        city=seller.city,
        country=seller.country,
        organisation_number=seller.organisation_number,
        vat_number=seller.vat_number,
        f_skatt=seller.f_skatt,
        foretaksregisteret=seller.foretaksregisteret,
        bank=dict(seller.bank or {}),
        payment_terms_days=seller.payment_terms_days,
        reference_scheme=None if scheme is None else ReferenceScheme(scheme),
        reference_prefix=seller.reference_prefix,
        email=seller.email,
        phone=seller.phone,
    )


#: PATCH fields that are plain columns (address, bank, prefix and default are not).
_PLAIN = (
    "legal_name country organisation_number vat_number f_skatt foretaksregisteret "
    "payment_terms_days reference_scheme reference_prefix email phone"
).split()


def _changed_fields(seller: Seller, body: SellerUpdate) -> SellerFields:
    given = body.model_fields_set
    fields = replace(
        fields_of(seller), **{name: getattr(body, name) for name in _PLAIN if name in given}
    )
    if body.address is not None:
        fields = _address(fields, body.address)
    if body.bank is not None:
        fields = replace(fields, bank=_bank(body.bank))
    return checked(fields)


def _move_prefix(session: Session, seller: Seller, prefix: str) -> None:
    """``seller`` takes ``prefix``: its counters exist, and its customer numbers go on after
    those it gave under the old prefix (none is given twice)."""
    _free_prefix(session, prefix)
    _ensure_counters(session, prefix)
    old = customer_series(seller.number_prefix)
    given = repository.counter_values(session, [old]).get(old, 0)
    repository.raise_counter(session, customer_series(prefix), at_least=given)
    seller.number_prefix = prefix


def _fixed_changes(seller: Seller, body: SellerUpdate) -> list[str]:
    """The fields documents fix that ``body`` changes (the same number typed otherwise is no
    change), checked before the rest so that the answer names what cannot change at all."""
    given = body.model_fields_set
    country = seller.country
    if body.country is not None:
        country = identity.country(body.country)
    changed = [] if country == seller.country else ["country"]
    if body.organisation_number is not None:
        org = identity.organisation_number(country, body.organisation_number)
        if org != seller.organisation_number:
            changed.append("organisation_number")
    if "number_prefix" in given and body.number_prefix != seller.number_prefix:
        changed.append("number_prefix")
    return changed


def update_seller(session: Session, seller_id: str, body: SellerUpdate) -> Seller:
    """Change the fields ``body`` names (module docstring: what documents fix)."""
    repository.lock_sellers(session)
    seller = repository.get(session, seller_id, lock=True)
    changed = _fixed_changes(seller, body)
    if changed and repository.has_documents(session, seller.id):
        raise Conflict(
            f"the seller has issued documents: its {', '.join(changed)} cannot change",
            code="seller_has_documents",
        )
    fields = _changed_fields(seller, body)
    if body.is_default is False and seller.is_default:
        raise Conflict(
            "a default seller is needed: make another seller the default instead",
            code="default_seller_required",
        )
    if body.is_default and not seller.is_default:
        repository.clear_default(session)
        seller.is_default = True
    if body.number_prefix is not None and body.number_prefix != seller.number_prefix:
        _move_prefix(session, seller, body.number_prefix)
    for name, value in fields.columns().items():
        setattr(seller, name, value)
    session.flush()
    return seller
