"""Documents as integrators read them: lines with service periods, the billed unit price and
quantity, totals in minor units and formatted in the customer's locale.

**Legal content.** A document issued since VAT keeps ``parties`` (seller and buyer as issued)
and its ``vat_breakdown``. Its JSON shows ``net_total``, ``vat_total`` and the gross
``total``; the breakdown with each rate as a percent (``"25"``) and in hundredths of one
(``rate_bps``) and the note its code needs; the ``treatment``; ``seller`` and ``buyer`` with
their numbers as printed; the ``payment_reference``, the ``customer_number`` and the legal
``notes`` in the customer's language (:mod:`billing.invoicing.legal`). Each line names its
``product`` (the plan's name, the add-on's, the start-up fee, the order line's or one-off
delivery's description) and how it was taxed. A document issued before VAT has no parties:
net = total, no VAT, no parties, no notes; nothing is invented for it.

**Links.** Each document names its renderings (:func:`links`): ``html`` and ``pdf``, and
``xml`` (the Peppol BIS Billing 3.0 UBL) when it can be one, so an invoicing system that pulls
the feed by cursor fetches each ``links.xml``; a refund has none.

**Status.** An invoice answers the status it has today (:func:`~billing.invoicing.status.
invoice_fields`): ``overdue`` while it is ``open`` past its due date with something still due,
with ``days_overdue`` and ``disputed`` beside it; ``open``, ``paid`` and ``void`` otherwise.
Today is the service clock's day in the customer's time zone, passed in by the caller.

A page (:func:`documents_out`) is read in a fixed number of queries whatever its size:
entries, credits, disputes, customers, subscriptions and plans, and one-off deliveries when a
line is one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from billing.customers import repository as customers
from billing.domain import codec, posting
from billing.domain.events import OneOffDelivered
from billing.domain.money import format_money
from billing.domain.usage import metrics_of, parse_item
from billing.domain.vat import TaxCode
from billing.invoicing import repository
from billing.invoicing.legal import (
    language_of,
    note_text,
    notes_of,
    party_out,
    rate_percent,
    word,
)
from billing.invoicing.status import Today, invoice_fields
from billing.storage.models import (
    Customer,
    Document,
    LedgerEntry,
    Plan,
    Subscription,
    TimelineEvent,
)
from billing.storage.numbering import numbered
from billing.storage.rows import rows_where

# -- product names --------------------------------------------------------------------------


def addon_name(plan: Plan | None, code: str) -> str | None:
    """The name of add-on ``code`` in ``plan``'s catalogue (None: not there)."""
    for addon in (plan.addons if plan else None) or ():
        if addon.get("code") == code:
            return str(addon.get("name") or code)
    return None


def usage_name(plan: Plan | None, item: str, language: str) -> str:
    """A usage line's product: its metric's name in ``plan``, and its tier when the metric
    has several (``Hälsokontroller``, ``API calls (tier 2)``)."""
    code, tier = parse_item(item) or (item, 1)
    metric = metrics_of(plan.usage_metrics if plan else None).get(code)
    if metric is None:
        return f"{word(language, 'item_usage')} {code}"
    if len(metric.price_tiers) == 1:
        return metric.name
    return f"{metric.name} ({word(language, 'usage_tier')} {tier})"


@dataclass(frozen=True, slots=True)
class Catalogue:
    """What names the products on some documents: each subscription's plan and each one-off
    delivery's description. The plan is the subscription's current one (a line billed before
    a change of plan shows the new plan's name, as its tax category also is the new plan's)."""

    plans: Mapping[str, Plan] = field(default_factory=dict)
    one_offs: Mapping[str, str] = field(default_factory=dict)

    def product(self, entry: LedgerEntry, language: str) -> str:
        if entry.order_id is not None:  # an order's line: as ordered
            return entry.description or word(language, "item_one_off")
        if entry.item == "setup":
            return word(language, "item_setup")
        if entry.item in LATE_PAYMENT_ITEMS:  # a reminder invoice's fee, compensation, interest
            return word(language, f"item_{entry.item}")
        kind, _, code = entry.item.partition(":")
        if kind == "one_off":
            return self.one_offs.get(code) or word(language, "item_one_off")
        plan = self.plans.get(entry.subscription_id or "")
        if kind == "addon":
            return addon_name(plan, code) or code
        if kind == "usage":
            return usage_name(plan, entry.item, language)
        return plan.name if plan is not None else entry.item


