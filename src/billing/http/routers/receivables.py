"""Accounts receivable: a customer's statement (JSON, HTML, PDF) and the aging of all accounts.

The ``.html`` and ``.pdf`` routes are declared before the JSON statement (and no route of the
customers router takes a path below ``/customers/{id}/``), so ``statement.pdf`` is always the
rendering. The statement is read by whoever reads the
customer (a portal key only its own: another customer's answers 404); the aging spans every
customer and is for staff and integrations only (:data:`READS_RECEIVABLES`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from billing.auth.service import Actor, Role
from billing.http.deps import ClockDep, SessionDep
from billing.http.permissions import Capability, ReadsCustomers
from billing.http.problems import JSON_OR_CSV
from billing.receivables.render import statement_html, statement_pdf
from billing.receivables.schemas import AgingOut, StatementOut
from billing.receivables.service import CustomerStatement, customer_statement, receivables_aging
from billing.receivables.views import aging_csv, aging_json, statement_json
from billing.schemas_common import Day

router = APIRouter(tags=["receivables"])

READS_RECEIVABLES = Capability(
    "read the receivables of all customers", Role.STAFF, Role.INTEGRATION
)
#: Staff and integration: every customer's open amounts (the back office and the business's
#: own bookkeeping); a portal key sees its own customer's statement only.
ReadsReceivables = Annotated[Actor, Depends(READS_RECEIVABLES)]

From = Annotated[
    Day | None,
    Query(
        alias="from",
        description="The first day of the statement (ISO date, included); absent: the customer's "
        "first movement.",
        examples=["2025-01-01"],
    ),
]
To = Annotated[
    Day | None,
    Query(
        alias="to",
        description="The last day of the statement (ISO date, included); absent: today in the "
        "customer's time zone.",
        examples=["2025-03-31"],
    ),
]
Currency = Annotated[
    str | None,
    Query(
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code of the account to show; absent: the customer's currency.",
        examples=["SEK"],
    ),
]

_HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}}}
_PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}
}


def _statement(
    session: SessionDep,
    actor: ReadsCustomers,
    clock: ClockDep,
    customer_id: str,
    start: From = None,
    end: To = None,
    currency: Currency = None,
) -> CustomerStatement:
    return customer_statement(
        session, actor, clock, customer_id, start=start, end=end, currency=currency
    )


StatementDep = Annotated[CustomerStatement, Depends(_statement)]


@router.get("/customers/{customer_id}/statement.html", response_class=HTMLResponse, responses=_HTML)
def get_statement_html(statement: StatementDep) -> HTMLResponse:
    """The statement (kontoutdrag) as an HTML page in the customer's language."""
    return HTMLResponse(statement_html(statement))


@router.get("/customers/{customer_id}/statement.pdf", response_class=Response, responses=_PDF)
def get_statement_pdf(statement: StatementDep) -> Response:
    """The statement (kontoutdrag) as a PDF file in the customer's language."""
    filename = f"statement-{statement.statement.end.isoformat()}.pdf"
    return Response(
        statement_pdf(statement),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@router.get("/customers/{customer_id}/statement", response_model=StatementOut)
def get_statement(statement: StatementDep) -> dict[str, Any]:
    """The customer's account from ``from`` through ``to`` (both included; ``to`` defaults to
    today): opening balance, movements with their running balance, closing balance and what
    it is made of, open items with their due dates, days overdue and aging bucket."""
    return statement_json(statement)


@router.get("/receivables/aging", response_model=AgingOut, responses=JSON_OR_CSV)
def get_aging(
    session: SessionDep,
    actor: ReadsReceivables,
    clock: ClockDep,
    as_of: Annotated[
        Day | None,
        Query(
            description="The day to age on (ISO date); absent: today (UTC).",
            examples=["2025-03-31"],
        ),
    ] = None,
    format: Annotated[
        Literal["json", "csv"],
        Query(description="json (default) or csv (text/csv, one row per customer and currency)."),
    ] = "json",
) -> Any:
    """What every customer owes per currency on ``as_of`` (default today, UTC), by aging
    bucket, with the overdue total, customer credit and unallocated credit."""
    aging = receivables_aging(session, clock, as_of=as_of)
    if format == "csv":
        return PlainTextResponse(
            aging_csv(aging),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="aging-{aging.as_of.isoformat()}.csv"'
            },
        )
    return aging_json(aging)
