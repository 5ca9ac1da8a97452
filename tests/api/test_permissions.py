"""Every route of the app × every caller, against one declared matrix.

The matrix (:data:`ROUTES`) names, for each route, the roles that may call it (staff,
integration, portal) and how it treats a portal key of *another* customer: a route about one
customer's resource answers it 404 (the portal must not learn that the resource exists); a list
answers only the caller's own rows. The walk then calls each route as:

- the roles the matrix allows: the call reaches the handler and answers the declared status;
- every other role: 403 ``forbidden``;
- a portal key on another customer's resource: 404 ``not_found`` where the portal may call the
  route (403 where it may not), or, on a list, none of that customer's rows;
- no token: 401 ``unauthorized``;

and checks that every refused call changed nothing in the database (every table of the
metadata, row by row). It fails when a route of the app is missing from the matrix, so a new
route must be declared here, and when a route does not take its caller through exactly one
capability of :mod:`billing.http.permissions`.

The console (``/console``) is out: it has no bearer tokens. Staff sign in once with their token
and then carry a signed session cookie; :mod:`billing.console.auth` refuses non-staff tokens at
sign-in and ``tests/console`` covers it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from sqlalchemy import select

from billing.http.permissions import Capability
from billing.storage.models import Base
from tests.api.helpers import api_key, bill, ok
from tests.conftest import TEST_SELLER, Api
from tests.payments.builders import Pay
from tests.payments.builders import bgmax as bgmax_file

STAFF, INTEGRATION, PORTAL = "staff", "integration", "portal"
ANYONE = frozenset({STAFF, INTEGRATION, PORTAL})
READERS = ANYONE  # staff, integration, and the portal for its own customer


class Scope(Enum):
    NONE = "not about one customer"
    RESOURCE = "one customer's resource: another customer's answers 404"
    LIST = "a list: a portal caller sees only its own customer's rows"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    roles: frozenset[str]
    scope: Scope = Scope.NONE
    body: Any = None
    query: dict[str, str] = field(default_factory=dict)
    #: The answer of every allowed call: a status, or a status and the problem code of a
    #: business rule (proof that the call got past authorization into the handler).
    answer: int | tuple[int, str] = 200
    #: Run as staff before each allowed call (e.g. give notice again before undoing it).
    prepare: Callable[[Api, dict[str, str]], None] | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path


def _renotice(api: Api, ids: dict[str, str]) -> None:
    path = f"/v1/subscriptions/{ids['subscription_id']}/cancel"
    ok(api.post(path, {"mode": "on_date", "date": "2025-06-01"}))


SUB = "/v1/subscriptions/{subscription_id}"
STAFF_ONLY = frozenset({STAFF})
S_I = frozenset({STAFF, INTEGRATION})
S_P = frozenset({STAFF, PORTAL})
R, L = Scope.RESOURCE, Scope.LIST

#: The declared matrix, in the order the walk calls it (later routes see earlier changes).
ROUTES: list[Route] = [
    # Public: no token needed.
    Route("GET", "/healthz", frozenset({"anonymous", *ANYONE})),
    Route("GET", "/openapi.json", frozenset({"anonymous", *ANYONE})),
    Route("GET", "/docs", frozenset({"anonymous", *ANYONE})),
    Route("GET", "/docs/oauth2-redirect", frozenset({"anonymous", *ANYONE})),
    Route("GET", "/redoc", frozenset({"anonymous", *ANYONE})),
    # Admin.
    Route("POST", "/v1/api-keys", STAFF_ONLY, body={"role": "integration"}, answer=201),
    Route("POST", "/v1/api-keys/{key_id}/revoke", STAFF_ONLY),
    Route("PUT", "/v1/test-clock", STAFF_ONLY, body={"today": "2025-04-10"}),
    # People, signing in and the activity log.
    Route(
        "POST",
        "/v1/people",
        STAFF_ONLY,
        body={"name": "Ny Person", "login": "ny@example.se", "role": "staff"},
        answer=201,
    ),
    Route("GET", "/v1/people", STAFF_ONLY),
    Route("GET", "/v1/people/{person_id}", STAFF_ONLY),
    Route("POST", "/v1/people/{person_id}/tokens", STAFF_ONLY, answer=201),
    Route(
        "POST",
        "/v1/sessions",
        frozenset({"anonymous", *ANYONE}),
        body={"login": "walker@example.se", "password": "walker password 1"},
        answer=201,
    ),
    Route("POST", "/v1/people/{person_id}/disable", STAFF_ONLY),
    Route("GET", "/v1/audit-log", STAFF_ONLY),
    Route("GET", "/v1/test-clock", STAFF_ONLY),
    # Customers and plans.
    Route(
        "POST", "/v1/customers", STAFF_ONLY, body={"name": "New AB", "currency": "SEK"}, answer=201
    ),
    Route("GET", "/v1/customers", READERS, L),
    Route("GET", "/v1/customers/{customer_id}", READERS, R),
    Route("GET", "/v1/customers/{customer_id}/balance", READERS, R),
    Route("PATCH", "/v1/customers/{customer_id}", STAFF_ONLY, R, body={"external_ref": "crm-1"}),
    Route(
        "POST",
        "/v1/plans",
        STAFF_ONLY,
        body={
            "code": "new",
            "name": "New",
            "currency": "SEK",
            "unit_amount": 100,
            "interval": "month",
        },
        answer=201,
    ),
    Route("GET", "/v1/plans", S_I),
    Route("GET", "/v1/plans/{plan_id}", S_I),
    # Sellers (read as the catalogue is: by staff and integrations).
    Route("POST", "/v1/sellers", STAFF_ONLY, body=TEST_SELLER, answer=201),
    Route("GET", "/v1/sellers", S_I),
    Route("GET", "/v1/sellers/{seller_id}", S_I),
    Route("PATCH", "/v1/sellers/{seller_id}", STAFF_ONLY, body={"email": "faktura@example.se"}),
    # Subscriptions.
    Route(
        "POST",
        "/v1/subscriptions",
        STAFF_ONLY,
        body={"customer_id": "{customer_id}", "plan_id": "{plan_id}", "start_date": "2025-05-01"},
        answer=201,
    ),
    Route("GET", "/v1/subscriptions", READERS, L),
    Route("GET", SUB, READERS, R),
    Route("GET", SUB + "/timeline", READERS, R),
    Route("GET", SUB + "/ledger", READERS, R),
    Route("GET", SUB + "/usage", READERS, R),
    # Usage is reported by the service the customer uses (staff, integration), never by the
    # customer itself; the walk's plan bills no metric, so an allowed call is unknown_metric.
    Route(
        "POST",
        "/v1/usage-events",
        S_I,
        body={
            "id": "u-1",
            "subscription_id": "{subscription_id}",
            "metric": "logins",
            "occurred_at": "2025-04-05T10:00:00+02:00",
        },
        answer=(422, "unknown_metric"),
    ),
    Route("POST", SUB + "/cancel", S_P, R, body={"mode": "on_date", "date": "2025-06-01"}),
    Route("DELETE", SUB + "/cancel", S_P, R, prepare=_renotice),
    Route("POST", SUB + "/pause", STAFF_ONLY, R, body={"start_date": "2025-05-15"}),
    Route("POST", SUB + "/resume", STAFF_ONLY, R, body={"date": "2025-06-01"}),
    Route(
        "POST",
        SUB + "/one-offs",
        STAFF_ONLY,
        R,
        body={"delivered_on": "2025-04-09", "description": "Health check", "unit_amount": 95000},
    ),
    Route(
        "POST",
        SUB + "/changes",
        STAFF_ONLY,
        R,
        body={"effective_date": "2025-06-15", "quantity": 20},
    ),
    # Contracts and terminations.
    Route("GET", SUB + "/cancellation-quote", STAFF_ONLY, R),
    Route(
        "POST",
        SUB + "/retention-offers",
        STAFF_ONLY,
        R,
        body={"quantity": 18, "effective_date": "2025-07-01"},
    ),
    Route(
        "POST", SUB + "/addons", STAFF_ONLY, R, body={"code": "sso", "effective_date": "2025-07-10"}
    ),
    Route(
        "POST",
        SUB + "/addons/{code}/detach",
        STAFF_ONLY,
        R,
        body={"effective_date": "2025-08-01"},
    ),
    Route("POST", SUB + "/cancel/verify", STAFF_ONLY, R, answer=(409, "nothing_to_verify")),
    Route("GET", "/v1/tasks", STAFF_ONLY),
    Route("POST", "/v1/tasks/{task_id}/complete", STAFF_ONLY),
    Route("POST", "/v1/scheduler/run", STAFF_ONLY),
    Route("GET", "/v1/reports/terminations", STAFF_ONLY, query={"month": "2025-04"}),
    # Documents as people read them.
    Route("GET", "/v1/invoices/{invoice_id}.html", READERS, R),
    Route("GET", "/v1/invoices/{invoice_id}.pdf", READERS, R),
    Route("GET", "/v1/credit-notes/{credit_note_id}.html", READERS, R),
    Route("GET", "/v1/credit-notes/{credit_note_id}.pdf", READERS, R),
    # Documents, payments and bill runs.
    Route("GET", "/v1/invoices", READERS, L),
    Route("GET", "/v1/invoices/{invoice_id}", READERS, R),
    Route(
        "POST",
        "/v1/invoices/{invoice_id}/payments",
        S_I,
        R,
        body={"amount": 100, "paid_on": "2025-04-10"},
        answer=201,
    ),
    Route("GET", "/v1/credit-notes", READERS, L),
    Route("GET", "/v1/credit-notes/{credit_note_id}", READERS, R),
    Route("GET", "/v1/refunds", READERS, L),
    Route("POST", "/v1/bill-runs", STAFF_ONLY, body={"as_of": "2025-05-02"}, answer=201),
    Route("GET", "/v1/bill-runs/{bill_run_id}", STAFF_ONLY),
    # The event feed.
    Route("GET", "/v1/events", READERS, L),
    # Webhooks.
    Route(
        "POST",
        "/v1/webhook-endpoints",
        STAFF_ONLY,
        body={"url": "https://hooks.example.com/b"},
        answer=201,
    ),
    Route("GET", "/v1/webhook-endpoints", STAFF_ONLY),
    Route("GET", "/v1/webhook-endpoints/{endpoint_id}", STAFF_ONLY),
    Route("POST", "/v1/webhook-endpoints/{endpoint_id}/disable", STAFF_ONLY),
    Route("POST", "/v1/webhook-endpoints/{endpoint_id}/enable", STAFF_ONLY),
    Route("GET", "/v1/webhook-endpoints/{endpoint_id}/deliveries", STAFF_ONLY),
    Route("POST", "/v1/webhooks/dispatch", STAFF_ONLY),
    # Onboarding.
    Route("GET", SUB + "/onboarding", STAFF_ONLY, R),
    Route("POST", SUB + "/onboarding/meeting", STAFF_ONLY, R, body={"date": "2025-04-20"}),
    Route(
        "POST",
        SUB + "/onboarding/segment",
        STAFF_ONLY,
        R,
        body={"segment": "A", "advisor": "Anna"},
        answer=(409, "meeting_not_held"),  # booked for 2025-04-20; today is 2025-04-10
    ),
    Route("POST", SUB + "/onboarding/meeting-missed", STAFF_ONLY, R, body={"outcome": "no_show"}),
    Route("POST", SUB + "/onboarding/park", STAFF_ONLY, R, body={"reason": "later"}),
    # One-off orders.
    Route(
        "POST",
        "/v1/orders",
        STAFF_ONLY,
        body={
            "customer_id": "{customer_id}",
            "lines": [{"description": "Set-up", "unit_amount": 1000, "quantity": 1}],
        },
        answer=201,
    ),
    Route("GET", "/v1/orders", READERS, L),
    Route("GET", "/v1/orders/{order_id}", READERS, R),
    Route(
        "POST",
        "/v1/orders/{order_id}/deliveries",
        STAFF_ONLY,
        R,
        body={
            "reference": "d-1",
            "delivered_on": "2025-04-10",
            "lines": [{"line_id": "{order_line_id}", "quantity": 1}],
        },
        answer=201,
    ),
    Route(
        "POST",
        "/v1/orders/{order_id}/credits",
        STAFF_ONLY,
        R,
        body={"reference": "c-1", "lines": [{"line_id": "{order_line_id}", "quantity": 1}]},
        answer=201,
    ),
    Route("POST", "/v1/orders/{order_id}/cancel", STAFF_ONLY, R),
    # Receivables: a customer's statement as the customer is read; the aging of all customers
    # by staff and integrations only.
    Route("GET", "/v1/customers/{customer_id}/statement", READERS, R),
    Route("GET", "/v1/customers/{customer_id}/statement.html", READERS, R),
    Route("GET", "/v1/customers/{customer_id}/statement.pdf", READERS, R),
    Route("GET", "/v1/receivables/aging", S_I, query={"as_of": "2025-04-10"}),
    # Bank files and the unmatched payments queue (an empty body is no bank file).
    Route("POST", "/v1/payment-files", S_I, answer=(422, "bank_file_format")),
    Route("GET", "/v1/payments/unmatched", STAFF_ONLY),
    Route(
        "POST",
        "/v1/payments/unmatched/{bank_payment_id}/allocate",
        STAFF_ONLY,
        body={"invoice_id": "{invoice_id}", "amount": 100},
    ),
    # Documents as Peppol UBL, read as the JSON documents are (also by Accept on their own
    # URLs). The walk's buyers have no organisation or VAT number: 409 past authorization.
    Route(
        "GET", "/v1/invoices/{invoice_id}.xml", READERS, R, answer=(409, "buyer_endpoint_missing")
    ),
    Route(
        "GET",
        "/v1/credit-notes/{credit_note_id}.xml",
        READERS,
        R,
        answer=(409, "buyer_endpoint_missing"),
    ),
    # The books: the SIE export (of the default seller when none is named) and the seller's
    # chart of accounts, read by staff and integrations; only staff change the chart.
    Route("GET", "/v1/exports/sie", S_I, query={"from": "2025-04-01", "to": "2025-04-30"}),
    Route("GET", "/v1/sellers/{seller_id}/accounts", S_I),
    Route(
        "PUT",
        "/v1/sellers/{seller_id}/accounts",
        STAFF_ONLY,
        body={"accounts": [{"key": "bank", "account": "1940", "name": "Övriga bankkonton"}]},
    ),
    # Reminders: the late-payment tables and what stops reminders are staff's; reminders and a
    # customer's reminder settings are read as the customer is. The walk sends no reminder, so
    # a reminder's routes answer 404 past authorization.
    Route("GET", "/v1/late-payment-rules/{country}", STAFF_ONLY),
    Route(
        "PUT",
        "/v1/late-payment-rules/{country}",
        STAFF_ONLY,
        body={
            "valid_from": "2026-07-01",
            "reference_rate_bps": 175,
            "points_bps": 800,
            "reminder_fee": 6000,
            "fee_needs_agreement": True,
            "grace_days": 7,
            "spacing_days": 14,
            "compensation": 45000,
        },
    ),
    Route("GET", "/v1/customers/{customer_id}/reminder-settings", READERS, R),
    Route(
        "PUT",
        "/v1/customers/{customer_id}/reminder-settings",
        STAFF_ONLY,
        R,
        body={"paused": False},
    ),
    Route("POST", "/v1/invoices/{invoice_id}/dispute", STAFF_ONLY, R, body={"reason": "wrong"}),
    Route("DELETE", "/v1/invoices/{invoice_id}/dispute", STAFF_ONLY, R),
    Route("GET", "/v1/customers/{customer_id}/reminders", READERS, R),
    Route("GET", "/v1/reminders/{reminder_id}.html", READERS, answer=(404, "not_found")),
    Route("GET", "/v1/reminders/{reminder_id}.pdf", READERS, answer=(404, "not_found")),
    Route("GET", "/v1/reminders/{reminder_id}", READERS, answer=(404, "not_found")),
]

#: Mounted apps that are not routes of the API, and why they are not walked.
NOT_WALKED = {
    "/console": "its own sign-in and session cookie, no bearer token (tests/console)",
    "/static/swagger-ui": "the documentation pages' assets, public files (tests/test_docs.py)",
    "/static/redoc": "the documentation pages' assets, public files (tests/test_docs.py)",
}


# -- the app's routes --------------------------------------------------------------------------


def app_routes(api: Api) -> dict[tuple[str, str], Any]:
    """Every (method, path) the app answers (HEAD is GET's), with its route context."""
    out: dict[tuple[str, str], Any] = {}
    for context in iter_route_contexts(api.client.app.routes):
        path = context.path
        assert path is not None
        if context.methods is None:
            assert path in NOT_WALKED, f"{path} is neither walked nor excused"
            continue
        for method in context.methods - {"HEAD"}:
            out[(method, path)] = context
    return out


def capabilities(dependant: Dependant) -> list[Capability]:
    found = [dependant.call] if isinstance(dependant.call, Capability) else []
    for sub in dependant.dependencies:
        found += capabilities(sub)
    return found


# -- the world the walk runs in ----------------------------------------------------------------


@dataclass
class World:
    mine: dict[str, str]  # the portal's own customer's ids (and the shared ones)
    theirs: dict[str, str]  # another customer's ids (and the shared ones)
    callers: dict[str, Api]


def _customer_world(api: Api, name: str, plan: dict[str, Any]) -> dict[str, str]:
    customer = api.customer(name=name)
    sub = api.subscription(customer, plan, start_date="2025-04-02")
    order = ok(
        api.post(
            "/v1/orders",
            {
                "customer_id": customer["id"],
                "lines": [{"description": "Hardware", "unit_amount": 50000, "quantity": 2}],
            },
        ),
        201,
    )
    return {
        "customer_id": customer["id"],
        "subscription_id": sub["id"],
        "order_id": order["id"],
        "order_line_id": order["lines"][0]["id"],
    }


def _unmatched_bank_payment(api: Api) -> str:
    """A BgMax payment to the test seller's bankgiro whose reference names no invoice."""
    content = bgmax_file(TEST_SELLER["bank"]["bankgiro"], [Pay("4321", 5000)])
    r = api.client.post("/v1/payment-files", content=content, headers=api.headers())
    return str(ok(r, 201)["payments"][0]["id"])


def build_world(api: Api) -> World:
    """Two customers with a subscription (billed, then given notice: an invoice and a credit
    note each; the other customer's notice stands, so its termination tasks are open), an
    order each and a webhook endpoint."""
    api.today("2025-04-10")
    plan = api.plan(addons=[{"code": "sso", "name": "Single sign-on", "unit_amount": 5000}])
    mine = _customer_world(api, "Mine AB", plan)
    theirs = _customer_world(api, "Theirs AB", plan)
    run = bill(api, "2025-04-02")
    for ids in (mine, theirs):
        path = f"/v1/subscriptions/{ids['subscription_id']}/cancel"
        ok(api.post(path, {"mode": "on_date", "date": "2025-04-20"}))
        if ids is mine:
            ok(api.delete(path))
        cid = {"customer_id": ids["customer_id"]}
        ids["invoice_id"] = ok(api.get("/v1/invoices", params=cid))["data"][0]["id"]
        ids["credit_note_id"] = ok(api.get("/v1/credit-notes", params=cid))["data"][0]["id"]
    endpoint = ok(api.post("/v1/webhook-endpoints", {"url": "https://hooks.example.com/a"}), 201)
    tasks = ok(api.get("/v1/tasks", params={"status": "open"}))["data"]
    shared = {"plan_id": plan["id"], "code": "sso", "endpoint_id": endpoint["id"]}
    shared["seller_id"] = ok(api.get("/v1/sellers"))["data"][0]["id"]
    shared["bill_run_id"] = run["id"]
    shared["task_id"] = tasks[0]["id"]
    shared["bank_payment_id"] = _unmatched_bank_payment(api)
    shared["country"], shared["reminder_id"] = "SE", "rem_none"
    spare = ok(api.post("/v1/api-keys", {"role": "integration"}), 201)
    shared["key_id"] = spare["id"]
    walker = {"name": "Walker", "login": "walker@example.se", "role": "staff"}
    person = ok(api.post("/v1/people", {**walker, "password": "walker password 1"}), 201)
    shared["person_id"] = person["id"]
    callers = {
        STAFF: api,
        INTEGRATION: api_key(api, INTEGRATION),
        PORTAL: api_key(api, PORTAL, mine["customer_id"]),
        "anonymous": Api(api.client, token=""),
    }
    return World({**mine, **shared}, {**theirs, **shared}, callers)


def fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


def call(caller: Api, route: Route, ids: dict[str, str], **query: str) -> Any:
    headers = caller.headers() if caller.token else {}
    return caller.client.request(
        route.method,
        route.path.format(**ids),
        json=fill(route.body, ids),
        params={**route.query, **query},
        headers=headers,
    )


def snapshot(api: Api) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read straight from the database."""
    with api.client.app.state.engine.connect() as conn:
        return {
            t.name: sorted((tuple(r) for r in conn.execute(select(t))), key=repr)
            for t in Base.metadata.sorted_tables
        }


# -- the checks --------------------------------------------------------------------------------


def expect_answer(r: Any, route: Route, who: str) -> None:
    status, code = route.answer if isinstance(route.answer, tuple) else (route.answer, None)
    assert r.status_code == status, f"{route.key} as {who}: {r.status_code} {r.text[:300]}"
    if code is not None:
        assert r.json()["code"] == code, f"{route.key} as {who}: {r.text[:300]}"


def expect_problem(r: Any, route: Route, who: str, status: int, code: str) -> None:
    assert (r.status_code, r.headers["content-type"]) == (status, "application/problem+json"), (
        f"{route.key} as {who}: expected {status}, got {r.status_code} {r.text[:300]}"
    )
    assert r.json()["code"] == code, f"{route.key} as {who}: {r.text[:300]}"


def other_customers_rows(r: Any, theirs: str) -> list[Any]:
    rows = r.json()["data"]
    return [row for row in rows if theirs in (row.get("customer_id"), row.get("id"))]


def walk_refused(world: World, route: Route) -> None:
    """Every caller the matrix refuses, and the portal on another customer's resource."""
    for who in (INTEGRATION, PORTAL):
        if who not in route.roles:
            r = call(world.callers[who], route, world.mine)
            expect_problem(r, route, who, 403, "forbidden")
    if "anonymous" not in route.roles:
        r = call(world.callers["anonymous"], route, world.mine)
        expect_problem(r, route, "no token", 401, "unauthorized")
    if route.scope is Scope.NONE:
        return
    portal = world.callers[PORTAL]
    if PORTAL not in route.roles:
        r = call(portal, route, world.theirs)
        expect_problem(r, route, "portal on another customer", 403, "forbidden")
    elif route.scope is Scope.RESOURCE:
        r = call(portal, route, world.theirs)
        expect_problem(r, route, "portal on another customer", 404, "not_found")
    else:
        r = call(portal, route, world.mine, customer_id=world.theirs["customer_id"])
        assert r.status_code == 200, f"{route.key} as portal filtering another: {r.text[:300]}"
        assert other_customers_rows(r, world.theirs["customer_id"]) == [], route.key


def walk_allowed(world: World, route: Route) -> None:
    for who in (STAFF, INTEGRATION, PORTAL, "anonymous"):
        if who not in route.roles:
            continue
        if route.prepare is not None:
            route.prepare(world.callers[STAFF], world.mine)
        r = call(world.callers[who], route, world.mine)
        expect_answer(r, route, who)
        if route.scope is Scope.LIST and who == PORTAL:
            assert other_customers_rows(r, world.theirs["customer_id"]) == [], route.key


def test_every_route_is_declared_once(api: Api) -> None:
    declared = [route.key for route in ROUTES]
    assert len(declared) == len(set(declared)), "a route is declared twice"
    assert sorted(app_routes(api)) == sorted(declared)


def test_every_api_route_takes_its_caller_through_one_capability(api: Api) -> None:
    for key, context in app_routes(api).items():
        dependant = getattr(context, "dependant", None)
        found = capabilities(dependant) if dependant is not None else []
        public = "anonymous" in next(r.roles for r in ROUTES if r.key == key)
        assert len(found) == (0 if public else 1), f"{key}: {found}"
        if found:
            declared = next(r.roles for r in ROUTES if r.key == key)
            assert {role.value for role in found[0].roles} == declared, key


def test_every_route_answers_every_role_as_declared(api: Api) -> None:
    world = build_world(api)
    for route in ROUTES:
        before = snapshot(api)
        walk_refused(world, route)
        assert snapshot(api) == before, f"a refused call to {route.key} changed the database"
        walk_allowed(world, route)


def test_the_walk_catches_a_refused_role_that_gets_in(api: Api) -> None:
    """Self-test: a matrix that wrongly refuses integration a route it may call fails."""
    world = build_world(api)
    wrong = Route("GET", "/v1/invoices", S_P, L)
    try:
        walk_refused(world, wrong)
    except AssertionError as e:
        assert "expected 403, got 200" in str(e)
    else:
        raise AssertionError("the walk accepted integration on a route declared staff/portal")
