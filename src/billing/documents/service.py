"""A document as people read it: every word translated, every amount and date formatted.

:func:`document_view` applies the same access rules as the JSON documents (a portal key sees
only its own customer's; anything else is 404) and builds a :class:`DocumentView` that the HTML
and PDF renderers only lay out. Lines show the service period (the last served day, inclusive,
as people read it), the licences and the unit price *as billed* (from the ledger entry, never
today's catalogue price), and the line's amount. A credit note names the invoice it credits
and why: the kind of each event that caused its entries and its date. The reason staff
recorded with an event is internal (a retention conversation, say) and never printed on a
customer's document.

A document issued since VAT also carries its legal content (:mod:`billing.documents.legal`):
seller and buyer, the VAT breakdown, the notes, the payment details; its lines name their
product and rate, and it shows the customer number, not the internal customer id. A document
issued before VAT (no ``parties``) prints exactly as it did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_date
from babel.numbers import format_decimal
from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.customers import repository as customers
from billing.documents import repository
from billing.documents.labels import language_of, text, texts
from billing.documents.legal import LegalContent, format_rate, legal_content
from billing.domain import codec
from billing.domain.events import CancellationScheduled
from billing.domain.money import format_money
from billing.invoicing import repository as ledger_repo
from billing.invoicing.service import amount_due
from billing.invoicing.views import Catalogue, catalogue, document_number
from billing.storage.models import Customer, Document, LedgerEntry, TimelineEvent


@dataclass(frozen=True, slots=True)
class DocumentLine:
    #: The product (since VAT), else what the line is.
    description: str
    service_period: str
    billing_period: str
    licences: str
    unit_price: str
    amount: str
    #: Since VAT: what kind of line it is when the product name does not say (``Abonnemang``).
    detail: str = ""
    #: Since VAT: the line's VAT rate (``25 %``).
    vat_rate: str = ""


@dataclass(frozen=True, slots=True)
class CreditedInvoice:
    id: str
    number: str
    issue_date: str


@dataclass(frozen=True, slots=True)
class DocumentView:
    id: str
    type: str  # "invoice" | "credit_note"
    language: str
    locale: str
    t: dict[str, str]
    title: str
    number: str
    customer_name: str
    customer_id: str
    #: What the document prints as the customer number: the number, else the id.
    customer_number: str
    subscription_id: str | None
    issue_date: str
    due_date: str | None
    status: str
    lines: list[DocumentLine]
    total: str
    amount_paid: str | None
    amount_credited: str | None
    amount_due: str | None
    credits_invoice: CreditedInvoice | None
    reasons: list[str]
    #: None: issued before VAT, printed as it was.
    legal: LegalContent | None = None

    @property
    def filename(self) -> str:
        return self.number


def document_view(session: Session, actor: Actor, document_id: str, doc_type: str) -> DocumentView:
    """The document ``document_id`` of ``doc_type`` for ``actor`` (404 unless they may see it)."""
    doc = ledger_repo.get_document(
        session, document_id, doc_type, customer_scope=actor.customer_scope
    )
    return build_view(session, doc)


def build_view(session: Session, doc: Document) -> DocumentView:
    customer = customers.get(session, doc.customer_id)
    language = language_of(customer.locale)
    locale = customer.locale
    entries = ledger_repo.document_entries(session, doc.id)
    t = texts(language)
    legal = legal_content(doc, language=language, locale=locale, t=t)
    products = catalogue(session, entries) if legal is not None else None
    # Credits are negative in the ledger; a credit note shows what it gives back, positive.
    sign = -1 if doc.type == "credit_note" else 1

    def money(amount: int) -> str:
        return format_money(amount, doc.currency, locale)

    credited: CreditedInvoice | None = None
    reasons: list[str] = []
    amount_paid = amount_credited = due = None
    if doc.type == "credit_note" and doc.invoice_id is not None:
        invoice = ledger_repo.get_document(session, doc.invoice_id, "invoice")
        credited = CreditedInvoice(
            invoice.id, document_number(invoice), _date(invoice.issue_date, locale)
        )
        reasons = _reasons(session, entries, language=language, locale=locale)
    if doc.type == "invoice":
        amount_paid = money(doc.amount_paid)
        amount_credited = money(ledger_repo.credited_total(session, doc.id))
        due = money(amount_due(session, doc))
    return DocumentView(
        id=doc.id,
        type=doc.type,
        language=language,
        locale=locale,
        t=t,
        title=text(language, doc.type),
        number=document_number(doc),
        customer_name=legal.buyer.name if legal is not None else customer.name,
        customer_id=customer.id,
        customer_number=_customer_number(doc, customer),
        subscription_id=doc.subscription_id,
        issue_date=_date(doc.issue_date, locale),
        due_date=_date(doc.due_date, locale) if doc.due_date else None,
        status=text(language, f"status_{doc.status}"),
        lines=[
            _line(e, sign=sign, locale=locale, language=language, products=products)
            for e in entries
        ],
        total=money(doc.total),
        amount_paid=amount_paid,
        amount_credited=amount_credited,
        amount_due=due,
        credits_invoice=credited,
        reasons=reasons,
        legal=legal,
    )


def _customer_number(doc: Document, customer: Customer) -> str:
    """The customer number as issued; the internal id only on documents issued before VAT (as
    they printed it) or for a customer that has no number."""
    if doc.parties is None:
        return customer.id
    return str(doc.parties["buyer"].get("customer_number") or customer.id)


def _date(day: date, locale: str) -> str:
    return str(format_date(day, "medium", locale=locale))


def date_range(start: date, end: date, locale: str) -> str:
    """``[start, end)`` as people read it: first and last day served, both inclusive."""
    last = end - timedelta(days=1)
    if last <= start:
        return _date(start, locale)
    return f"{_date(start, locale)} – {_date(last, locale)}"


def _item(entry: LedgerEntry, language: str) -> str:
    if entry.item == "main":
        return text(language, "item_main")
    if entry.item == "setup":
        return text(language, "item_setup")
    if entry.item.startswith("addon:"):
        return f"{text(language, 'item_addon')} {entry.item.split(':', 1)[1]}"
    if entry.item.startswith("usage:"):
        return f"{text(language, 'item_usage')} {entry.item.split(':')[1]}"
    # A delivered one-off (an order's line) is named by what was delivered.
    return entry.description or text(language, "item_one_off")


def _kind(entry: LedgerEntry, language: str) -> str:
    """What kind of line a product is, under its name: a subscription, an add-on, a one-off
    delivery (an order's line and the start-up fee say it in their names)."""
    if entry.order_id is not None or entry.item == "setup":
        return ""
    kind = entry.item.partition(":")[0]
    known = ("main", "addon", "one_off", "usage")
    return text(language, f"item_{kind}") if kind in known else ""


def _line(
    entry: LedgerEntry, *, sign: int, locale: str, language: str, products: Catalogue | None
) -> DocumentLine:
    whole_period = (entry.service_start, entry.service_end) == (
        entry.period_start,
        entry.period_end,
    )
    description, detail, rate = _item(entry, language), "", ""
    if products is not None:  # issued since VAT: the product, its kind and its rate
        description = products.product(entry, language)
        detail = _kind(entry, language)
        detail = "" if detail == description else detail
        rate = "" if entry.vat_rate is None else format_rate(entry.vat_rate, locale)
    return DocumentLine(
        description=description,
        service_period=date_range(entry.service_start, entry.service_end, locale),
        billing_period=(
            "" if whole_period else date_range(entry.period_start, entry.period_end, locale)
        ),
        licences=str(format_decimal(entry.quantity, locale=locale)),
        unit_price=format_money(entry.unit_amount, entry.currency, locale),
        amount=format_money(sign * entry.amount, entry.currency, locale),
        detail=detail,
        vat_rate=rate,
    )


def _reasons(
    session: Session, entries: Sequence[LedgerEntry], *, language: str, locale: str
) -> list[str]:
    """Why a credit note was issued: each causing event once, in the order of its entries."""
    ids: list[str] = []
    for e in entries:
        if e.event_id and e.event_id not in ids:
            ids.append(e.event_id)
    events = repository.events_by_id(session, ids)
    return [_reason(events[i], language=language, locale=locale) for i in ids if i in events]


def _reason(event: TimelineEvent, *, language: str, locale: str) -> str:
    words = text(language, f"event_{event.type}")
    payload = codec.decode(event.type, event.data)
    if isinstance(payload, CancellationScheduled) and payload.end_date is not None:
        words += f", {text(language, 'end_date')} {_date(payload.end_date, locale)}"
    else:
        words += f", {_date(event.effective_date, locale)}"
    # Not event.reason: staff's internal reason (module docstring).
    return words
