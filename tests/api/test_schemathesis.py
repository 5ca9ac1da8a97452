"""The published OpenAPI document against the running app: a bounded schemathesis run, in
process (ASGI), as each role on each database.

Every operation a role may call is sent generated requests: ones that fit the schema on the
permission walk's real resources (so handlers run, not only 404s), ones with generated ids,
and ones that break the schema. Each answer must be no server error, a status the document
declares for the operation, of a declared content type and matching the declared response
schema. The run is derandomized with a fixed number of examples per operation
(:data:`EXAMPLES`), so it is the same run every time and bounded in time (about a minute per
database on two cores).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.test_bad_requests import ROLES, routes_of  # noqa: E402
from tests.api.test_permissions import build_world  # noqa: E402
from tests.conftest import Api  # noqa: E402

#: Generated requests per operation and role; the same ones on every run (derandomized).
#: ``BILLING_SCHEMATHESIS_EXAMPLES=200`` runs a deeper search locally.
EXAMPLES = int(os.environ.get("BILLING_SCHEMATHESIS_EXAMPLES", "5"))

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

#: Operations left out of the run, and why.
SKIPPED = {
    # Changes the notion of today for everything after it: a generated date far in the past
    # or future turns the rest of the run into refusals of another calendar.
    ("PUT", "/v1/test-clock"): "moves the clock under the rest of the run",
    # Revoking generated keys could revoke the caller's own key mid-run.
    ("POST", "/v1/api-keys/{key_id}/revoke"): "could revoke the run's own callers",
}


def _run(operation: Any, caller: Api, ids: dict[str, str]) -> list[str]:
    """EXAMPLES requests to ``operation`` as ``caller``; what each failed answer broke."""
    names = [p.name for p in operation.path_parameters]
    real = {n: ids[n] for n in names if n in ids}
    strategies = [
        operation.as_strategy(),
        operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
    ]
    if real:
        strategies.insert(0, operation.as_strategy(path_parameters=real))
    headers = caller.headers()
    found: dict[str, str] = {}

    @given(case=st.one_of(strategies))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.generate,),
    )
    def check(case: Any) -> None:
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                found.setdefault(
                    failure.title, f"{failure.message[:300]} ({case.as_curl_command()})"
                )

    check()
    return [f"{title}: {detail}" for title, detail in found.items()]


def _operations(api: Api, role: str) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    allowed = {(r.method, r.path) for r in routes_of(api) if role in r.roles}
    out = []
    for result in schema.get_all_operations():
        operation = result.ok()
        key = (operation.method.upper(), operation.path)
        if key in allowed and key not in SKIPPED:
            out.append(operation)
    return out


@pytest.mark.parametrize("role", ROLES)
def test_the_app_answers_as_its_openapi_document_says(api: Api, role: str) -> None:
    world = build_world(api)
    caller = world.callers[role]
    operations = _operations(api, role)
    assert operations, role
    failures = []
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        failures += [f"{label}: {found}" for found in _run(operation, caller, world.mine)]
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