def catalogue(session: Session, entries: Iterable[LedgerEntry]) -> Catalogue:
    """The catalogue of ``entries``: three queries at most, whatever their number."""
    rows = list(entries)
    sub_ids = sorted({e.subscription_id for e in rows if e.subscription_id is not None})
    plans: dict[str, Plan] = {}
    if sub_ids:
        subs = rows_where(
            session, Subscription, Subscription.id.in_(sub_ids), order_by=[Subscription.id]
        )
        plan_ids = sorted({s.plan_id for s in subs})
        by_id = {p.id: p for p in rows_where(session, Plan, Plan.id.in_(plan_ids), order_by=[])}
        plans = {s.id: by_id[s.plan_id] for s in subs if s.plan_id in by_id}
    one_offs: dict[str, str] = {}
    event_ids = sorted({e.item[8:] for e in rows if e.item.startswith("one_off:")})
    if event_ids:
        where = TimelineEvent.id.in_(event_ids)
        for ev in rows_where(session, TimelineEvent, where, order_by=[]):
            payload = codec.decode(ev.type, ev.data)
            if isinstance(payload, OneOffDelivered) and payload.description:
                one_offs[ev.id] = payload.description
    return Catalogue(plans, one_offs)


# -- lines and documents --------------------------------------------------------------------


#: The items of a reminder invoice (customer-level ledger entries, billing.reminders).
LATE_PAYMENT_ITEMS = frozenset({"reminder_fee", "late_compensation", "late_interest"})


def describe(entry: LedgerEntry) -> str:
    if entry.order_id is not None:  # a one-off order's line: as ordered, on its delivery day
        return f"{entry.description} {entry.service_start}"
    last_day = entry.service_end - timedelta(days=1)
    if entry.item == "setup":
        return "Start-up fee" if entry.kind != "credit" else "Start-up fee waived"
    if entry.item == "main":
        label = "Subscription"
    elif entry.item.startswith("addon:"):
        label = f"Add-on {entry.item.split(':', 1)[1]}"
    elif entry.item.startswith("usage:"):
        label = f"Usage {entry.item.split(':')[1]}"
    elif entry.item in LATE_PAYMENT_ITEMS:
        return f"{word('en', f'item_{entry.item}')} {entry.service_start}"
    else:
        label = "One-off delivery"
    what = "credit for" if entry.kind == "credit" else ""
    return " ".join(x for x in (label, what, f"{entry.service_start} – {last_day}") if x)


def _order_fields(e: LedgerEntry) -> dict[str, Any]:
    """What an order's line adds: the order line, and the delivery that billed it."""
    if e.order_id is None:
        return {}
    return {
        "order_line_id": e.order_line_id,
        "delivery_id": e.event_id if e.kind == "one_off" else None,
    }


def _tax_fields(e: LedgerEntry) -> dict[str, Any]:
    """How the line was taxed; all None for a line posted before VAT."""
    return {
        "tax_code": e.tax_code,
        "vat_rate": None if e.vat_rate is None else rate_percent(e.vat_rate),
        "vat_rate_bps": e.vat_rate,
        "vat_inclusive": e.vat_inclusive,
    }


