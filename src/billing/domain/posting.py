"""One posting plan: the documents that new ledger entries become (domain.md, "One ledger").

Given the new entries of one owner (a subscription, or a one-off order) from one posting:

* all new **charges** go on one **invoice**: its total is their sum; it is due
  ``payment_terms_days`` after its issue date; it is ``open`` while something is owed on it, so
  an invoice of nothing is ``paid`` from the start;
* **credits** go on one **credit note per invoice they give back**, pointing at that invoice
  (``invoice_id``): its total is what they give back, as a positive amount; it has no due date
  and is ``issued``;
* documents come in that order: the invoice first, then credit notes in the order of their
  first credit. Numbers are taken in this order, so how many of each series a posting needs is
  known before any is taken (:attr:`PostingPlan.numbers_needed`);
* each line is taxed (:class:`TaxBook`): a new charge by its category, the sale's treatment and
  its supply date; a credit at the tax of the charge it gives back. A document's VAT is computed
  once per tax on the sum of its lines (:mod:`billing.domain.vat`), a credit note's cumulatively
  against its invoice; ``total`` is the gross: net + VAT;
* the **issuer** (:class:`Issuer`, the seller) owns the number series (``INV``/``CN``, or
  ``<prefix>-INV``/``<prefix>-CN``) and the payment reference scheme of its invoices.

A planned document also defines its ``<type>.issued`` feed payload, once it has a number. Both
writers, :func:`billing.invoicing.service.post_entries` (one request) and
:func:`billing.bill_runs.batch.bill_batch` (a batch of a bill run, in bulk), write what this
plans, so what a document carries is defined here once. Pure: no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from billing.domain.ledger import Entry
from billing.domain.references import ReferenceScheme, payment_reference
from billing.domain.vat import UNTAXED, LineTax, VatLine, credit_vat, invoice_vat, totals

INVOICE_SERIES = "INV"
CREDIT_NOTE_SERIES = "CN"


class DocumentType(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


SERIES = {DocumentType.INVOICE: INVOICE_SERIES, DocumentType.CREDIT_NOTE: CREDIT_NOTE_SERIES}
#: The order a posting takes numbers in (invoice first), and so the order writers lock the
#: series' counters in: the same everywhere, so two postings never deadlock on them.
SERIES_ORDER = (INVOICE_SERIES, CREDIT_NOTE_SERIES)


def series_of(doc_type: DocumentType, prefix: str) -> str:
    """The number series of a seller's documents: ``INV``, or ``SE-INV`` for prefix ``SE``."""
    base = SERIES[doc_type]
    return f"{prefix}-{base}" if prefix else base


def lock_order(series: Iterable[str]) -> list[str]:
    """Series in the one order every writer locks their counters in: by seller prefix, and a
    seller's invoices before its credit notes (as :data:`SERIES_ORDER`)."""

    def key(name: str) -> tuple[str, int, str]:
        prefix, _, base = name.rpartition("-")
        rank = SERIES_ORDER.index(base) if base in SERIES_ORDER else len(SERIES_ORDER)
        return (prefix, rank, name)

    return sorted(set(series), key=key)


@dataclass(frozen=True, slots=True)
class Issuer:
    """The seller a document is issued by: its id, its series' prefix and how its invoices'
    payment references are made (none: no reference)."""

    seller_id: str | None = None
    prefix: str = ""
    reference_scheme: ReferenceScheme | None = None
    reference_prefix: str = ""
    creditor: str | None = None

    def reference(self, doc_type: DocumentType, number: int) -> str | None:
        """The payment reference of its invoice numbered ``number`` (credit notes: none)."""
        if doc_type is not DocumentType.INVOICE or self.reference_scheme is None:
            return None
        return payment_reference(
            self.reference_scheme,
            number=number,
            prefix=self.reference_prefix,
            creditor=self.creditor,
        )


NO_ISSUER = Issuer()


def _untaxed(_: Entry) -> LineTax:
    return UNTAXED


