"""Posting the ledger's difference as documents, and recording payments.

What new entries become is planned by :func:`billing.domain.posting.plan_posting`, the one rule
(domain.md, "One ledger"): all new charges of one owner in one posting on one invoice; credits
on one credit note per invoice they give back, each pointing at that invoice; totals, dates and
feed payloads. This module writes a plan: numbers gapless per series
(:mod:`billing.storage.numbering`), the ledger rows, the status of the invoices credited, what
given-back paid time becomes (:mod:`billing.invoicing.balance`), customer balance applied to new
invoices, and each document announced in the feed.

Every document is issued by the customer's seller (:func:`billing.sellers.service.seller_of`:
``seller_missing`` when there is none), in its series, with its payment reference, the VAT of
its lines (:mod:`billing.invoicing.issuing`) and the parties as they are at issue. Payment terms
(days from issue to due date) are the seller's, else the application's setting
(``BILLING_PAYMENT_TERMS_DAYS``), carried by the session that posts (:func:`session_payment_terms`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from billing.clock import utcnow
from billing.domain.errors import InvalidInput
from billing.domain.ledger import Entry
from billing.domain.posting import PlannedDocument, PostingPlan, issued_payload, plan_posting
from billing.domain.references import ReferenceScheme, parse_reference
from billing.domain.vat import LineTax, TaxCategory, VatLine, line_tax
from billing.errors import Conflict
from billing.events.service import emit_for
from billing.ids import new_id
from billing.invoicing import balance, issuing, repository
from billing.invoicing.issuing import Sale
from billing.invoicing.status import amount_due, refresh_invoice_status
from billing.sellers.service import seller_of
from billing.settings import PAYMENT_TERMS_DAYS, get_settings
from billing.storage.models import Customer, Document, LedgerEntry, Payment, Plan, Subscription
from billing.storage.numbering import PREVIEW, later, next_number, provisional

__all__ = [
    "OrderLineRef",
    "Owner",
    "Posting",
    "amount_due",
    "check_taxable",
    "normalized_reference",
    "emit_document",
    "session_payment_terms",
    "post_entries",
    "post_plan",
    "posted_taxes",
    "record_payment",
    "refresh_invoice_status",
    "sale_for",
    "terms_of",
    "vat_rows",
]

_PREFIX = {"invoice": "inv", "credit_note": "cn"}


def session_payment_terms(session: Session) -> int:
    """Days from issue to due date: those of the application whose session this is
    (:func:`billing.settings.session_info`), else this process's settings (commands, bill-run
    workers: ``BILLING_PAYMENT_TERMS_DAYS``)."""
    days = session.info.get(PAYMENT_TERMS_DAYS)
    return int(days) if days is not None else get_settings().payment_terms_days


def sale_for(session: Session, customer_id: str) -> Sale:
    """The sale to ``customer_id``: its seller (``seller_missing`` if none), VAT treatment and
    the parties as documents print them."""
    customer = session.get(Customer, customer_id)
    assert customer is not None
    return issuing.sale_of(seller_of(session, customer), customer)


def normalized_reference(text: str) -> str:
    """A payment reference as stored: what a payer typed or a bank file carries, without
    spaces; a Danish FIK code line (``+71<payment id+creditor<``) gives its payment id.
    Anything else than digits is ``invalid_payment_reference``."""
    compact = "".join(ch for ch in text if not ch.isspace())
    if compact.startswith("+71"):
        return parse_reference(ReferenceScheme.FIK71, compact)
    if not (compact.isascii() and compact.isdigit()) or not 2 <= len(compact) <= 25:
        raise InvalidInput(
            "a payment reference is 2 to 25 digits", code="invalid_payment_reference"
        )
    return compact


def check_taxable(
    session: Session, customer_id: str, categories: Sequence[TaxCategory], *, on: date
) -> None:
    """Refuse, before anything is made, what could not be invoiced with its VAT: a seller ×
    buyer combination VAT does not cover, or a category without a rate on ``on``. With no
    seller at all yet, nothing to check: issuing will say ``seller_missing``."""
    customer = session.get(Customer, customer_id)
    assert customer is not None
    try:
        seller = seller_of(session, customer)
    except Conflict:
        return
    sale = issuing.sale_of(seller, customer)
    for category in dict.fromkeys(categories):
        line_tax(category, sale.treatment, country=sale.seller_country, supply_date=on)


def terms_of(session: Session, sale: Sale) -> int:
    """Days from issue to due date: the seller's, else the application's."""
    if sale.payment_terms_days is not None:
        return sale.payment_terms_days
    return session_payment_terms(session)


def vat_rows(breakdown: Sequence[VatLine]) -> list[dict[str, object]]:
    """A VAT breakdown as stored on a document and shown in its JSON."""
    return [
        {
            "code": v.tax.code.value,
            "rate": v.tax.rate,
            "inclusive": v.tax.inclusive,
            "lines": v.lines,
            "taxable": v.taxable,
            "vat": v.vat,
        }
        for v in breakdown
    ]


def posted_taxes(posted: Sequence[LedgerEntry]) -> dict[str, LineTax]:
    """The tax of each posted row as charged (credits give back at it)."""
    return {
        str(r.id): issuing.row_tax(r.tax_code, r.vat_rate, r.vat_inclusive)
        for r in posted
        if r.amount >= 0
    }


@dataclass(frozen=True, slots=True)
class Posting:
    """What one posting produced: the documents and their new ledger rows."""

    documents: list[Document]
    entries: list[LedgerEntry]


@dataclass(frozen=True, slots=True)
class Owner:
    """Whose entries a posting writes: a subscription's, or (``order_id``) a one-off order's."""

    customer_id: str
    currency: str
    subscription_id: str | None
    order_id: str | None = None
    #: Who sells to the customer (the documents' seller, parties and VAT treatment).
    sale: Sale | None = None


class OrderLineRef(NamedTuple):
    """The order line an order's entry bills or gives back, and its description."""

    order_line_id: str
    description: str


