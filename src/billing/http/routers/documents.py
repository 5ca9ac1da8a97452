"""Invoices, the credit-note feed, payments and bill runs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from billing.bill_runs.service import run_bill_run
from billing.domain.errors import InvalidInput
from billing.events.schemas import FeedPage
from billing.http.deps import ClockDep, FactoryDep, SessionDep
from billing.http.permissions import ReadsDocuments, RecordsPayments, StaffActor
from billing.invoicing import repository
from billing.invoicing.service import record_payment
from billing.invoicing.views import document_out, documents_out
from billing.schemas_common import Day, Name, PositiveAmount, Request

router = APIRouter(tags=["documents"])

Limit = Annotated[int, Query(ge=1, le=500)]


class BillRunCreate(Request):
    as_of: Day


class PaymentCreate(Request):
    amount: PositiveAmount
    paid_on: Day
    reference: Name | None = None


def _cursor(after: str | None) -> int | None:
    if after is None:
        return None
    if not after.isdigit() or len(after) > 18:
        raise InvalidInput("after is a cursor from next_cursor", code="invalid_cursor")
    return int(after)


def _page(
    session: SessionDep,
    *,
    doc_type: str,
    after: str | None,
    limit: int,
    customer_id: str | None,
    customer_scope: str | None,
    subscription_id: str | None = None,
    bill_run_id: str | None = None,
) -> dict[str, Any]:
    rows = repository.documents_page(
        session,
        doc_type=doc_type,
        after_number=_cursor(after),
        limit=limit,
        customer_id=customer_id,
        subscription_id=subscription_id,
        bill_run_id=bill_run_id,
        customer_scope=customer_scope,
    )
    # next_cursor is null once the feed is drained; resume_cursor is where to poll from next
    # time (the last document seen, or the cursor given when there was nothing new): see
    # billing.events.schemas for the reading loop.
    return {
        "data": documents_out(session, rows),
        "next_cursor": str(rows[-1].number) if len(rows) == limit else None,
        "resume_cursor": str(rows[-1].number) if rows else after,
    }


@router.get("/invoices", response_model=FeedPage)
def list_invoices(
    session: SessionDep,
    actor: ReadsDocuments,
    customer_id: str | None = None,
    subscription_id: str | None = None,
    bill_run_id: str | None = None,
    after: str | None = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    return _page(
        session,
        doc_type="invoice",
        after=after,
        limit=limit,
        customer_id=customer_id,
        customer_scope=actor.customer_scope,
        subscription_id=subscription_id,
        bill_run_id=bill_run_id,
    )


@router.get("/invoices/{invoice_id}")
def get_invoice(invoice_id: str, session: SessionDep, actor: ReadsDocuments) -> dict[str, Any]:
    doc = repository.get_document(
        session, invoice_id, "invoice", customer_scope=actor.customer_scope
    )
    return document_out(session, doc)


@router.post("/invoices/{invoice_id}/payments", status_code=201)
def post_payment(
    invoice_id: str, body: PaymentCreate, session: SessionDep, actor: RecordsPayments
) -> dict[str, Any]:
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
        "invoice": document_out(session, invoice),
    }


@router.get("/credit-notes", response_model=FeedPage)
def list_credit_notes(
    session: SessionDep,
    actor: ReadsDocuments,
    customer_id: str | None = None,
    bill_run_id: str | None = None,
    after: str | None = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    """The credit-note feed in posting order; a cursor never skips or repeats."""
    return _page(
        session,
        doc_type="credit_note",
        after=after,
        limit=limit,
        customer_id=customer_id,
        customer_scope=actor.customer_scope,
        bill_run_id=bill_run_id,
    )


@router.get("/credit-notes/{credit_note_id}")
def get_credit_note(
    credit_note_id: str, session: SessionDep, actor: ReadsDocuments
) -> dict[str, Any]:
    doc = repository.get_document(
        session, credit_note_id, "credit_note", customer_scope=actor.customer_scope
    )
    return document_out(session, doc)


@router.get("/refunds", response_model=FeedPage)
def list_refunds(
    session: SessionDep,
    actor: ReadsDocuments,
    customer_id: str | None = None,
    after: str | None = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    """Refund instructions for the invoicing system, in posting order (cursor never skips)."""
    return _page(
        session,
        doc_type="refund",
        after=after,
        limit=limit,
        customer_id=customer_id,
        customer_scope=actor.customer_scope,
    )


@router.post("/bill-runs", status_code=201)
def post_bill_run(
    body: BillRunCreate, factory: FactoryDep, actor: StaffActor, clock: ClockDep
) -> dict[str, Any]:
    result = run_bill_run(factory, as_of=body.as_of)
    return {
        "id": result.id,
        "as_of": result.as_of.isoformat(),
        "subscriptions": result.subscriptions,
        "invoices": result.invoices,
        "credit_notes": result.credit_notes,
        # The lists stop at bill_runs.service.ID_LIST_CAP; page the rest by bill_run_id.
        "invoice_count": result.invoice_count,
        "credit_note_count": result.credit_note_count,
        "complete_lists": result.complete_lists,
    }
