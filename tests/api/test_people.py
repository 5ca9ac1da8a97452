"""People sign in as themselves, and what they do is theirs: events, documents, payments and
the activity log name the person (two people, each write attributed to the right one)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.api.helpers import PROBLEM, bill, ok
from tests.conftest import Api, add_test_seller
from tests.unchanged import row_counts

PASSWORD = "correct horse battery staple"


def add_person(api: Api, name: str, login: str, **body: Any) -> dict[str, Any]:
    body = {"name": name, "login": login, "role": "staff", "password": PASSWORD, **body}
    return ok(api.post("/v1/people", body), 201)  # type: ignore[no-any-return]


def signed_in(api: Api, login: str, password: str = PASSWORD) -> tuple[Api, dict[str, Any]]:
    r = api.client.post("/v1/sessions", json={"login": login, "password": password})
    answer = ok(r, 201)
    return api.as_token(answer["token"]), answer["person"]


def events_of(api: Api, **params: Any) -> list[dict[str, Any]]:
    return ok(api.get("/v1/events", params={"limit": 1000, **params}))["data"]  # type: ignore[no-any-return]


def audit(api: Api, **params: Any) -> list[dict[str, Any]]:
    return ok(api.get("/v1/audit-log", params={"limit": 1000, **params}))["data"]  # type: ignore[no-any-return]


def test_two_people_each_write_is_attributed(api: Api) -> None:
    api.today("2025-04-02")
    add_person(api, "Anna Berg", "Anna.Berg@example.se")
    add_person(api, "Bo Lind", "bo.lind@example.se")
    anna_api, anna = signed_in(api, "anna.berg@EXAMPLE.se")  # logins compare lower-case
    bo_api, bo = signed_in(api, "bo.lind@example.se")
    assert anna["login"] == "anna.berg@example.se" and anna["has_password"]

    customer = anna_api.customer(name="Fjällbacka AB")
    plan = bo_api.plan(unit_amount=30000)
    sub = bo_api.subscription(customer, plan, start_date="2025-04-02")
    bill(anna_api, "2025-04-02")
    invoice = ok(api.get("/v1/invoices", params={"customer_id": customer["id"]}))["data"][0]
    payment = ok(
        anna_api.post(
            f"/v1/invoices/{invoice['id']}/payments", {"amount": 1000, "paid_on": "2025-04-03"}
        ),
        201,
    )
    assert payment["recorded_by"] == anna["id"]
    cancel = f"/v1/subscriptions/{sub['id']}/cancel"
    ok(bo_api.post(cancel, {"mode": "on_date", "date": "2025-04-20"}))
    credit = ok(api.get("/v1/credit-notes", params={"customer_id": customer["id"]}))["data"][0]
    assert credit["issued_by"] == bo["id"]  # the cancellation issued it
    assert ok(api.get(f"/v1/credit-notes/{credit['id']}"))["issued_by"] == bo["id"]

    by_type = {e["type"]: e["actor"] for e in events_of(api, customer_id=customer["id"])}
    assert by_type["subscription.started"] == bo["id"]
    assert by_type["subscription.cancellation_scheduled"] == bo["id"]
    assert by_type["task.opened"] == bo["id"]
    assert by_type["payment.recorded"] == anna["id"]
    assert by_type["credit_note.issued"] == bo["id"]
    # The timeline's author is the person too (so a four-eyes check compares people).
    timeline = ok(api.get(f"/v1/subscriptions/{sub['id']}/timeline"))
    authors = {e["recorded_by"] for e in timeline["events"]}
    assert authors == {f"staff:{bo['id']}"}

    log = audit(api, customer_id=customer["id"])
    seen = [(e["actor"], e["operation"], e["subject_id"]) for e in log]
    assert seen == [
        (anna["id"], "POST /v1/customers", customer["id"]),
        (bo["id"], "POST /v1/subscriptions", sub["id"]),
        (anna["id"], "POST /v1/invoices/{invoice_id}/payments", payment["id"]),
        (bo["id"], "POST /v1/subscriptions/{subscription_id}/cancel", sub["id"]),
    ]
    assert all(e["person_id"] == e["actor"] and e["customer_id"] == customer["id"] for e in log)
    whole = audit(api)
    operations = [(e["actor"], e["operation"]) for e in whole]
    assert (bo["id"], "POST /v1/plans") in operations
    assert (anna["id"], "POST /v1/bill-runs") in operations
    # The admin's own writes are the bootstrap key's, and no person's.
    first = whole[0]
    assert (first["actor"], first["person_id"]) == ("key_bootstrap_admin", None)
    assert [e["seq"] for e in whole] == sorted(e["seq"] for e in whole)


def test_audit_log_pages_by_cursor_and_refuses_bad_cursors(api: Api) -> None:
    for n in range(5):
        api.customer(name=f"Kund {n} AB")
    everything = audit(api)
    first = ok(api.get("/v1/audit-log", params={"limit": 2}))
    assert [e["seq"] for e in first["data"]] == [e["seq"] for e in everything[:2]]
    assert first["next_cursor"] == str(everything[1]["seq"])
    rest = ok(api.get("/v1/audit-log", params={"after": first["resume_cursor"], "limit": 1000}))
    assert rest["data"] == everything[2:] and rest["next_cursor"] is None
    assert rest["resume_cursor"] == str(everything[-1]["seq"])
    empty = ok(api.get("/v1/audit-log", params={"after": rest["resume_cursor"]}))
    assert empty["data"] == [] and empty["resume_cursor"] == rest["resume_cursor"]
    for bad in ("١٢", "²", "-1", "1.5", "9" * 19, "abc"):
        r = api.get("/v1/audit-log", params={"after": bad})
        assert (r.status_code, r.json()["code"]) == (422, "invalid_cursor"), bad
    # Reads and refused writes leave no entry; a preview none either.
    before = len(audit(api))
    assert api.post("/v1/customers", {"name": "", "currency": "SEK"}).status_code == 422
    assert (
        api.as_token("nope").post("/v1/customers", {"name": "X", "currency": "SEK"}).status_code
        == 401
    )
    assert len(audit(api)) == before


def test_people_are_admin_only_and_disabling_stops_their_tokens(api: Api) -> None:
    anna = add_person(api, "Anna Berg", "anna@example.se")
    anna_api, _ = signed_in(api, "anna@example.se")
    issued = ok(api.post(f"/v1/people/{anna['id']}/tokens"), 201)
    script = api.as_token(issued["token"])
    assert issued["person"]["id"] == anna["id"]
    assert ok(script.get("/v1/people"))["data"][0]["id"] == anna["id"]  # staff person

    integration = api.as_token(ok(api.post("/v1/api-keys", {"role": "integration"}), 201)["token"])
    r = integration.post("/v1/people", {"name": "X", "login": "x@example.se", "role": "staff"})
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")

    taken = api.post("/v1/people", {"name": "Other", "login": "ANNA@example.se", "role": "staff"})
    assert (taken.status_code, taken.json()["code"]) == (409, "login_taken")
    short = api.post(
        "/v1/people", {"name": "S", "login": "s@example.se", "role": "staff", "password": "short"}
    )
    assert (short.status_code, short.json()["code"]) == (422, "password_too_short")
    bad_login = api.post("/v1/people", {"name": "S", "login": "not-an-email", "role": "staff"})
    assert bad_login.status_code == 422

    disabled = ok(api.post(f"/v1/people/{anna['id']}/disable"))
    assert disabled["disabled_at"] is not None
    for token_api in (anna_api, script):
        r = token_api.get("/v1/customers")
        assert (r.status_code, r.json()["code"]) == (401, "unauthorized")
    r = api.client.post("/v1/sessions", json={"login": "anna@example.se", "password": PASSWORD})
    assert (r.status_code, r.headers["content-type"]) == (401, PROBLEM)
    assert ok(api.get(f"/v1/people/{anna['id']}"))["disabled_at"] == disabled["disabled_at"]
    again = api.post(f"/v1/people/{anna['id']}/tokens")
    assert (again.status_code, again.json()["code"]) == (409, "person_disabled")
    log = [(e["operation"], e["subject_id"]) for e in audit(api)]
    assert ("POST /v1/people/{person_id}/disable", anna["id"]) in log


def test_a_portal_person_is_held_to_their_customer(api: Api) -> None:
    mine, theirs = api.customer(name="Mine AB"), api.customer(name="Theirs AB")
    add_person(api, "Kim Kund", "kim@example.se", role="portal", customer_id=mine["id"])
    kim, _ = signed_in(api, "kim@example.se")
    assert ok(kim.get(f"/v1/customers/{mine['id']}"))["id"] == mine["id"]
    assert kim.get(f"/v1/customers/{theirs['id']}").status_code == 404
    assert kim.get("/v1/audit-log").status_code == 403
    unbound = api.post("/v1/people", {"name": "K", "login": "k@example.se", "role": "portal"})
    assert (unbound.status_code, unbound.json()["code"]) == (404, "not_found")


def test_failed_sign_ins_meet_the_limiter(make_app: Callable[..., Any]) -> None:
    with TestClient(make_app(auth_failure_limit=3)) as client:
        api = Api(client)
        add_test_seller(api)
        add_person(api, "Anna Berg", "anna@example.se")
        before = row_counts(client.app.state.engine)
        wrong = {"login": "anna@example.se", "password": "wrong password here"}
        unknown = {"login": "nobody@example.se", "password": PASSWORD}
        codes = [client.post("/v1/sessions", json=b).status_code for b in (wrong, unknown, wrong)]
        assert codes == [401, 401, 401]
        r = client.post("/v1/sessions", json=wrong)
        assert (r.status_code, r.json()["code"]) == (429, "too_many_failed_attempts")
        assert int(r.headers["Retry-After"]) >= 1
        assert row_counts(client.app.state.engine) == before
        # The right password still signs in (only failures are limited).
        signed_in(api, "anna@example.se")


def _depends_on(dependant: Any, calls: set[Any]) -> bool:
    return dependant.call in calls or any(_depends_on(d, calls) for d in dependant.dependencies)


def test_every_write_route_leaves_an_entry(api: Api) -> None:
    """Each write route runs in the request's transaction (which ends with its entry) or takes
    the factory (which adds the entry after the route's own transactions): none can write
    without leaving one. The self-check below shows the walk sees a route that does not."""
    from fastapi.routing import APIRoute, iter_route_contexts

    from billing.http.deps import get_factory, get_session

    writes = [
        context
        for context in iter_route_contexts(api.client.app.routes)
        if context.path.startswith("/v1/") and context.methods and context.methods - {"GET", "HEAD"}
    ]
    assert len(writes) > 40
    logged = {get_session, get_factory}
    missing = [c.path for c in writes if not _depends_on(c.dependant, logged)]
    assert missing == []

    def unlogged() -> None: ...

    probe = APIRoute("/probe", unlogged, methods=["POST"])
    assert not _depends_on(probe.dependant, logged)


def test_the_activity_log_is_append_only(api: Api) -> None:
    """No route edits it, and the database refuses UPDATE and DELETE whoever asks."""
    import pytest
    from fastapi.routing import iter_route_contexts
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    api.customer()
    log_routes = {
        (method, context.path)
        for context in iter_route_contexts(api.client.app.routes)
        if "audit" in (context.path or "")
        for method in context.methods or ()
    }
    assert log_routes - {("HEAD", "/v1/audit-log")} == {("GET", "/v1/audit-log")}
    engine = api.client.app.state.engine
    before = audit(api)
    assert before
    for statement in ("UPDATE audit_log SET actor = 'someone'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(statement))
    assert audit(api) == before


def test_no_code_updates_or_deletes_the_activity_log() -> None:
    import re
    from pathlib import Path

    import billing

    edits = re.compile(
        r"(UPDATE|DELETE\s+FROM|TRUNCATE)\s+\"?audit_log\b|(update|delete)\(\s*AuditEntry\b",
        re.IGNORECASE,
    )
    assert edits.search("session.execute(delete(AuditEntry).where(AuditEntry.seq == 1))")
    assert edits.search('conn.exec_driver_sql("update audit_log set actor = 1")')
    root = Path(billing.__file__).resolve().parent
    found = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if edits.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
