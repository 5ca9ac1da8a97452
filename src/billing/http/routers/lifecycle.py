"""Contract rules in use: the cancellation brief, retention offers, add-ons, four eyes, the
scheduler, follow-up tasks and the monthly terminations report."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from billing.http.answers import ChangeCall
from billing.http.deps import ClockDep, FactoryDep, PageParams, SessionDep
from billing.http.permissions import StaffActor
from billing.http.problems import JSON_OR_CSV
from billing.retention.quote import CancellationQuote
from billing.retention.schemas import RetentionOffer
from billing.retention.service import apply_retention_offer, cancellation_quote
from billing.schemas_common import Day
from billing.storage.models import Task
from billing.subscriptions import service
from billing.subscriptions.responses import ChangeOut
from billing.subscriptions.schemas import AddOnAttach, AddOnDetach
from billing.tasks import repository as tasks_repo
from billing.tasks.schemas import TaskOut, TaskPage
from billing.tasks.service import complete_task
from billing.terminations.report import terminations_report
from billing.terminations.schemas import SchedulerRunOut, TerminationsReportOut
from billing.terminations.service import run_scheduler, verify_cancellation

router = APIRouter(tags=["contracts and terminations"])


@router.get("/subscriptions/{subscription_id}/cancellation-quote", response_model=CancellationQuote)
def get_cancellation_quote(
    subscription_id: str,
    session: SessionDep,
    actor: StaffActor,
    clock: ClockDep,
    requested_on: Annotated[
        Day | None, Query(description="The day notice would be given (default: today).")
    ] = None,
) -> dict[str, Any]:
    """The cancellation brief: time left on the contract, the notice deadline, the earliest
    end and the money of ending then, the balances, add-ons and the retention offers allowed."""
    return cancellation_quote(session, actor, clock, subscription_id, requested_on=requested_on)


@router.post("/subscriptions/{subscription_id}/retention-offers", response_model=ChangeOut)
def post_retention_offer(
    subscription_id: str, body: RetentionOffer, actor: StaffActor, call: ChangeCall
) -> Any:
    """Apply retention offers together (within the cancellation quote's limits); the pending
    cancellation is withdrawn."""
    return call.run(
        apply_retention_offer, actor, subscription_id, body, expected_version=call.version
    )


@router.post("/subscriptions/{subscription_id}/addons", response_model=ChangeOut)
def post_addon(subscription_id: str, body: AddOnAttach, actor: StaffActor, call: ChangeCall) -> Any:
    """Attach an add-on from a date."""
    return call.run(
        service.attach_addon, actor, subscription_id, body, expected_version=call.version
    )


@router.post("/subscriptions/{subscription_id}/addons/{code}/detach", response_model=ChangeOut)
def post_addon_detach(
    subscription_id: str, code: str, body: AddOnDetach, actor: StaffActor, call: ChangeCall
) -> Any:
    """Detach an add-on from a date."""
    return call.run(
        service.detach_addon, actor, subscription_id, code, body, expected_version=call.version
    )


@router.post("/subscriptions/{subscription_id}/cancel/verify", response_model=ChangeOut)
def post_verify(subscription_id: str, actor: StaffActor, call: ChangeCall) -> Any:
    """Verify another person's four-eyes cancellation (the one who gave notice may not)."""
    return call.run(
        verify_cancellation, actor, subscription_id, None, expected_version=call.version
    )


def _task_out(t: Task) -> dict[str, Any]:
    return {
        "id": t.id,
        "subscription_id": t.subscription_id,
        "customer_id": t.customer_id,
        "kind": t.kind,
        "title": t.title,
        "due_date": t.due_date.isoformat(),
        "status": t.status,
        "completed_at": t.completed_at.isoformat() if t.completed_at else None,
        "completed_by": t.completed_by,
    }


@router.get("/tasks", response_model=TaskPage)
def list_tasks(
    session: SessionDep,
    actor: StaffActor,
    page: PageParams,
    subscription_id: Annotated[
        str | None, Query(description="Only the tasks of this subscription.")
    ] = None,
    customer_id: Annotated[
        str | None, Query(description="Only the tasks of this customer.")
    ] = None,
    status: Annotated[
        Literal["open", "done", "cancelled"] | None,
        Query(description="Only tasks in this status: open, done or cancelled."),
    ] = None,
) -> dict[str, Any]:
    """The back office's tasks (e.g. follow-ups of terminations), by subscription, customer or
    status, a page at a time."""
    rows = tasks_repo.tasks_page(
        session,
        subscription_id=subscription_id,
        customer_id=customer_id,
        status=status,
        after=page.after,
        limit=page.limit,
    )
    return page.answer(rows, [_task_out(t) for t in rows])


@router.post("/tasks/{task_id}/complete", response_model=TaskOut)
def post_complete_task(task_id: str, session: SessionDep, actor: StaffActor) -> dict[str, Any]:
    """Mark a task done; the feed says who completed it."""
    return _task_out(complete_task(session, actor, task_id))


@router.post("/scheduler/run", response_model=SchedulerRunOut)
def post_scheduler_run(factory: FactoryDep, actor: StaffActor, clock: ClockDep) -> Any:
    """Run one scheduler pass now (``billing scheduler`` runs it periodically)."""
    return run_scheduler(factory, clock)


REPORT_COLUMNS = [
    "subscription_id",
    "customer_id",
    "customer_name",
    "end_date",
    "last_served_day",
    "requested_on",
    "mode",
    "reason",
    "competitor_offer",
    "competitor_details",
    "approved_by",
    "recorded_by",
    "recorded_at",
    "verified_by",
    "currency",
    "billed",
    "credited",
    "net",
]


@router.get("/reports/terminations", response_model=TerminationsReportOut, responses=JSON_OR_CSV)
def get_terminations_report(
    session: SessionDep,
    actor: StaffActor,
    clock: ClockDep,
    # ASCII digits: \d also takes other scripts' digits, which int() reads.
    month: Annotated[
        str,
        Query(
            pattern=r"^[0-9]{4}-[0-9]{2}$",
            description="The month (YYYY-MM) whose end dates (first days not served) to list.",
            examples=["2025-03"],
        ),
    ],
    format: Annotated[
        Literal["json", "csv"], Query(description="json (default) or csv (text/csv).")
    ] = "json",
) -> Any:
    """The subscriptions that end in a month (YYYY-MM): who leaves and when, as JSON or CSV."""
    rows = terminations_report(session, month)
    if format == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=REPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
        return PlainTextResponse(
            buf.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="terminations-{month}.csv"'},
        )
    # The service's today, not the host's: the test clock's date when one is set. The report
    # spans customers in many time zones, so without a test clock it is the date in UTC.
    generated_on = clock.today(session, "UTC")
    return {"month": month, "generated_on": generated_on.isoformat(), "data": rows}
