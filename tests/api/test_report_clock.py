"""The terminations report says when it was made by the service's own clock: the test clock's
date when ``BILLING_TEST_CLOCK=1`` has set one (so a report made "on" 2025-04-20 says so),
otherwise today's date in UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from tests.api.helpers import ok
from tests.conftest import Api, add_test_seller


def test_generated_on_follows_the_test_clock(api: Api) -> None:
    for day in ("2025-04-20", "2031-01-31"):
        api.today(day)
        body = ok(api.get("/v1/reports/terminations", params={"month": "2025-04"}))
        assert (body["month"], body["generated_on"]) == ("2025-04", day)


def test_generated_on_without_a_test_clock_is_the_utc_date(
    make_app: Callable[..., Any],
) -> None:
    with TestClient(make_app(test_clock=False)) as client:
        api = Api(client)
        add_test_seller(api)
        before = datetime.now(UTC).date()
        body = ok(api.get("/v1/reports/terminations", params={"month": "2025-04"}))
        after = datetime.now(UTC).date()
    # The UTC date when the request ran (either side of midnight UTC if it crossed it).
    assert body["generated_on"] in {before.isoformat(), after.isoformat()}