def lines(
    entries: Sequence[LedgerEntry],
    *,
    currency: str,
    locale: str,
    sign: int = 1,
    products: Catalogue | None = None,
) -> list[dict[str, Any]]:
    language = language_of(locale)
    names = products or Catalogue()
    return [
        {
            "entry_id": str(e.id),
            "description": describe(e),
            "product": names.product(e, language),
            "item": e.item,
            "kind": e.kind,
            "service_start": e.service_start.isoformat(),
            "service_end": e.service_end.isoformat(),
            "period_start": e.period_start.isoformat(),
            "period_end": e.period_end.isoformat(),
            "quantity": e.quantity,
            "unit_amount": e.unit_amount,
            "amount": sign * e.amount,
            "amount_formatted": format_money(sign * e.amount, currency, locale),
            "credits_entry_id": str(e.credits_entry_id) if e.credits_entry_id else None,
            **_tax_fields(e),
            **_order_fields(e),
        }
        for e in entries
    ]


def documents_out(
    session: Session, docs: Sequence[Document], *, today: Today
) -> list[dict[str, Any]]:
    """A page of documents with their lines, credits, disputes, customers and products, read in
    a fixed number of queries (module docstring), not per document."""
    if not docs:
        return []
    ids = [d.id for d in docs]
    entries = repository.entries_of_documents(session, ids)
    invoices = [d.id for d in docs if d.type == "invoice"]
    credited = repository.credited_totals(session, invoices) if invoices else {}
    disputed = repository.open_disputes(session, invoices)
    customer_ids = sorted({d.customer_id for d in docs})
    buyers = {
        c.id: c for c in rows_where(session, Customer, Customer.id.in_(customer_ids), order_by=[])
    }
    products = catalogue(session, (e for rows in entries.values() for e in rows))
    return [
        document_out(
            session,
            d,
            entries.get(d.id, []),
            credited=credited.get(d.id, 0) if d.type == "invoice" else None,
            customer=buyers.get(d.customer_id),
            products=products,
            today=today,
            disputed=d.id in disputed,
        )
        for d in docs
    ]


def document_number(doc: Document) -> str:
    numbered(doc)  # an answer built before the commit: the numbers are taken now
    return posting.document_number(doc.series, doc.number)


def net_total(doc: Document) -> int:
    """The net (Σ taxable): as stored; for a document issued before VAT, its total."""
    return doc.net_total if doc.net_total is not None else doc.total - (doc.vat_total or 0)


def _vat_fields(doc: Document, locale: str) -> dict[str, Any]:
    language = language_of(locale)
    country = str(doc.parties["seller"]["country"]) if doc.parties else ""

    def money(amount: int) -> str:
        return format_money(amount, doc.currency, locale)

    rows = [
        {
            "code": r["code"],
            "rate": rate_percent(int(r["rate"])),
            "rate_bps": int(r["rate"]),
            "inclusive": bool(r["inclusive"]),
            "lines": int(r["lines"]),
            "taxable": int(r["taxable"]),
            "taxable_formatted": money(int(r["taxable"])),
            "vat": int(r["vat"]),
            "vat_formatted": money(int(r["vat"])),
            "note": note_text(str(r["code"]), country, language) if doc.parties else None,
        }
        for r in doc.vat_breakdown or ()
    ]
    return {
        "net_total": net_total(doc),
        "net_total_formatted": money(net_total(doc)),
        "vat_total": doc.vat_total or 0,
        "vat_total_formatted": money(doc.vat_total or 0),
        "vat_breakdown": rows,
    }


def _party_fields(doc: Document, customer: Customer) -> dict[str, Any]:
    parties = doc.parties
    if parties is None:  # issued before VAT: no parties were kept
        return {
            "treatment": None,
            "seller": None,
            "buyer": None,
            "customer_number": customer.customer_number,
        }
    return {
        "treatment": parties.get("treatment"),
        "seller": party_out(parties["seller"]),
        "buyer": party_out(parties["buyer"]),
        "customer_number": parties["buyer"].get("customer_number"),
    }


