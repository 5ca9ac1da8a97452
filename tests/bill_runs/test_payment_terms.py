"""``BILLING_PAYMENT_TERMS_DAYS`` sets the due date of every invoice: one a request posts, one a
bill run posts (through the API and the ``billing bill-run`` command) and an order delivery's.
Terms of 14 days, not the default 30, so each check fails if a path ignores the setting."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from billing.storage.db import make_engine
from tests.api.helpers import bill, ok, setup, sub_path
from tests.conftest import Api, Database, add_test_seller


def invoices(api: Api, **params: str) -> list[dict[str, Any]]:
    return ok(api.get("/v1/invoices", params=params))["data"]  # type: ignore[no-any-return]


def test_the_app_setting_sets_every_due_date(make_app: Callable[..., Any]) -> None:
    with TestClient(make_app(payment_terms_days=14)) as client:
        api = Api(client)
        add_test_seller(api)
        sub = setup(api, today="2025-04-02", start="2025-04-02")
        # A bill run's invoice: issued 2 April, due 14 days later.
        bill(api, "2025-04-02")
        [first] = invoices(api, subscription_id=sub["id"])
        assert (first["issue_date"], first["due_date"]) == ("2025-04-02", "2025-04-16")

        # A request's invoice: a second licence in the billed period is posted at once.
        api.today("2025-04-15")
        r = api.post(sub_path(sub, "/changes"), {"effective_date": "2025-04-15", "quantity": 2})
        assert r.status_code == 200, r.text
        second = [i for i in invoices(api, subscription_id=sub["id"]) if i["id"] != first["id"]]
        assert [(i["issue_date"], i["due_date"]) for i in second] == [("2025-04-15", "2025-04-29")]

        # An order delivery's invoice.
        customer = api.customer(name="Fjordbygg AS")
        order = ok(
            api.post(
                "/v1/orders",
                {
                    "customer_id": customer["id"],
                    "lines": [{"description": "Kurs", "unit_amount": 50000, "quantity": 1}],
                },
            ),
            201,
        )
        delivery = {
            "reference": "D-1",
            "delivered_on": "2025-04-15",
            "lines": [{"line_id": order["lines"][0]["id"], "quantity": 1}],
        }
        ok(api.post(f"/v1/orders/{order['id']}/deliveries", delivery), 201)
        [invoice] = invoices(api, customer_id=customer["id"])
        assert (invoice["issue_date"], invoice["due_date"]) == ("2025-04-15", "2025-04-29")


def test_the_bill_run_command_reads_the_setting(api: Api, database: Database) -> None:
    setup(api, today="2025-04-02", start="2025-04-02")
    done = subprocess.run(
        [sys.executable, "-m", "billing.cli", "bill-run", "--as-of", "2025-04-02"],
        env={
            **os.environ,
            "BILLING_DATABASE_URL": database.url,
            "BILLING_PAYMENT_TERMS_DAYS": "14",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    engine = make_engine(database.url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT issue_date, due_date FROM documents WHERE type = 'invoice'")
            ).all()
    finally:
        engine.dispose()
    assert [(str(i), str(d)) for i, d in rows] == [("2025-04-02", "2025-04-16")]