def post_entries(
    session: Session,
    *,
    subscription: Subscription,
    posted: Sequence[LedgerEntry],
    new: Sequence[Entry],
    issue_date: date,
    bill_run_id: str | None = None,
    payment_terms_days: int | None = None,
    unused: str = "credit_note",
    item_categories: Mapping[str, TaxCategory] | None = None,
) -> Posting:
    """Post a subscription's ``new`` entries as documents. ``unused`` says what paid time given
    back becomes beyond the credit note that always documents it: ``refund`` (a refund
    instruction for what was overpaid, never more than was paid), ``balance`` (customer credit
    that later invoices consume first) or ``credit_note`` (the default: the same as ``balance``;
    no overpayment is ever left nowhere).
    ``payment_terms_days`` defaults to the application's setting."""
    if not new:
        return Posting([], [])
    sale = sale_for(session, subscription.customer_id)
    plan_row = session.get(Plan, subscription.plan_id)
    assert plan_row is not None
    invoice_of = {str(r.id): r.document_id for r in posted if r.document_id is not None}
    credited = [invoice_of[e.credits] for e in new if e.credits is not None]
    book = issuing.subscription_book(
        sale,
        category=TaxCategory(plan_row.tax_category),
        addons=issuing.addon_categories(plan_row),
        inclusive=plan_row.prices_include_vat,
        posted=posted_taxes(posted),
        before=issuing.credited_before(repository.credit_breakdowns(session, credited)),
        items=item_categories,
    )
    plan = plan_posting(
        new,
        invoice_of=invoice_of,
        currency=subscription.currency,
        issue_date=issue_date,
        payment_terms_days=(
            payment_terms_days if payment_terms_days is not None else terms_of(session, sale)
        ),
        bill_run_id=bill_run_id,
        taxes=book,
        issuer=sale.issuer,
    )
    owner = Owner(subscription.customer_id, subscription.currency, subscription.id, sale=sale)
    return post_plan(session, plan, owner=owner, unused=unused)


def post_plan(
    session: Session,
    plan: PostingPlan,
    *,
    owner: Owner,
    unused: str = "credit_note",
    line_of: Callable[[Entry], OrderLineRef] | None = None,
) -> Posting:
    """Write ``plan``: documents (numbered in plan order when the transaction takes its numbers,
    billing.storage.numbering), their entries, then what follows from them (credited invoices'
    status, unused paid time, balance applied), then the feed. ``line_of`` names the order line
    of each entry of an order."""
    if not plan.documents:
        return Posting([], [])
    now = utcnow()
    documents: list[Document] = []
    rows: list[LedgerEntry] = []
    for planned in plan.documents:
        doc = _document(session, planned, owner=owner, now=now)
        documents.append(doc)
        for e, tax in zip(planned.entries, planned.taxes, strict=True):
            row = _row(e, tax, doc, owner=owner, posted_at=now)
            if line_of is not None:
                row.order_line_id, row.description = line_of(e)
            rows.append(row)
    session.add_all(documents)
    session.flush()
    repository.add_entries(session, rows)
    for invoice_id in dict.fromkeys(plan.credited_invoices):
        refresh_invoice_status(session, invoice_id)
    issued = list(documents)
    for note in [d for d in documents if d.type == "credit_note"]:
        issued.extend(
            balance.route_unused(session, note, unused=unused, issue_date=note.issue_date)
        )
    for invoice in [d for d in documents if d.type == "invoice"]:
        balance.apply_balance(session, invoice)
    for doc in issued:
        emit_document(session, doc)
    return Posting(issued, rows)


