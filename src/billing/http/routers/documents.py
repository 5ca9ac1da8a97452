"""Invoices, the credit-note feed, payments and bill runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field
from sqlalchemy.orm import Session, sessionmaker

from billing.auth.service import Actor
from billing.bill_runs.schemas import BillRunOut, bill_run_out
from billing.bill_runs.service import result_of, run_bill_run
from billing.clock import Clock
from billing.events.schemas import FeedPage
from billing.http.deps import (
    ClockDep,
    FactoryDep,
    ReadSessions,
    SessionDep,
    SettingsDep,
    parse_cursor,
)
from billing.http.encoded import encoded
from billing.http.permissions import ReadsDocuments, RecordsPayments, StaffActor
from billing.invoicing import repository
from billing.invoicing.schemas import CreditNoteOut, InvoiceOut, PaymentOut
from billing.invoicing.service import normalized_reference, record_payment
from billing.invoicing.views import document_out, documents_out
from billing.schemas_common import Day, Name, PositiveAmount, Request
from billing.storage.db import unit_of_work

router = APIRouter(tags=["documents"])


class BillRunCreate(Request):
    as_of: Day = Field(
        description=(
            "Bill everything due on or before this day (ISO date): in advance, periods starting "
            "by it; in arrears, periods ended by it."
        ),
        examples=["2025-05-01"],
    )


class PaymentCreate(Request):
    amount: PositiveAmount = Field(
        description="What was paid, in minor units (at most what is due).", examples=[31244]
    )
    paid_on: Day = Field(description="The day it was paid.", examples=["2025-04-20"])
    reference: Name | None = Field(
        default=None,
        description="The payer's reference (e.g. the OCR number).",
        examples=["00000000018"],
    )


@dataclass(frozen=True, slots=True)
class DocumentFeed:
    """One page of a document feed (invoices, credit notes, refunds): from after the cursor
    ``after`` (a document number), at most ``limit`` documents in number order. Read in one
    transaction of its own in the handler's thread and answered as :func:`encoded` JSON (the
    hot reads: no thread hops around it)."""

    reads: sessionmaker[Session]
    clock: Clock
    after: str | None
    limit: int

    def page(
        self,
        doc_type: str,
        actor: Actor,
        *,
        customer_id: str | None,
        subscription_id: str | None = None,
        bill_run_id: str | None = None,
        seller_id: str | None = None,
        reference: str | None = None,
        status: str | None = None,
    ) -> Response:
        after_number = parse_cursor(self.after)
        with unit_of_work(self.reads) as session:
            today = self.clock.today_by_zone(session)
            where = [repository.status_is(session, status, today)] if status else []
            rows = repository.documents_page(
                session,
                doc_type=doc_type,
                after_number=after_number,
                limit=self.limit,
                customer_id=customer_id,
                subscription_id=subscription_id,
                bill_run_id=bill_run_id,
                customer_scope=actor.customer_scope,
                seller_id=seller_id,
                payment_reference=normalized_reference(reference) if reference else None,
                where=where,
            )
            data = documents_out(session, rows, today=today)
        # next_cursor is null once the feed is drained; resume_cursor is where to poll from
        # next time (the last document seen, or the cursor given when there was nothing new):
        # see billing.events.schemas for the reading loop.
        out = {
            "data": data,
            "next_cursor": str(rows[-1].number) if len(rows) == self.limit else None,
            "resume_cursor": str(rows[-1].number) if rows else self.after,
        }
        return encoded(FeedPage, out)


async def feed(
    reads: ReadSessions,
    clock: ClockDep,
    after: Annotated[
        str | None,
        Query(
            description="The resume_cursor of your previous pull (a document number; leave "
            "out the first time).",
            examples=["1042"],
        ),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=500, description="At most this many documents.", examples=[100])
    ] = 100,
) -> DocumentFeed:
    return DocumentFeed(reads, clock, after, limit)


Feed = Annotated[DocumentFeed, Depends(feed)]
CustomerFilter = Annotated[str | None, Query(description="Only the documents of this customer.")]
BillRunFilter = Annotated[str | None, Query(description="Only the documents this bill run issued.")]
SellerFilter = Annotated[str | None, Query(description="Only the documents of this seller.")]


def _document(
    reads: sessionmaker[Session], actor: Actor, clock: Clock, document_id: str, doc_type: str
) -> Response:
    """One document, read in a transaction of its own in the handler's thread."""
    with unit_of_work(reads) as session:
        doc = repository.get_document(
            session, document_id, doc_type, customer_scope=actor.customer_scope
        )
        out = document_out(session, doc, today=clock.today_by_zone(session))
    return encoded(dict[str, Any], out)


