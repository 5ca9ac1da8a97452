"""The answer about a bill run: ``POST /v1/bill-runs`` and ``GET /v1/bill-runs/{id}``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from billing.bill_runs.service import ID_LIST_CAP, BillRunResult


class ParkedOut(BaseModel):
    """A subscription the run could not bill: set aside, the rest billed; the next run tries it
    again."""

    subscription_id: str = Field(
        description="The subscription set aside.", examples=["sub_0193a1b2c3d4e5f6a7b8c9d0"]
    )
    code: str = Field(description="The problem's code, e.g. amount_too_large, invalid_timeline.")
    detail: str = Field(description="What is wrong, in words.")


class BillRunOut(BaseModel):
    id: str = Field(description="The bill run's id.", examples=["br_0193a1b2c3d4e5f6a7b8c9d0"])
    as_of: str = Field(description="YYYY-MM-DD: everything due on or before it was billed.")
    subscriptions: int = Field(description="Subscriptions the run went through.")
    invoices: list[str] = Field(description=f"The first {ID_LIST_CAP} invoices, by number.")
    credit_notes: list[str] = Field(description=f"The first {ID_LIST_CAP} credit notes.")
    invoice_count: int = Field(description="How many invoices the run issued.", examples=[12])
    credit_note_count: int = Field(
        description="How many credit notes the run issued.", examples=[1]
    )
    complete_lists: bool = Field(
        description="Whether the lists hold every document (else page them by bill_run_id)."
    )
    finished: bool = Field(description="Whether every batch of the run is done.")
    parked: list[ParkedOut] = Field(
        description=f"The first {ID_LIST_CAP} subscriptions the run parked, by id."
    )
    parked_count: int = Field(description="How many subscriptions the run parked.", examples=[0])
    started_by: str | None = Field(
        description="Who started the run: the person's id, else the API key's; "
        "system:bill-run for the command line and the scheduler (null for old runs). "
        "Its documents carry it as issued_by.",
        examples=["person_0193a1b2c3d4e5f6a7b8c9d0"],
    )


def bill_run_out(result: BillRunResult) -> BillRunOut:
    return BillRunOut(
        id=result.id,
        as_of=result.as_of.isoformat(),
        subscriptions=result.subscriptions,
        invoices=result.invoices,
        credit_notes=result.credit_notes,
        invoice_count=result.invoice_count,
        credit_note_count=result.credit_note_count,
        complete_lists=result.complete_lists,
        finished=result.finished,
        parked=[ParkedOut(**p.as_dict()) for p in result.parked],
        parked_count=result.parked_count,
        started_by=result.started_by,
    )