def _document(
    session: Session, planned: PlannedDocument, *, owner: Owner, now: datetime
) -> Document:
    """The document row, under a provisional number until the transaction takes its numbers
    (a preview shows the number it would get: nothing is taken, nothing committed)."""
    if session.info.get(PREVIEW):
        series, number = planned.series, next_number(session, planned.series)
        reference = planned.reference(number)
    else:
        series, number = provisional(session)
        reference = None
    doc = Document(
        id=new_id(_PREFIX[planned.type.value]),
        type=planned.type.value,
        series=series,
        number=number,
        customer_id=owner.customer_id,
        subscription_id=owner.subscription_id,
        invoice_id=planned.invoice_id,
        bill_run_id=planned.bill_run_id,
        currency=planned.currency,
        issue_date=planned.issue_date,
        due_date=planned.due_date,
        total=planned.total,
        amount_paid=0,
        balance_applied=0,
        status=planned.status,
        created_at=now,
        seller_id=planned.issuer.seller_id,
        net_total=planned.net_total,
        vat_total=planned.vat_total,
        vat_breakdown=vat_rows(planned.vat),
        parties=owner.sale.parties if owner.sale is not None else None,
        payment_reference=reference,
    )
    if not session.info.get(PREVIEW):

        def give(real: int) -> None:
            doc.series, doc.number = planned.series, real
            doc.payment_reference = planned.reference(real)

        later(session, planned.series, give)
    return doc


def _row(
    entry: Entry, tax: LineTax, doc: Document, *, owner: Owner, posted_at: datetime
) -> LedgerEntry:
    return LedgerEntry(
        subscription_id=owner.subscription_id,
        order_id=owner.order_id,
        customer_id=owner.customer_id,
        item=entry.item,
        kind=entry.kind.value,
        period_start=entry.period_start,
        period_end=entry.period_end,
        service_start=entry.service_start,
        service_end=entry.service_end,
        unit_amount=entry.unit_amount,
        quantity=entry.quantity,
        period_amount=entry.period_amount,
        amount=entry.amount,
        currency=owner.currency,
        event_id=entry.event_id,
        credits_entry_id=int(entry.credits) if entry.credits is not None else None,
        document_type=doc.type,
        document_id=doc.id,
        posted_at=posted_at,
        tax_code=tax.code.value,
        vat_rate=tax.rate,
        vat_inclusive=tax.inclusive,
    )


def emit_document(session: Session, doc: Document) -> None:
    """Announce a new document in the event feed (``invoice.issued`` and so on), with its
    number and payment reference as they are once the numbers are taken."""

    def issued() -> dict[str, Any]:
        return issued_payload(
            document_id=doc.id,
            document_type=doc.type,
            series=doc.series,
            number=doc.number,
            total=doc.total,
            currency=doc.currency,
            issue_date=doc.issue_date,
            invoice_id=doc.invoice_id,
            bill_run_id=doc.bill_run_id,
            net_total=doc.net_total,
            vat_total=doc.vat_total,
            payment_reference=doc.payment_reference,
        )

    emit_for(session, f"{doc.type}.issued", doc, issued)


def record_payment(
    session: Session,
    *,
    invoice_id: str,
    amount: int,
    paid_on: date,
    reference: str | None,
) -> tuple[Payment, Document]:
    invoice = repository.lock_document(session, invoice_id, "invoice")
    if invoice.status == "void":
        raise InvalidInput("a void invoice takes no payments", code="invoice_void")
    due = amount_due(session, invoice)
    if amount > due:
        raise InvalidInput(f"payment {amount} exceeds the amount due {due}", code="overpayment")
    payment = Payment(
        id=new_id("pay"),
        invoice_id=invoice.id,
        amount=amount,
        paid_on=paid_on,
        reference=reference,
        recorded_at=utcnow(),
    )
    repository.add_payment(session, payment)
    repository.set_paid(
        session, invoice.id, amount_paid=invoice.amount_paid + amount, status=invoice.status
    )
    session.refresh(invoice)
    refresh_invoice_status(session, invoice.id)
    recorded = {
        "invoice_id": invoice.id,
        "amount": amount,
        "paid_on": paid_on.isoformat(),
        "invoice_status": invoice.status,
    }
    emit_for(session, "payment.recorded", invoice, recorded, subject_id=payment.id)
    return payment, invoice
