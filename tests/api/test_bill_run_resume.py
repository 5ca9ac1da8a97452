"""``POST /v1/bill-runs`` cut short by a lost database after some batches, posted again for the
same ``as_of``: it resumes the same run and bills exactly the rest (both databases; the real
PostgreSQL stop is ``test_database_restart.py``'s)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from billing.bill_runs.batch import bill_batch
from tests.conftest import Api, add_test_seller

SUBSCRIPTIONS = 7
BATCH = 2


def test_a_run_cut_short_is_resumed_by_the_next_post_for_its_date(
    make_app: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(bill_run_batch_size=BATCH)
    with TestClient(app) as client:
        api = Api(client)
        add_test_seller(api)
        api.today("2025-04-10")
        plan = api.plan()
        subs = [
            api.subscription(api.customer(name=f"Kund {i} AB"), plan, start_date="2025-04-02")
            for i in range(SUBSCRIPTIONS)
        ]
        batches = 0

        def lost_after_two(*args: Any, **kwargs: Any) -> Any:
            nonlocal batches
            batches += 1
            if batches == 3:  # the third batch's writes are lost with the connection
                bill_batch(*args, **kwargs)
                raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
            return bill_batch(*args, **kwargs)

        monkeypatch.setattr("billing.bill_runs.worker.bill_batch", lost_after_two)
        key = {"Idempotency-Key": "april-run"}
        r = api.post("/v1/bill-runs", {"as_of": "2025-04-10"}, headers=key)
        assert r.status_code == 503, r.text
        assert r.json()["code"] == "database_unavailable"
        engine = app.state.engine
        with engine.connect() as conn:
            (run_id,) = conn.execute(text("SELECT id FROM bill_runs")).scalars()
            done = conn.execute(
                text("SELECT count(*) FROM bill_run_batches WHERE done_at IS NOT NULL")
            ).scalar_one()
            billed = conn.execute(
                text("SELECT count(*) FROM documents WHERE bill_run_id = :r"), {"r": run_id}
            ).scalar_one()
        assert done == 2
        assert 0 < billed < SUBSCRIPTIONS

        monkeypatch.setattr("billing.bill_runs.worker.bill_batch", bill_batch)
        r = api.post("/v1/bill-runs", {"as_of": "2025-04-10"}, headers=key)
        assert r.status_code == 201, r.text  # the key was released by the 503: the retry ran
        out = r.json()
        assert out["id"] == run_id and out["finished"] is True
        assert out["subscriptions"] == SUBSCRIPTIONS
        assert out["invoice_count"] == SUBSCRIPTIONS
        with engine.connect() as conn:
            per_sub = dict(
                conn.execute(
                    text(
                        "SELECT subscription_id, count(*) FROM documents "
                        "WHERE type = 'invoice' GROUP BY subscription_id"
                    )
                ).all()
            )
            numbers = list(
                conn.execute(
                    text("SELECT number FROM documents WHERE type = 'invoice' ORDER BY number")
                ).scalars()
            )
            runs = conn.execute(text("SELECT count(*) FROM bill_runs")).scalar_one()
        assert per_sub == {s["id"]: 1 for s in subs}
        assert numbers == list(range(1, SUBSCRIPTIONS + 1))
        assert runs == 1
        # Finished: the next post for that date is a new run that posts nothing.
        again = api.post("/v1/bill-runs", {"as_of": "2025-04-10"}).json()
        assert again["id"] != run_id and again["invoice_count"] == 0
