"""The same delivery sent twice at once (a retry racing the original): one delivery, one
invoice, and both callers get the same answer. Deliveries of one order queue on its row."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from billing.auth.service import Actor, Role
from billing.orders import service
from billing.orders.schemas import DeliveryCreate
from billing.storage.db import unit_of_work
from billing.storage.models import Document, OrderDelivery
from tests.conftest import Api
from tests.lifecycle.helpers import ok


def test_a_retry_racing_the_original_delivery_invoices_once(api: Api) -> None:
    api.today("2025-03-03")
    customer = api.customer(name="Fjordbygg AS", currency="NOK", timezone="Europe/Oslo")
    line = {"description": "Helsekontroll", "unit_amount": 125000, "quantity": 10}
    order = ok(api.post("/v1/orders", {"customer_id": customer["id"], "lines": [line]}), 201)
    body = DeliveryCreate.model_validate(
        {
            "reference": "MET-1",
            "delivered_on": "2025-03-03",
            "lines": [{"line_id": order["lines"][0]["id"], "quantity": 4}],
        }
    )
    state = api.client.app.state
    actor = Actor("key_bootstrap_admin", Role.STAFF)

    def deliver(_: int) -> tuple[str, str, bool]:
        with unit_of_work(state.session_factory) as session:
            done = service.deliver(session, actor, state.clock, order["id"], body)
            return done.delivery.id, done.delivery.invoice_id, done.replayed

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(deliver, range(4)))
    assert len({(d, i) for d, i, _ in answers}) == 1
    assert sorted(r for _, _, r in answers) == [False, True, True, True]
    with unit_of_work(state.session_factory) as session:
        assert session.scalar(select(func.count()).select_from(OrderDelivery)) == 1
        assert session.scalar(select(func.count()).select_from(Document)) == 1
    got = ok(api.get(f"/v1/orders/{order['id']}"))
    assert (got["status"], got["lines"][0]["delivered"]) == ("partially_delivered", 4)