def ubl_possible(doc: Document, entries: Sequence[LedgerEntry]) -> bool:
    """Whether the document can be written as UBL, by what :mod:`billing.peppol.content`
    refuses: issued before VAT (no parties, breakdown or lines), a row posted before VAT
    (untaxed), a not-subject row beside VAT charged (BR-O-11), a buyer with neither an
    organisation number nor a VAT number to address it by. Asked here, not of
    :func:`billing.peppol.readiness.peppol_ready`, because peppol reads invoicing (importing it
    would be a cycle between the packages); ``tests/api/test_document_links.py`` checks the
    two agree on every kind of document the Peppol tests make."""
    parties, rows = doc.parties, doc.vat_breakdown
    if parties is None or rows is None or not entries:
        return False
    codes = [TaxCode(r["code"]) for r in rows]
    if TaxCode.UNTAXED in codes:
        return False
    if any(c in _NOT_SUBJECT for c in codes) and any(
        c in _TAXED or int(r["vat"]) != 0 for c, r in zip(codes, rows, strict=True)
    ):
        return False
    buyer = parties["buyer"]
    return bool(buyer.get("organisation_number") or buyer.get("vat_number"))


_TAXED = frozenset({TaxCode.STANDARD, TaxCode.REDUCED, TaxCode.FOOD, TaxCode.REDUCED_LOW})
_NOT_SUBJECT = frozenset({TaxCode.OUTSIDE_SCOPE, TaxCode.NOT_REGISTERED})


def links(doc: Document, entries: Sequence[LedgerEntry]) -> dict[str, str]:
    """Where the document is rendered (:func:`billing.domain.posting.document_links`): ``html``
    and ``pdf``, and ``xml`` (its UBL) only when it can be one (:func:`ubl_possible`); none
    for a preview's document (no id: it is nowhere)."""
    if doc.id is None:
        return {}
    out = posting.document_links(doc.type, doc.id)
    if "xml" in out and not ubl_possible(doc, entries):
        del out["xml"]
    return out


def document_out(
    session: Session,
    doc: Document,
    entries: Sequence[LedgerEntry] | None = None,
    *,
    credited: int | None = None,
    customer: Customer | None = None,
    products: Catalogue | None = None,
    today: Today,
    disputed: bool | None = None,
) -> dict[str, Any]:
    """One document as the API shows it, an invoice with its status on ``today`` (module
    docstring). ``entries``, ``credited`` (what credit notes gave back on an invoice),
    ``customer``, ``products`` and ``disputed`` may be passed in when a page of documents
    loaded them together."""
    if customer is None:
        customer = customers.get(session, doc.customer_id)
    if entries is None:
        entries = repository.document_entries(session, doc.id)
    if products is None:
        products = catalogue(session, entries)
    sign = -1 if doc.type == "credit_note" else 1
    locale = customer.locale
    out: dict[str, Any] = {
        "id": doc.id,
        "type": doc.type,
        "number": None,  # last (below)
        "customer_id": doc.customer_id,
        "subscription_id": doc.subscription_id,
        "currency": doc.currency,
        "issue_date": doc.issue_date.isoformat(),
        "lines": lines(entries, currency=doc.currency, locale=locale, sign=sign, products=products),
        "total": doc.total,
        "total_formatted": format_money(doc.total, doc.currency, locale),
        "bill_run_id": doc.bill_run_id,
        "seller_id": doc.seller_id,
        **_vat_fields(doc, locale),
        **_party_fields(doc, customer),
        "payment_reference": None,  # last (below)
        "notes": [{"code": n.code, "text": n.text} for n in notes_of(doc, language_of(locale))],
        "links": links(doc, entries),
        "issued_by": doc.issued_by,
    }
    if doc.type == "invoice":
        out.update(
            invoice_fields(
                session, doc, customer, credited=credited, today=today, disputed=disputed
            )
        )
    else:
        out["invoice_id"] = doc.invoice_id
    if doc.type == "refund":
        out["status"] = doc.status
    out["number"] = document_number(doc)  # last: a new one is numbered now (storage.numbering)
    out["payment_reference"] = doc.payment_reference
    return out