@dataclass(frozen=True, slots=True)
class TaxBook:
    """How the lines of one posting are taxed.

    ``charge``: a new charge's tax (its category, the sale's treatment, its supply date);
    ``posted``: the tax of posted charges by entry id (a credit gives back at it; missing:
    posted before VAT, untaxed); ``credited_before``: per invoice id, the amount as priced that
    earlier credit notes gave back per tax (a credit note's VAT is cumulative)."""

    charge: Callable[[Entry], LineTax] = _untaxed
    posted: Mapping[str, LineTax] = field(default_factory=dict)
    credited_before: Mapping[str, Mapping[LineTax, int]] = field(default_factory=dict)

    def of(self, entry: Entry) -> LineTax:
        if entry.is_credit and entry.credits is not None:
            return self.posted.get(entry.credits, UNTAXED)
        return self.charge(entry)


NO_TAXES = TaxBook()


def document_number(series: str, number: int) -> str:
    """A document's number as people and the feed read it: ``INV-000042``."""
    return f"{series}-{number:06d}"


#: The renderings of each kind of document, by name: the path under ``/v1`` after its id.
RENDERINGS: dict[str, dict[str, str]] = {
    "invoice": {"xml": "/v1/invoices/{id}.xml", "html": "/v1/invoices/{id}.html",
                "pdf": "/v1/invoices/{id}.pdf"},
    "credit_note": {"xml": "/v1/credit-notes/{id}.xml", "html": "/v1/credit-notes/{id}.html",
                    "pdf": "/v1/credit-notes/{id}.pdf"},
}  # fmt: skip


def document_links(document_type: str, document_id: str) -> dict[str, str]:
    """Where document ``document_id`` of ``document_type`` is rendered: ``xml`` (the Peppol
    BIS Billing 3.0 UBL), ``html`` and ``pdf``, as URL paths; none for a refund (it is a
    payment record, not a document people or invoicing systems read)."""
    paths = RENDERINGS.get(document_type, {})
    return {name: path.format(id=document_id) for name, path in paths.items()}


def issued_payload(
    *,
    document_id: str,
    document_type: str,
    series: str,
    number: int,
    total: int,
    currency: str,
    issue_date: date,
    invoice_id: str | None,
    bill_run_id: str | None,
    net_total: int | None = None,
    vat_total: int = 0,
    payment_reference: str | None = None,
) -> dict[str, Any]:
    """The payload of a document's ``<type>.issued`` feed event (any document: a refund too).

    ``invoice_id``: the invoice a credit note or refund belongs to; ``bill_run_id``: the run
    that issued it, if one did; ``total`` is the gross, ``net_total`` + ``vat_total``.
    ``document_id`` and its ``links`` (:func:`document_links`) let a receiver pull the
    document (its UBL) without asking the documents feed first.
    """
    return {
        "document_id": document_id,
        "links": document_links(document_type, document_id),
        "number": document_number(series, number),
        "total": total,
        "net_total": total - vat_total if net_total is None else net_total,
        "vat_total": vat_total,
        "currency": currency,
        "issue_date": issue_date.isoformat(),
        "invoice_id": invoice_id,
        "bill_run_id": bill_run_id,
        "payment_reference": payment_reference,
    }


