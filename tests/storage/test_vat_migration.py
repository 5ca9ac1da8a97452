"""Migration 0011 keeps every document exactly as it was issued: no VAT is invented for the
past. Documents get ``net_total = total`` and ``vat_total = 0``, no parties and no breakdown;
their lines no tax. Credited later, by a seller now registered for VAT, such a line gives back
what it charged: no VAT (a credit takes the tax of its charge, never today's)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from billing.http.app import create_app
from billing.settings import Settings
from billing.storage.migrate import upgrade
from tests.api.test_vat_invoices import SE_SELLER
from tests.conftest import ADMIN_TOKEN, Api, Database
from tests.lifecycle.helpers import ok
from tests.storage.conftest import empty_database  # noqa: F401

ROWS = [
    "INSERT INTO customers (id, name, currency, locale, timezone, status, created_at) VALUES "
    "('cus_1', 'Vårdcentralen AB', 'SEK', 'sv_SE', 'Europe/Stockholm', 'active', "
    "'2025-03-01 08:00:00')",
    "INSERT INTO orders (id, customer_id, currency, status, total, created_at, created_by) "
    "VALUES ('ord_1', 'cus_1', 'SEK', 'delivered', 250000, '2025-03-01 08:00:00', 'staff')",
    "INSERT INTO order_lines (id, order_id, seq, code, description, unit_amount, quantity, "
    "delivered, cancelled) VALUES ('ol_1', 'ord_1', 1, 'HC-1', 'Hälsokontroll', 125000, 2, 2, 0)",
    "INSERT INTO documents (id, type, series, number, customer_id, currency, issue_date, "
    "due_date, total, amount_paid, balance_applied, status, created_at) VALUES ('inv_1', "
    "'invoice', 'INV', 1, 'cus_1', 'SEK', '2025-03-03', '2025-04-02', 250000, 0, 0, 'open', "
    "'2025-03-03 09:00:00')",
    "UPDATE document_counters SET last_number = 1 WHERE series = 'INV'",
    "INSERT INTO order_deliveries (id, order_id, reference, delivered_on, request, invoice_id, "
    "recorded_at, recorded_by) VALUES ('dlv_1', 'ord_1', 'D-1', '2025-03-03', "
    """'{"delivered_on": "2025-03-03", "lines": [["ol_1", 2]]}', 'inv_1', """
    "'2025-03-03 09:00:00', 'staff')",
    "INSERT INTO ledger_entries (order_id, order_line_id, description, customer_id, item, kind,"
    " period_start, period_end, service_start, service_end, unit_amount, quantity,"
    " period_amount, amount, currency, event_id, document_type, document_id, posted_at) VALUES"
    " ('ord_1', 'ol_1', 'Hälsokontroll', 'cus_1', 'order:HC-1', 'one_off', '2025-03-03',"
    " '2025-03-04', '2025-03-03', '2025-03-04', 125000, 2, 250000, 250000, 'SEK', 'dlv_1',"
    " 'invoice', 'inv_1', '2025-03-03 09:00:00')",
]


def test_documents_issued_before_vat_stay_as_issued(empty_database: Database) -> None:  # noqa: F811
    url = empty_database.url
    upgrade(url, "0010")
    engine = create_engine(url)
    with engine.begin() as conn:
        for sql in ROWS:
            conn.execute(text(sql))
    upgrade(url)
    with engine.connect() as conn:
        doc = conn.execute(
            text(
                "SELECT total, net_total, vat_total, vat_breakdown, parties, payment_reference,"
                " seller_id FROM documents"
            )
        ).one()
        line = conn.execute(text("SELECT tax_code, vat_rate FROM ledger_entries")).one()
    engine.dispose()
    assert tuple(doc) == (250000, 250000, 0, None, None, None, None)
    assert tuple(line) == (None, None)

    settings = Settings(database_url=url, admin_token=ADMIN_TOKEN, test_clock=True)
    app = create_app(settings, migrate=False)
    try:
        with TestClient(app) as client:
            api = Api(client)
            ok(api.post("/v1/sellers", SE_SELLER), 201)  # registered for VAT, from now on
            api.today("2025-03-10")
            old = ok(api.get("/v1/invoices/inv_1"))
            assert (old["total"], old["net_total"], old["vat_total"]) == (250000, 250000, 0)
            body = {"reference": "R-1", "lines": [{"line_id": "ol_1", "quantity": 1}]}
            credit = ok(api.post("/v1/orders/ord_1/credits", body), 201)
            note = ok(api.get(f"/v1/credit-notes/{credit['credit_notes'][0]}"))
            # Given back as charged: 1 250 kr, no VAT (the charge had none).
            assert (note["total"], note["net_total"], note["vat_total"]) == (125000, 125000, 0)
            assert [r["code"] for r in note["vat_breakdown"]] == ["untaxed"]
            assert ok(api.get("/v1/invoices/inv_1"))["amount_due"] == 125000
    finally:
        app.state.engine.dispose()
