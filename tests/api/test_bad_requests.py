"""Bad requests to every route of the app, as every role: each answers its status and problem
code, and none changes a row of any table.

The table is generated from the app itself, so a route added later is in it without anyone
listing it: every (method, path) of the app (:func:`tests.api.test_permissions.app_routes`),
with the roles its capability admits (read from the route's own dependency, not from a list),
its path parameters (filled from the permission walk's world), whether it takes a JSON body,
an ``If-Match`` or a ``limit``. What each kind of route is sent:

- every route: a control character in the query, in a path parameter, in the ``Accept``,
  ``If-Match`` and ``Authorization`` headers; URL escapes that are not UTF-8; on a POST, a
  control character in the ``Idempotency-Key``. These are refused before authentication, so
  each answers 422 ``validation_error`` whoever calls (the roles take turns);
- a route with a JSON body, as each role: bytes that are not JSON, bytes that are not UTF-8 (422
  ``validation_error`` for everyone: the framework reads the body first); a JSON array, an
  unknown field, and NUL in each string of the route's example body from the permission matrix
  (422 for the roles the route admits, 403 ``forbidden`` for the others);
- a route with ``If-Match``, as each role: versions that are not ASCII digits in bounds (``²``,
  20 digits, ``-1``, ``1.0``);
- a route with ``limit``: ``0``, ``501``, ``²``, ``1e2``;
- a feed whose ``after`` is a number (:data:`NUMERIC_CURSORS`): ``²``, ``٣``, 20 digits, ``-1``
  (422 ``invalid_cursor``).

To extend it: a new kind of bad input is one more generator below; a new feed with a numeric
cursor belongs in :data:`NUMERIC_CURSORS`; a new route's example body (for the NUL-in-every-
string cases) is its body in the permission matrix. Path parameters the world has no id for
are filled with an id that names nothing (the request is refused before it is looked up).
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi.dependencies.models import Dependant

from billing.http.deps import if_match
from tests.api.test_permissions import (
    INTEGRATION,
    PORTAL,
    ROUTES,
    STAFF,
    World,
    app_routes,
    build_world,
    capabilities,
    fill,
)
from tests.conftest import Api
from tests.unchanged import rows

ROLES = (STAFF, INTEGRATION, PORTAL)

#: Feeds whose ``after`` is a number the feed gave out (a sequence or document number); the
#: other lists page by id, where a strange ``after`` is only an id that names nothing.
NUMERIC_CURSORS = frozenset(
    {
        "/v1/events",
        "/v1/invoices",
        "/v1/credit-notes",
        "/v1/refunds",
        "/v1/webhook-endpoints/{endpoint_id}/deliveries",
    }
)

NOT_JSON = b'{"name": "Acme AB", '
NOT_UTF8 = b'{"name": "Acme \xff\xfe AB"}'
BAD_VERSIONS = ("\u00b2", "9" * 20, "-1", "1.0")
BAD_LIMITS = ("0", "%C2%B2", "1e2", "-1")
BAD_CURSORS = ("%C2%B2", "%D9%A3", "9" * 20, "-1")


@dataclass(frozen=True)
class Bad:
    """One bad request and the answer it must get."""

    what: str
    method: str
    path: str
    role: str
    status: int
    code: str
    query: str = ""
    headers: dict[str, str | bytes] = field(default_factory=dict)
    content: bytes | None = None
    json: Any = None


@dataclass(frozen=True)
class AppRoute:
    """A route of the app as the table sees it."""

    method: str
    path: str
    roles: frozenset[str]
    params: tuple[str, ...]
    query: frozenset[str]
    #: The largest ``limit`` the route allows (its ``le``), if it has one.
    limit_max: int | None
    takes_body: bool
    takes_if_match: bool
    example: Any

    def url(self, ids: dict[str, str], **override: str) -> str:
        values = {p: ids.get(p, f"{p}_none") for p in self.params}
        values.update(override)
        return self.path.format(**values)


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def routes_of(api: Api) -> list[AppRoute]:
    examples = {r.key: r.body for r in ROUTES}
    out = []
    for (method, path), context in sorted(app_routes(api).items()):
        dependant = getattr(context, "dependant", None)
        if dependant is None:
            continue
        found = capabilities(dependant)
        roles = frozenset(r.value for r in found[0].roles) if found else frozenset(ROLES)
        parts = list(_dependants(dependant))
        out.append(
            AppRoute(
                method=method,
                path=path,
                roles=roles,
                params=tuple(dict.fromkeys(p.alias for d in parts for p in d.path_params)),
                query=frozenset(p.alias for d in parts for p in d.query_params),
                limit_max=_limit_max(parts),
                takes_body=any(d.body_params for d in parts),
                takes_if_match=any(d.call is if_match for d in parts),
                example=examples.get((method, path)),
            )
        )
    return out


def _limit_max(parts: list[Dependant]) -> int | None:
    for d in parts:
        for p in d.query_params:
            if p.alias == "limit":
                return next((m.le for m in p.field_info.metadata if hasattr(m, "le")), None)
    return None


def _refused(route: AppRoute, role: str) -> tuple[int, str]:
    return (422, "validation_error") if role in route.roles else (403, "forbidden")


def before_authentication(route: AppRoute, ids: dict[str, str], turn: int) -> Iterator[Bad]:
    """Refused by the URL and header check, whoever calls: the roles take turns."""
    role = ROLES[turn % len(ROLES)]
    url = route.url(ids)
    m, v = route.method, "validation_error"
    yield Bad("NUL in the query", m, url, role, 422, v, query="q=a%00b")
    yield Bad("unit separator in the query", m, url, ROLES[(turn + 1) % 3], 422, v, query="q=%1F")
    yield Bad("query escapes not UTF-8", m, url, ROLES[(turn + 2) % 3], 422, v, query="q=%FF%FE")
    if route.params:
        bad_id = route.url(ids, **{route.params[0]: "x%00y"})
        yield Bad("NUL in a path parameter", m, bad_id, role, 422, v)
        bad_id = route.url(ids, **{route.params[-1]: "%C3%28"})
        yield Bad("path escapes not UTF-8", m, bad_id, ROLES[(turn + 1) % 3], 422, v)
    yield Bad("escape in Accept", m, url, role, 422, v, headers={"Accept": "application/json\x1b"})
    yield Bad(
        "NUL-ish in If-Match", m, url, ROLES[(turn + 2) % 3], 422, v, headers={"If-Match": "1\x01"}
    )
    yield Bad(
        "control in the token", m, url, "token", 422, v, headers={"Authorization": "Bearer a\x7fb"}
    )
    if route.method == "POST":
        headers: dict[str, str | bytes] = {"Idempotency-Key": "key\x00one"}
        yield Bad("NUL in Idempotency-Key", m, url, role, 422, v, headers=headers)


def bodies(route: AppRoute, ids: dict[str, str]) -> Iterator[Bad]:
    """Bad JSON bodies, as each role."""
    if not route.takes_body:
        return
    url, m, v = route.url(ids), route.method, "validation_error"
    json_type = {"Content-Type": "application/json"}
    example = fill(route.example, ids) if isinstance(route.example, dict) else {}
    for role in ROLES:
        yield Bad("body not JSON", m, url, role, 422, v, headers=json_type, content=NOT_JSON)
        yield Bad("body not UTF-8", m, url, role, 422, v, headers=json_type, content=NOT_UTF8)
        status, code = _refused(route, role)
        yield Bad("body a JSON array", m, url, role, status, code, json=[example])
        yield Bad("unknown field", m, url, role, status, code, json={**example, "zz_unknown": 1})
        for where, poisoned in _poisoned(example):
            yield Bad(f"NUL in {where}", m, url, role, status, code, json=poisoned)


def _poisoned(value: Any, where: str = "body") -> Iterator[tuple[str, Any]]:
    """``value`` once per string in it, that string with a NUL in its middle."""
    if isinstance(value, str):
        yield where, value[:1] + "\x00" + value[1:]
    elif isinstance(value, dict):
        for key, item in value.items():
            for at, bad in _poisoned(item, f"{where}.{key}"):
                yield at, {**value, key: bad}
    elif isinstance(value, list):
        for i, item in enumerate(value):
            for at, bad in _poisoned(item, f"{where}[{i}]"):
                yield at, [*value[:i], bad, *value[i + 1 :]]


def parameters(route: AppRoute, ids: dict[str, str]) -> Iterator[Bad]:
    """Versions, limits and cursors that are not ASCII numbers in bounds, as each role."""
    url, m = route.url(ids), route.method
    body = fill(route.example, ids) if route.takes_body else None
    for role in ROLES:
        status, code = _refused(route, role)
        if route.takes_if_match:
            for version in BAD_VERSIONS:
                headers: dict[str, str | bytes] = {"If-Match": version.encode()}
                yield Bad(
                    f"If-Match {version}", m, url, role, status, code, headers=headers, json=body
                )
        if "limit" in route.query:
            past = () if route.limit_max is None else (str(route.limit_max + 1),)
            for limit in (*BAD_LIMITS, *past):
                yield Bad(f"limit={limit}", m, url, role, status, code, query=f"limit={limit}")
        if route.path in NUMERIC_CURSORS:
            cursor_code = "invalid_cursor" if status == 422 else code
            for cursor in BAD_CURSORS:
                yield Bad(
                    f"after={cursor}", m, url, role, status, cursor_code, query=f"after={cursor}"
                )


def bad_requests(api: Api, ids: dict[str, str]) -> list[Bad]:
    cases: list[Bad] = []
    for turn, route in enumerate(routes_of(api)):
        cases += before_authentication(route, ids, turn)
        cases += bodies(route, ids)
        cases += parameters(route, ids)
    return cases


def send(world: World, bad: Bad) -> Any:
    caller = world.callers[STAFF if bad.role == "token" else bad.role]
    headers: dict[str, str | bytes] = {**caller.headers(), **bad.headers}
    url = f"{bad.path}?{bad.query}" if bad.query else bad.path
    if bad.content is not None:
        return caller.client.request(bad.method, url, content=bad.content, headers=headers)
    if bad.json is not None:
        return caller.client.request(bad.method, url, json=bad.json, headers=headers)
    return caller.client.request(bad.method, url, headers=headers)


def mismatch(world: World, bad: Bad) -> str | None:
    """Why the answer to ``bad`` is not the one it must get, if it is not."""
    r = send(world, bad)
    got = (r.status_code, r.headers.get("content-type"), _code(r))
    expected = (bad.status, "application/problem+json", bad.code)
    if got == expected:
        return None
    where = f"{bad.method} {bad.path}?{bad.query} as {bad.role}, {bad.what}"
    return f"{where}: {got} != {expected} {r.text[:200]}"


def test_bad_requests_to_every_route_as_every_role_change_nothing(api: Api) -> None:
    world = build_world(api)
    cases = bad_requests(api, world.mine)
    assert len(cases) >= 200, len(cases)
    engine = api.client.app.state.engine
    before = rows(engine)
    failures = []
    for bad in cases:
        wrong = mismatch(world, bad)
        if wrong is not None:
            failures.append(wrong)
        elif rows(engine) != before:
            failures.append(f"{bad.method} {bad.path} as {bad.role}, {bad.what}: rows changed")
            before = rows(engine)
    assert not failures, f"{len(failures)} of {len(cases)}:\n" + "\n".join(failures[:40])


def test_the_check_catches_a_request_that_is_not_refused(api: Api) -> None:
    """Self-test: a request the app answers 200 does not pass for a refused one."""
    world = build_world(api)
    fine = Bad("a good request", "GET", "/v1/customers", STAFF, 422, "validation_error")
    wrong = mismatch(world, fine)
    assert wrong is not None and "(200, 'application/json', None)" in wrong


def _code(r: Any) -> str | None:
    try:
        return r.json().get("code")  # type: ignore[no-any-return]
    except ValueError:
        return None


def test_the_table_covers_every_route_and_role(api: Api) -> None:
    """Self-test: every route of the app gets cases, each role is refused somewhere and
    admitted somewhere, and the body, If-Match, limit and cursor generators all fire."""
    ids = {name: f"{name}_x" for name in _names(ROUTES)}
    cases = bad_requests(api, ids)
    routes = routes_of(api)
    paths = {c.path for c in cases}
    for route in routes:
        assert route.url(ids) in paths, route.path
    refused = {(c.role, c.status) for c in cases}
    assert refused >= {(r, 422) for r in ROLES} | {(INTEGRATION, 403), (PORTAL, 403)}
    kinds = {c.what.split(" ")[0] for c in cases}
    assert {"If-Match", "limit=0", "after=-1", "NUL", "body"} <= kinds
    assert any(r.takes_if_match for r in routes) and any(r.takes_body for r in routes)


def _names(value: Any) -> set[str]:
    """The ``{placeholders}`` in the permission matrix's paths and bodies."""
    if isinstance(value, str):
        return {name for _, name, _, _ in string.Formatter().parse(value) if name}
    if isinstance(value, dict):
        return set().union(*map(_names, value.values()))
    if isinstance(value, list | tuple):
        return set().union(*map(_names, value))
    if hasattr(value, "path"):
        return _names(value.path) | _names(value.body)
    return set()
