"""The task inbox: the open follow-up tasks (a leaving meeting to book, a cancellation to
call about, onboarding steps), earliest due first as the service pages them, each linked to
its customer and subscription, and marked done by the staff member who did it (the same
service function as ``POST /v1/tasks/{id}/complete``)."""

from __future__ import annotations

from babel.dates import format_date
from fastapi import APIRouter
from fastapi.responses import Response

from billing.console.changes import DeskDep
from billing.console.problems import refusal
from billing.console.trail import confirming
from billing.console.web import Csrf, check_csrf, go, page, reading
from billing.domain.errors import DomainError
from billing.tasks import repository as tasks_repo
from billing.tasks.service import complete_task

router = APIRouter(include_in_schema=False)
PAGE = 50


def inbox(desk: DeskDep, *, status: int = 200, error: str | None = None) -> Response:
    after = desk.request.query_params.get("after") or None
    with reading(desk.read) as session:
        rows = tasks_repo.tasks_page(
            session, subscription_id=None, customer_id=None, status="open", after=after, limit=PAGE
        )
    tasks = [
        {
            "id": t.id,
            "title": t.title,
            "kind": t.kind,
            "due": format_date(t.due_date, "medium", locale=desk.lang.babel_locale),
            "customer_id": t.customer_id,
            "subscription_id": t.subscription_id,
        }
        for t in rows
    ]
    context = {
        "staff": desk.staff,
        "tasks": tasks,
        "next": rows[-1].id if len(rows) == PAGE else None,
        "notice": desk.request.query_params.get("done"),
        "error": error,
    }
    return page(desk.request, "tasks.html", context, status)


@router.get("/tasks")
def tasks(desk: DeskDep) -> Response:
    return inbox(desk)


@router.post("/tasks/{task_id}/complete")
def complete(desk: DeskDep, task_id: str, csrf: Csrf) -> Response:
    check_csrf(desk.staff, csrf)
    try:
        with confirming(desk.request, desk.staff.actor, desk.write) as session:
            complete_task(session, desk.staff.actor, task_id)
    except DomainError as exc:
        return inbox(desk, status=exc.status, error=refusal(desk.lang, exc))
    return go(desk.request, "/tasks?done=1")
