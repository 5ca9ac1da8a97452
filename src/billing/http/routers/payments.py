"""Bank files of payments by reference, and the queue of payments that matched nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from billing.http.deps import SessionDep
from billing.http.permissions import RecordsPayments, StaffActor
from billing.payments import service
from billing.payments.records import FileFormat
from billing.payments.schemas import (
    AllocationCreate,
    BankPaymentOut,
    BankPaymentPage,
    PaymentFileOut,
)

router = APIRouter(tags=["payments"])

_FILE_BODY = {
    "requestBody": {
        "required": True,
        "description": "The bank file as the bank delivered it (bytes, any content type).",
        "content": {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in ("application/octet-stream", "text/plain", "application/xml")
        },
    }
}


async def file_content(request: Request) -> bytes:
    """The request body, raw: a bank file is bytes (ISO 8859-1 or XML), not JSON."""
    return await request.body()


@router.post(
    "/payment-files",
    status_code=201,
    response_model=PaymentFileOut,
    openapi_extra=_FILE_BODY,
    responses={
        200: {
            "model": PaymentFileOut,
            "description": "The file was imported before: its first result again.",
        }
    },
)
def import_payment_file(
    session: SessionDep,
    actor: RecordsPayments,
    response: Response,
    content: Annotated[bytes, Depends(file_content)],
    format: Annotated[
        FileFormat | None,
        Query(description="bgmax, ocr_giro or camt054; without it, read from the file."),
    ] = None,
) -> dict[str, Any]:
    """Import a BgMax, OCR giro or camt.054 file: each payment matched by its reference. The
    whole file or nothing (``bank_file_invalid``, ``bank_file_checksum``,
    ``bank_file_format``, naming the line or element); a file imported before answers 200
    with its first result and imports nothing."""
    imported = service.import_file(session, content, format)
    if not imported.new:
        response.status_code = 200
    return imported.result


@router.get("/payments/unmatched", response_model=BankPaymentPage)
def list_unmatched(
    session: SessionDep,
    actor: StaffActor,
    after: Annotated[
        str | None,
        Query(description="The next_cursor of the previous page (leave out first)."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many payments.")] = 100,
) -> dict[str, Any]:
    """Bank payments that still hold money: unknown reference, another currency than the
    invoice's, a void invoice, no reference."""
    return service.unmatched(session, after=after, limit=limit)


@router.post("/payments/unmatched/{bank_payment_id}/allocate", response_model=BankPaymentOut)
def allocate_unmatched(
    bank_payment_id: str, body: AllocationCreate, session: SessionDep, actor: StaffActor
) -> dict[str, Any]:
    """Put part or all of a queued payment to an invoice of its currency (never more than
    it holds): what is due is paid, the rest kept as the customer's credit."""
    return service.allocate(
        session, bank_payment_id, invoice_id=body.invoice_id, amount=body.amount
    )
