"""Exports to the books: the SIE typ 4 journal of a seller's period, and the seller's chart of
accounts it is booked to.

The file and the chart are read by staff and integrations (:data:`EXPORTS_BOOKS`: the
business's own bookkeeping pulls them); only staff change the chart.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from billing.auth.service import Actor, Role
from billing.exports.service import chart_entries, export_sie, put_chart
from billing.http.deps import ClockDep, SessionDep
from billing.http.permissions import Capability, StaffActor
from billing.schemas_common import Day

router = APIRouter(tags=["exports"])

EXPORTS_BOOKS = Capability("export to the books", Role.STAFF, Role.INTEGRATION)
ExportsBooks = Annotated[Actor, Depends(EXPORTS_BOOKS)]

_SIE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A SIE typ 4 file (code page 437, CR LF).",
        "content": {"text/plain; charset=IBM437": {"schema": {"type": "string"}}},
    }
}


class ChartEntry(BaseModel):
    key: str = Field(max_length=120, examples=["revenue:standard:2500", "plan:pl_123"])
    account: str = Field(max_length=10, examples=["3001"])
    name: str = Field(max_length=100, examples=["Försäljning inom Sverige, 25 % moms"])


class ChartIn(BaseModel):
    """The seller's changes to the BAS defaults; replaces those given before."""

    accounts: list[ChartEntry] = Field(max_length=1000)


@router.get("/exports/sie", response_class=Response, responses=_SIE)
def get_sie(
    session: SessionDep,
    actor: ExportsBooks,
    clock: ClockDep,
    start: Annotated[Day, Query(alias="from")],
    end: Annotated[Day, Query(alias="to")],
    seller: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """The journal of ``from`` through ``to`` (both included, at most 13 months) of the seller
    (default: the default seller) as a SIE typ 4 file: one verification per invoice, credit
    note, payment and refund, balanced to the öre, booked to the seller's chart of accounts."""
    export = export_sie(
        session,
        seller_id=seller,
        start=start,
        end=end,
        today=clock.today(session, "Europe/Stockholm"),
    )
    return Response(
        export.content,
        media_type="text/plain; charset=IBM437",
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )


@router.get("/sellers/{seller_id}/accounts")
def get_accounts(seller_id: str, session: SessionDep, actor: ExportsBooks) -> dict[str, Any]:
    """Every key of the seller's chart with its account: the BAS default or the seller's own
    (``changed``)."""
    return {"seller_id": seller_id, "accounts": chart_entries(session, seller_id)}


@router.put("/sellers/{seller_id}/accounts")
def put_accounts(
    seller_id: str, body: ChartIn, session: SessionDep, actor: StaffActor
) -> dict[str, Any]:
    """Replace the seller's changes to the defaults (an empty list: the BAS defaults again)."""
    put_chart(session, seller_id, [(e.key, e.account, e.name) for e in body.accounts])
    return {"seller_id": seller_id, "accounts": chart_entries(session, seller_id)}