@router.get("/invoices", response_model=FeedPage)
def list_invoices(
    actor: ReadsDocuments,
    feed: Feed,
    customer_id: CustomerFilter = None,
    subscription_id: Annotated[
        str | None, Query(description="Only the invoices of this subscription.")
    ] = None,
    bill_run_id: BillRunFilter = None,
    seller_id: SellerFilter = None,
    reference: Annotated[
        str | None,
        Query(
            max_length=60,
            description="A payment reference (OCR, KID, or FIK payment id or code line) as "
            "the payer or the bank file has it: spaces are ignored.",
        ),
    ] = None,
    status: Annotated[
        Literal["open", "overdue", "paid", "void"] | None,
        Query(
            description="Only invoices that answer this status today: overdue (open, past the "
            "due date in the customer's time zone, something still due), open (not overdue), "
            "paid or void.",
        ),
    ] = None,
) -> Response:
    """Invoices in number order, each with its status today (``overdue`` while open past its
    due date with something still due)."""
    return feed.page(
        "invoice",
        actor,
        customer_id=customer_id,
        subscription_id=subscription_id,
        bill_run_id=bill_run_id,
        seller_id=seller_id,
        reference=reference,
        status=status,
    )


@router.get("/invoices/{invoice_id}", response_model=InvoiceOut, response_model_exclude_unset=True)
def get_invoice(
    invoice_id: str, reads: ReadSessions, actor: ReadsDocuments, clock: ClockDep
) -> Response:
    """The invoice with what is still due and its status today (``overdue``, with
    ``days_overdue``; ``disputed`` while the customer disputes it)."""
    return _document(reads, actor, clock, invoice_id, "invoice")


@router.post(
    "/invoices/{invoice_id}/payments",
    status_code=201,
    response_model=PaymentOut,
    response_model_exclude_unset=True,
)
def post_payment(
    invoice_id: str,
    body: PaymentCreate,
    session: SessionDep,
    actor: RecordsPayments,
    clock: ClockDep,
) -> dict[str, Any]:
    """Record a payment on an invoice (never more than is due); its status follows."""
    payment, invoice = record_payment(
        session,
        invoice_id=invoice_id,
        amount=body.amount,
        paid_on=body.paid_on,
        reference=body.reference,
    )
    return {
        "id": payment.id,
        "invoice_id": invoice.id,
        "amount": payment.amount,
        "paid_on": payment.paid_on.isoformat(),
        "reference": payment.reference,
        "recorded_by": payment.recorded_by,
        "invoice": document_out(session, invoice, today=clock.today_by_zone(session)),
    }


@router.get("/credit-notes", response_model=FeedPage)
def list_credit_notes(
    actor: ReadsDocuments,
    feed: Feed,
    customer_id: CustomerFilter = None,
    bill_run_id: BillRunFilter = None,
    seller_id: SellerFilter = None,
) -> Response:
    """The credit-note feed in posting order (per seller: each seller's series is gapless and
    in commit order); a cursor never skips or repeats."""
    return feed.page(
        "credit_note", actor, customer_id=customer_id, bill_run_id=bill_run_id, seller_id=seller_id
    )


@router.get(
    "/credit-notes/{credit_note_id}",
    response_model=CreditNoteOut,
    response_model_exclude_unset=True,
)
def get_credit_note(
    credit_note_id: str, reads: ReadSessions, actor: ReadsDocuments, clock: ClockDep
) -> Response:
    """One credit note: the lines it gives back and the invoice it credits."""
    return _document(reads, actor, clock, credit_note_id, "credit_note")


@router.get("/refunds", response_model=FeedPage)
def list_refunds(actor: ReadsDocuments, feed: Feed, customer_id: CustomerFilter = None) -> Response:
    """Refund instructions for the invoicing system, in posting order (cursor never skips)."""
    return feed.page("refund", actor, customer_id=customer_id)


@router.post("/bill-runs", status_code=201, response_model=BillRunOut)
def post_bill_run(
    body: BillRunCreate,
    factory: FactoryDep,
    actor: StaffActor,
    clock: ClockDep,
    settings: SettingsDep,
) -> BillRunOut:
    """Bill everything due on or before as_of: invoices and credit notes for every subscription
    and order. A run for the same as_of left unfinished (the database went away, the process
    died) is resumed: its batches not yet done are billed, nothing twice."""
    return bill_run_out(
        run_bill_run(
            factory, as_of=body.as_of, batch_size=settings.bill_run_batch_size, resume=True
        )
    )


@router.get("/bill-runs/{bill_run_id}", response_model=BillRunOut)
def get_bill_run(bill_run_id: str, factory: FactoryDep, actor: StaffActor) -> BillRunOut:
    """A run's totals so far, and the subscriptions it parked (each with its problem)."""
    return bill_run_out(result_of(factory, bill_run_id))
