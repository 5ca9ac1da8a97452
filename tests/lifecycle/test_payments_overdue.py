"""Payments and overdue: the integration role records payments; an invoice is paid when its
total (less credits) is covered; overdue means unpaid after its due date."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.lifecycle.helpers import (
    assert_problem,
    bill,
    cancel,
    ok,
    quote,
    role_key,
    state,
)


def invoiced(api: Api) -> tuple[dict[str, Any], str]:
    api.today("2025-04-02")
    customer = api.customer()
    sub = api.subscription(customer, api.plan(unit_amount=24995), start_date="2025-04-02")
    [invoice_id] = bill(api, "2025-04-02")["invoices"]
    return sub, invoice_id


def pay(client: Api, invoice_id: str, amount: int, status: int = 201, **body: Any) -> Any:
    body.setdefault("paid_on", "2025-04-10")
    r = client.post(f"/v1/invoices/{invoice_id}/payments", {"amount": amount, **body})
    return ok(r, status) if status < 400 else r


def test_payments_make_the_invoice_paid(api: Api) -> None:
    sub, invoice_id = invoiced(api)
    integration = role_key(api, "integration")
    first = pay(integration, invoice_id, 10000, reference="BG 123")
    assert (first["amount"], first["reference"], first["invoice_id"]) == (
        10000,
        "BG 123",
        invoice_id,
    )
    assert (first["invoice"]["status"], first["invoice"]["amount_due"]) == ("open", 14995)
    assert quote(api, sub)["unpaid_balance"]["amount"] == 14995
    # Staff may record payments too.
    last = pay(api, invoice_id, 14995)
    assert (last["invoice"]["status"], last["invoice"]["amount_due"]) == ("paid", 0)
    assert last["invoice"]["amount_paid"] == 24995
    assert quote(api, sub)["unpaid_balance"]["amount"] == 0


def test_payment_refusals_change_nothing(api: Api) -> None:
    sub, invoice_id = invoiced(api)
    portal = role_key(api, "portal", sub["customer_id"])
    before = state(api, sub)
    assert_problem(pay(api, invoice_id, 24996, status=422), 422, "overpayment")
    assert_problem(pay(api, "inv_missing", 100, status=404), 404, "not_found")
    assert_problem(pay(portal, invoice_id, 100, status=403), 403, "forbidden")
    assert_problem(pay(api, invoice_id, -1, status=422), 422, "validation_error")
    assert state(api, sub) == before

    # Fully credited before any payment: void, and a void invoice takes no payment.
    api.today("2025-04-02")
    cancel(api, sub, mode="immediately")
    assert ok(api.get(f"/v1/invoices/{invoice_id}"))["status"] == "void"
    before = state(api, sub)
    assert_problem(pay(api, invoice_id, 100, status=422), 422, "invoice_void")
    assert state(api, sub) == before


def test_a_credit_note_lowers_what_is_due(api: Api) -> None:
    sub, invoice_id = invoiced(api)
    api.today("2025-04-05")
    cancel(api, sub, mode="immediately")
    invoice = ok(api.get(f"/v1/invoices/{invoice_id}"))
    assert (invoice["amount_credited"], invoice["amount_due"], invoice["status"]) == (
        22495,
        2500,
        "open",
    )
    assert_problem(pay(api, invoice_id, 2501, status=422), 422, "overpayment")
    assert pay(api, invoice_id, 2500)["invoice"]["status"] == "paid"


def test_overdue_after_the_due_date_only(api: Api) -> None:
    sub, invoice_id = invoiced(api)
    invoice = ok(api.get(f"/v1/invoices/{invoice_id}"))
    assert invoice["due_date"] == "2025-05-02"
    api.today("2025-05-02")
    assert quote(api, sub)["overdue_balance"]["amount"] == 0
    api.today("2025-05-03")
    brief = quote(api, sub)
    assert (brief["unpaid_balance"]["amount"], brief["overdue_balance"]["amount"]) == (
        24995,
        24995,
    )
    # A part payment leaves the rest overdue; paying it all clears it.
    pay(api, invoice_id, 4995)
    assert quote(api, sub)["overdue_balance"]["amount"] == 20000
    assert quote(api, sub)["retention_offers"]["allowed"] is False
    pay(api, invoice_id, 20000)
    brief = quote(api, sub)
    assert (brief["unpaid_balance"]["amount"], brief["overdue_balance"]["amount"]) == (0, 0)
    assert brief["retention_offers"]["allowed"] is True
    # Another customer's overdue invoice is not this customer's.
    other, other_invoice = invoiced(api)
    api.today("2025-06-10")
    assert quote(api, other)["overdue_balance"]["amount"] == 24995
    assert quote(api, sub)["overdue_balance"]["amount"] == 0
    assert other_invoice != invoice_id
