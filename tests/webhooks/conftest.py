"""The webhook tests' receivers listen on loopback over http, which only the development
setting ``BILLING_WEBHOOK_ALLOW_PRIVATE`` admits (billing.webhooks.targets): the apps of these
tests are built with it, explicitly; every other test runs with the default (public https)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Api


@pytest.fixture
def bare_api(make_app: Callable[..., Any]) -> Iterator[Api]:
    with TestClient(make_app(webhook_allow_private=True)) as client:
        yield Api(client)
