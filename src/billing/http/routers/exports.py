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
from billing.http.problems import PROBLEM, Problem
from billing.schemas_common import Day, Request

router = APIRouter(tags=["exports"])

EXPORTS_BOOKS = Capability("export to the books", Role.STAFF, Role.INTEGRATION)
ExportsBooks = Annotated[Actor, Depends(EXPORTS_BOOKS)]

_SIE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A SIE typ 4 file (code page 437, CR LF); Content-Disposition names "
        "it as an attachment",
        "content": {
            "text/plain; charset=IBM437": {
                "schema": {"type": "string"},
                "example": "\r\n".join(
                    (
                        "#FLAGGA 0",
                        "#FORMAT PC8",
                        "#SIETYP 4",
                        "#PROGRAM billing 0.1.0",
                        "#GEN 20250531",
                        '#FNAMN "Hälsokontroll Sverige AB"',
                        "#ORGNR 556036-0793",
                        "#RAR 0 20250101 20251231",
                        "#VALUTA SEK",
                        "#KONTO 1510 Kundfordringar",
                        "#KTYP 1510 T",
                        '#VER F 1 20250501 "Faktura SE-INV-000001"',
                        "{",
                        "   #TRANS 1510 {} 125.00",
                        "   #TRANS 3001 {} -100.00",
                        "   #TRANS 2611 {} -25.00",
                        "}",
                        "",
                    )
                ),
            }
        },
    },
    404: {
        "model": Problem,
        "content": {PROBLEM: {}},
        "description": "No such seller (seller_not_found)",
    },
    409: {
        "model": Problem,
        "content": {PROBLEM: {}},
        "description": "Something in the period has no booking rule yet (export_credit_kind)",
    },
    422: {
        "model": Problem,
        "content": {PROBLEM: {}},
        "description": "from after to (export_range_reversed), more than 13 months "
        "(export_range_too_long), a seller outside Sweden (export_seller_country), documents "
        "not in SEK (export_currency), an account missing for a key (account_missing); "
        "nothing is written",
    },
}


class ChartEntry(Request):
    key: str = Field(
        max_length=120,
        examples=["revenue:standard:2500", "plan:pl_123"],
        description=(
            "What is booked: revenue:<tax code>:<rate in hundredths of a percent>, plan:<plan "
            "id>, or the BAS default's other keys."
        ),
    )
    account: str = Field(
        max_length=10, examples=["3001"], description="The BAS account number it is booked to."
    )
    name: str = Field(
        max_length=100,
        examples=["Försäljning inom Sverige, 25 % moms"],
        description="The account's name in the SIE file.",
    )


class ChartEntryOut(BaseModel):
    """One key of the seller's chart and the account it is booked to."""

    key: str = Field(
        description="What is booked (as ChartEntry.key).", examples=["revenue:standard:2500"]
    )
    account: str = Field(description="The BAS account number.", examples=["3001"])
    name: str = Field(description="The account's name in the SIE file.")
    changed: bool = Field(description="Whether the seller changed it (false: the BAS default).")


class ChartOut(BaseModel):
    """The seller's whole chart: every key with its account."""

    seller_id: str = Field(description="The seller.", examples=["sel_0193a1b2c3d4e5f6a7b8c9d0"])
    accounts: list[ChartEntryOut] = Field(description="Every key of the chart, with its account.")


class ChartIn(Request):
    """The seller's changes to the BAS defaults; replaces those given before."""

    accounts: list[ChartEntry] = Field(
        max_length=1000,
        description="The accounts that differ from the BAS defaults (at most 1000).",
    )


@router.get(
    "/exports/sie",
    response_class=Response,
    responses=_SIE,
    summary="The books of a period as a SIE typ 4 file",
)
def get_sie(
    session: SessionDep,
    actor: ExportsBooks,
    clock: ClockDep,
    start: Annotated[
        Day,
        Query(
            alias="from",
            description="The first day of the period (ISO date, included).",
            examples=["2025-01-01"],
        ),
    ],
    end: Annotated[
        Day,
        Query(
            alias="to",
            description="The last day of the period (ISO date, included; at most 13 months "
            "after from).",
            examples=["2025-12-31"],
        ),
    ],
    seller: Annotated[
        str | None,
        Query(
            max_length=40,
            description="The seller whose books to export; absent: the default seller.",
            examples=["sel_0193a1b2c3d4e5f6a7b8c9d0"],
        ),
    ] = None,
) -> Response:
    """The journal of ``from`` through ``to`` (both included, at most 13 months) of the seller
    (default: the default seller) as a SIE typ 4 file: one verification per invoice, credit
    note, payment and refund, balanced to the öre, booked to the seller's chart of accounts
    (``GET /v1/sellers/{id}/accounts``; the BAS defaults where the seller changed nothing).
    api/formats.md lists the accounts and what each verification books."""
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


@router.get("/sellers/{seller_id}/accounts", response_model=ChartOut)
def get_accounts(seller_id: str, session: SessionDep, actor: ExportsBooks) -> dict[str, Any]:
    """Every key of the seller's chart with its account: the BAS default or the seller's own
    (``changed``)."""
    return {"seller_id": seller_id, "accounts": chart_entries(session, seller_id)}


@router.put("/sellers/{seller_id}/accounts", response_model=ChartOut)
def put_accounts(
    seller_id: str, body: ChartIn, session: SessionDep, actor: StaffActor
) -> dict[str, Any]:
    """Replace the seller's changes to the defaults (an empty list: the BAS defaults again)."""
    put_chart(session, seller_id, [(e.key, e.account, e.name) for e in body.accounts])
    return {"seller_id": seller_id, "accounts": chart_entries(session, seller_id)}
