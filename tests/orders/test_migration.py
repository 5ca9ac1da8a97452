"""Migration 0008 keeps what orders invoiced: each line of ``order_invoice_lines`` becomes a
one-off ledger entry of the order on the same invoice, which can then be credited."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from billing.http.app import create_app
from billing.settings import Settings
from billing.storage.migrate import upgrade
from tests.conftest import ADMIN_TOKEN, Api, Database, add_test_seller
from tests.lifecycle.helpers import ok
from tests.storage.conftest import empty_database  # noqa: F401

ROWS = [
    "INSERT INTO customers (id, name, currency, locale, timezone, status, created_at) VALUES "
    "('cus_1', 'Fjordbygg AS', 'NOK', 'nb_NO', 'Europe/Oslo', 'active', '2025-03-01 08:00:00')",
    "INSERT INTO orders (id, customer_id, currency, status, total, created_at, created_by) "
    "VALUES ('ord_1', 'cus_1', 'NOK', 'delivered', 250000, '2025-03-01 08:00:00', 'staff')",
    "INSERT INTO order_lines (id, order_id, seq, code, description, unit_amount, quantity, "
    "delivered, cancelled) VALUES ('ol_1', 'ord_1', 1, 'HC-1', 'Helsekontroll', 125000, 2, 2, 0)",
    "INSERT INTO documents (id, type, series, number, customer_id, currency, issue_date, "
    "due_date, total, amount_paid, balance_applied, status, created_at) VALUES ('inv_1', "
    "'invoice', 'INV', 1, 'cus_1', 'NOK', '2025-03-03', '2025-04-02', 250000, 0, 0, 'open', "
    "'2025-03-03 09:00:00')",
    "UPDATE document_counters SET last_number = 1 WHERE series = 'INV'",
    "INSERT INTO order_deliveries (id, order_id, reference, delivered_on, request, invoice_id, "
    "recorded_at, recorded_by) VALUES ('dlv_1', 'ord_1', 'D-1', '2025-03-03', "
    """'{"delivered_on": "2025-03-03", "lines": [["ol_1", 2]]}', 'inv_1', """
    "'2025-03-03 09:00:00', 'staff')",
    "INSERT INTO order_invoice_lines (document_id, delivery_id, order_line_id, code, "
    "description, delivered_on, unit_amount, quantity, amount, currency) VALUES ('inv_1', "
    "'dlv_1', 'ol_1', 'HC-1', 'Helsekontroll', '2025-03-03', 125000, 2, 250000, 'NOK')",
]


def test_invoiced_order_lines_move_onto_the_ledger(empty_database: Database) -> None:  # noqa: F811
    url = empty_database.url
    upgrade(url, "0007")
    engine = create_engine(url)
    with engine.begin() as conn:
        for sql in ROWS:
            conn.execute(text(sql))
    upgrade(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT subscription_id, order_id, order_line_id, description, item, kind, "
                "service_start, service_end, quantity, amount, event_id, document_id "
                "FROM ledger_entries"
            )
        ).all()
    engine.dispose()
    assert [tuple(str(v) if v is not None else None for v in r) for r in rows] == [
        (None, "ord_1", "ol_1", "Helsekontroll", "order:HC-1", "one_off", "2025-03-03",
         "2025-03-04", "2", "250000", "dlv_1", "inv_1"),
    ]  # fmt: skip

    settings = Settings(database_url=url, admin_token=ADMIN_TOKEN, test_clock=True)
    app = create_app(settings, migrate=False)
    try:
        with TestClient(app) as client:
            api = Api(client)
            add_test_seller(api)
            api.today("2025-03-10")
            invoice = ok(api.get("/v1/invoices/inv_1"))
            assert [(x["description"], x["amount"]) for x in invoice["lines"]] == [
                ("Helsekontroll 2025-03-03", 250000)
            ]
            body = {"reference": "R-1", "lines": [{"line_id": "ol_1", "quantity": 1}]}
            done = ok(api.post("/v1/orders/ord_1/credits", body), 201)
            assert (done["total"], done["lines"][0]["invoice_id"]) == (125000, "inv_1")
            assert ok(api.get("/v1/invoices/inv_1"))["amount_due"] == 125000
    finally:
        app.state.engine.dispose()
