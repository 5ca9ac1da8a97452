"""Pool and threads cannot deadlock: at most BILLING_API_THREADS requests are admitted at once
(billing.http.admission), each API engine's pool holds the process's thread limit
plus its overflow (``BILLING_API_THREADS``, ``BILLING_DB_POOL_OVERFLOW``), the app applies the
limit at start, and a pool that is empty past ``BILLING_DB_POOL_TIMEOUT_SECONDS`` is a 503
``database_busy`` (billing.storage.db, "Pool and threads")."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio.to_thread
from fastapi.testclient import TestClient

from tests.conftest import Api, add_test_seller


def test_the_pools_fit_the_thread_limit(make_app: Callable[..., Any]) -> None:
    app = make_app(api_threads=7, db_pool_overflow=3, db_pool_timeout_seconds=2.5)
    engines = {app.state.engine, app.state.read_session_factory.kw["bind"]}
    for engine in engines:
        assert engine.pool.size() == 7
        assert engine.pool._max_overflow == 3
        assert engine.pool._timeout == 2.5
    with TestClient(app) as client:
        limiter = client.portal.call(anyio.to_thread.current_default_thread_limiter)
        assert limiter.total_tokens == 7


def test_more_requests_than_threads_and_connections_all_answer(
    make_app: Callable[..., Any],
) -> None:
    """Two threads, two connections per engine and no overflow; twelve clients reading and
    writing at once: every request is answered (no 503, no wait for the pool's timeout),
    because no request holds a connection while it waits for a thread."""
    app = make_app(api_threads=2, db_pool_overflow=0, db_pool_timeout_seconds=2)
    with TestClient(app) as client:
        api = Api(client)
        add_test_seller(api)
        customer = api.customer()

        def client_calls(i: int) -> list[int]:
            statuses = []
            for j in range(4):
                statuses.append(api.get(f"/v1/customers/{customer['id']}").status_code)
                made = api.post("/v1/customers", {"name": f"C{i}-{j} AB", "currency": "SEK"})
                statuses.append(made.status_code)
            return statuses

        with ThreadPoolExecutor(max_workers=12) as pool:
            answered = [s for batch in pool.map(client_calls, range(12)) for s in batch]
    assert sorted(set(answered)) == [200, 201]
    assert len(answered) == 12 * 8