@dataclass(frozen=True, slots=True)
class PlannedDocument:
    """One document of a posting, before it has an id or a number."""

    type: DocumentType
    #: The entries it carries, in posting order.
    entries: tuple[Entry, ...]
    #: The tax of each entry, in the same order.
    taxes: tuple[LineTax, ...]
    #: The VAT breakdown: one row per tax.
    vat: tuple[VatLine, ...]
    #: Positive for both kinds: what an invoice asks, what a credit note gives back; gross.
    total: int
    net_total: int
    vat_total: int
    currency: str
    issue_date: date
    #: Invoices only: ``issue_date`` plus the payment terms.
    due_date: date | None
    status: str
    #: Credit notes only: the invoice whose entries they give back.
    invoice_id: str | None
    bill_run_id: str | None
    issuer: Issuer = NO_ISSUER

    @property
    def series(self) -> str:
        return series_of(self.type, self.issuer.prefix)

    def reference(self, number: int) -> str | None:
        """Its payment reference once it is numbered ``number`` (invoices of a seller with a
        reference scheme)."""
        return self.issuer.reference(self.type, number)

    @property
    def issued_type(self) -> str:
        """The feed event announcing it: ``invoice.issued``, ``credit_note.issued``."""
        return f"{self.type.value}.issued"

    def issued_data(
        self, number: int, reference: str | None = None, *, document_id: str
    ) -> dict[str, Any]:
        """The payload of its ``<type>.issued`` feed event, once it is numbered ``number`` and
        stored as ``document_id`` (``reference``: its payment reference, when the caller made
        it already)."""
        return issued_payload(
            document_id=document_id,
            document_type=self.type.value,
            series=self.series,
            number=number,
            total=self.total,
            currency=self.currency,
            issue_date=self.issue_date,
            invoice_id=self.invoice_id,
            bill_run_id=self.bill_run_id,
            net_total=self.net_total,
            vat_total=self.vat_total,
            payment_reference=reference if reference is not None else self.reference(number),
        )


@dataclass(frozen=True, slots=True)
class PostingPlan:
    documents: tuple[PlannedDocument, ...]

    @property
    def numbers_needed(self) -> Counter[str]:
        """How many numbers of each series the posting takes."""
        return Counter(d.series for d in self.documents)

    @property
    def credited_invoices(self) -> tuple[str, ...]:
        """The invoices its credit notes give back on (their status may change)."""
        return tuple(d.invoice_id for d in self.documents if d.invoice_id is not None)


def plan_posting(
    new: Sequence[Entry],
    *,
    invoice_of: Mapping[str, str],
    currency: str,
    issue_date: date,
    payment_terms_days: int,
    bill_run_id: str | None = None,
    taxes: TaxBook = NO_TAXES,
    issuer: Issuer = NO_ISSUER,
) -> PostingPlan:
    """The documents ``new`` becomes. ``invoice_of`` maps a posted entry's id to the invoice
    that carries it (each credit's ``credits`` must be in it)."""
    charges: list[Entry] = []
    credits: dict[str, list[Entry]] = {}
    for e in new:
        if e.is_credit:
            if e.credits is None or e.credits not in invoice_of:
                raise ValueError(f"credit {e} names no invoiced entry")
            credits.setdefault(invoice_of[e.credits], []).append(e)
        else:
            charges.append(e)
    documents: list[PlannedDocument] = []

    def add(kind: DocumentType, entries: list[Entry], invoice_id: str | None) -> None:
        line_taxes = tuple(taxes.of(e) for e in entries)
        if invoice_id is None:
            vat = invoice_vat(zip(line_taxes, (e.amount for e in entries), strict=True))
        else:
            vat = credit_vat(
                zip(line_taxes, (-e.amount for e in entries), strict=True),
                credited_before=taxes.credited_before.get(invoice_id, {}),
            )
        money = totals(vat)
        invoice = kind is DocumentType.INVOICE
        documents.append(
            PlannedDocument(
                type=kind,
                entries=tuple(entries),
                taxes=line_taxes,
                vat=vat,
                total=money.gross,
                net_total=money.net,
                vat_total=money.vat,
                currency=currency,
                issue_date=issue_date,
                due_date=issue_date + timedelta(days=payment_terms_days) if invoice else None,
                status=("open" if money.gross > 0 else "paid") if invoice else "issued",
                invoice_id=invoice_id,
                bill_run_id=bill_run_id,
                issuer=issuer,
            )
        )

    if charges:
        add(DocumentType.INVOICE, charges, None)
    for invoice_id, given_back in credits.items():
        add(DocumentType.CREDIT_NOTE, given_back, invoice_id)
    return PostingPlan(tuple(documents))
