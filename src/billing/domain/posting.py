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
  known before any is taken (:attr:`PostingPlan.numbers_needed`).

A planned document also defines its ``<type>.issued`` feed payload, once it has a number. Both
writers, :func:`billing.invoicing.service.post_entries` (one request) and
:func:`billing.bill_runs.batch.bill_batch` (a batch of a bill run, in bulk), write what this
plans, so what a document carries is defined here once. Pure: no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from billing.domain.ledger import Entry

INVOICE_SERIES = "INV"
CREDIT_NOTE_SERIES = "CN"


class DocumentType(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


SERIES = {DocumentType.INVOICE: INVOICE_SERIES, DocumentType.CREDIT_NOTE: CREDIT_NOTE_SERIES}
#: The order a posting takes numbers in (invoice first), and so the order writers lock the
#: series' counters in: the same everywhere, so two postings never deadlock on them.
SERIES_ORDER = (INVOICE_SERIES, CREDIT_NOTE_SERIES)


def document_number(series: str, number: int) -> str:
    """A document's number as people and the feed read it: ``INV-000042``."""
    return f"{series}-{number:06d}"


def issued_payload(
    *,
    series: str,
    number: int,
    total: int,
    currency: str,
    issue_date: date,
    invoice_id: str | None,
    bill_run_id: str | None,
) -> dict[str, Any]:
    """The payload of a document's ``<type>.issued`` feed event (any document: a refund too).

    ``invoice_id``: the invoice a credit note or refund belongs to; ``bill_run_id``: the run
    that issued it, if one did.
    """
    return {
        "number": document_number(series, number),
        "total": total,
        "currency": currency,
        "issue_date": issue_date.isoformat(),
        "invoice_id": invoice_id,
        "bill_run_id": bill_run_id,
    }


@dataclass(frozen=True, slots=True)
class PlannedDocument:
    """One document of a posting, before it has an id or a number."""

    type: DocumentType
    #: The entries it carries, in posting order.
    entries: tuple[Entry, ...]
    #: Positive for both kinds: what an invoice asks, what a credit note gives back.
    total: int
    currency: str
    issue_date: date
    #: Invoices only: ``issue_date`` plus the payment terms.
    due_date: date | None
    status: str
    #: Credit notes only: the invoice whose entries they give back.
    invoice_id: str | None
    bill_run_id: str | None

    @property
    def series(self) -> str:
        return SERIES[self.type]

    @property
    def issued_type(self) -> str:
        """The feed event announcing it: ``invoice.issued``, ``credit_note.issued``."""
        return f"{self.type.value}.issued"

    def issued_data(self, number: int) -> dict[str, Any]:
        """The payload of its ``<type>.issued`` feed event, once it is numbered ``number``."""
        return issued_payload(
            series=self.series,
            number=number,
            total=self.total,
            currency=self.currency,
            issue_date=self.issue_date,
            invoice_id=self.invoice_id,
            bill_run_id=self.bill_run_id,
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
    if charges:
        total = sum(e.amount for e in charges)
        documents.append(
            PlannedDocument(
                type=DocumentType.INVOICE,
                entries=tuple(charges),
                total=total,
                currency=currency,
                issue_date=issue_date,
                due_date=issue_date + timedelta(days=payment_terms_days),
                status="open" if total > 0 else "paid",
                invoice_id=None,
                bill_run_id=bill_run_id,
            )
        )
    for invoice_id, given_back in credits.items():
        documents.append(
            PlannedDocument(
                type=DocumentType.CREDIT_NOTE,
                entries=tuple(given_back),
                total=-sum(e.amount for e in given_back),
                currency=currency,
                issue_date=issue_date,
                due_date=None,
                status="issued",
                invoice_id=invoice_id,
                bill_run_id=bill_run_id,
            )
        )
    return PostingPlan(tuple(documents))
