"""A bill run records who started it, and its documents and feed events carry it: the person
(or API key) that called ``POST /v1/bill-runs``, or ``system:bill-run`` for the command line
and the scheduler — whichever worker posts a batch (a command-line worker joining a run a
person started issues her documents)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from billing.auth.service import Actor, Role
from billing.bill_runs.service import SYSTEM_ACTOR, result_of, run_bill_run, start_bill_run
from billing.bill_runs.worker import work
from billing.http.trail import attributed
from billing.storage.models import BillRun, Document
from tests.api.helpers import api_key, ok, setup
from tests.api.test_people import add_person, events_of, signed_in
from tests.conftest import Api


def issued(api: Api, run_id: str) -> list[tuple[str, str | None]]:
    """(type, issued_by) of the run's documents."""
    with Session(api.client.app.state.engine) as session:
        q = select(Document.type, Document.issued_by).where(Document.bill_run_id == run_id)
        return [(t, by) for t, by in session.execute(q)]


def factory_of(api: Api) -> sessionmaker[Session]:
    """The app's own session factory: sessions with no caller, as the command line's."""
    return api.client.app.state.session_factory  # type: ignore[no-any-return]


def two_customers(api: Api) -> None:
    setup(api, today="2025-04-02", unit_amount=24995)
    other = api.customer(name="Andra AB")
    api.subscription(other, api.plan(unit_amount=10000), start_date="2025-04-02")


def test_a_run_started_through_the_api_is_the_callers(api: Api) -> None:
    two_customers(api)
    add_person(api, "Anna Berg", "anna@example.se")
    anna_api, anna = signed_in(api, "anna@example.se")
    run = ok(anna_api.post("/v1/bill-runs", {"as_of": "2025-04-02"}), 201)
    assert run["started_by"] == anna["id"] and run["invoice_count"] == 2
    assert issued(api, run["id"]) == [("invoice", anna["id"])] * 2
    for invoice_id in run["invoices"]:
        assert ok(api.get(f"/v1/invoices/{invoice_id}"))["issued_by"] == anna["id"]
    issued_events = events_of(api, type="invoice.issued")
    assert [e["actor"] for e in issued_events] == [anna["id"]] * 2
    assert ok(api.get(f"/v1/bill-runs/{run['id']}"))["started_by"] == anna["id"]

    # A service key's run is the key's.
    key = api_key(api, "staff")
    api.today("2025-05-02")
    run = ok(key.post("/v1/bill-runs", {"as_of": "2025-05-02"}), 201)
    key_id = ok(key.get("/v1/audit-log", params={"limit": 1000}))["data"][-1]["actor"]
    assert key_id.startswith("key_") and run["started_by"] == key_id
    assert {by for _, by in issued(api, run["id"])} == {key_id}


def test_a_run_from_the_command_line_is_the_systems(api: Api) -> None:
    two_customers(api)
    result = run_bill_run(factory_of(api), as_of=date(2025, 4, 2))
    assert result.started_by == SYSTEM_ACTOR == "system:bill-run"
    assert issued(api, result.id) == [("invoice", SYSTEM_ACTOR)] * 2
    assert {e["actor"] for e in events_of(api, type="invoice.issued")} == {SYSTEM_ACTOR}
    with Session(api.client.app.state.engine) as session:
        assert session.get(BillRun, result.id).started_by == SYSTEM_ACTOR  # type: ignore[union-attr]


def test_a_worker_joining_a_persons_run_issues_her_documents(api: Api) -> None:
    two_customers(api)
    anna = add_person(api, "Anna Berg", "anna@example.se")
    hers = attributed(factory_of(api), Actor("key_x", Role.STAFF, None, anna["id"]))
    run_id, resumed = start_bill_run(hers, as_of=date(2025, 4, 2), batch_size=1)
    assert not resumed
    work(factory_of(api), run_id, as_of=date(2025, 4, 2))  # a command-line worker, no caller
    result: Any = result_of(factory_of(api), run_id)
    assert result.finished and result.started_by == anna["id"]
    assert issued(api, run_id) == [("invoice", anna["id"])] * 2
