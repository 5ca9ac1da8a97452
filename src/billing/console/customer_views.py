"""A customer at a glance, and the customers found by a search: what each owes and whether
it is overdue (its account, the figures of its statement), its subscriptions, its orders and
every invoice and credit note it has, subscriptions' and orders' alike (an order-only customer
shows its orders and invoices, never "no subscriptions" alone).

The badge says what staff must know first: ``overdue`` while an invoice is overdue; else
``in termination`` while every subscription still running has an end date; ``passive`` when
nothing runs any more (every subscription ended, no order waiting for delivery); else the
stored status.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import Clock
from billing.console import repository
from billing.console.i18n import Words
from billing.console.search import search
from billing.console.views import account_view, document_row, formats_for, invoice_state
from billing.customers import repository as customers
from billing.domain.orders import OrderStatus
from billing.domain.timeline import Status
from billing.invoicing import repository as ledger_repo
from billing.invoicing.views import document_number
from billing.receivables.account import customer_account, customer_accounts
from billing.storage.models import Order
from billing.subscriptions import service
from billing.subscriptions.views import subscription_out

RUNNING = {Status.PENDING.value, Status.ACTIVE.value, Status.PAUSED.value}
ENDING = {Status.IN_TERMINATION.value, Status.PENDING_VERIFICATION.value}
ORDER_OPEN = {OrderStatus.PENDING.value, OrderStatus.PARTIALLY_DELIVERED.value}


def badge(account_status: str, sub_statuses: Sequence[str], orders: Sequence[Order]) -> str:
    """The customer's badge (module docstring)."""
    if account_status == "overdue":
        return account_status
    open_orders = any(o.status in ORDER_OPEN for o in orders)
    if any(s in RUNNING for s in sub_statuses) or open_orders:
        return account_status
    if any(s in ENDING for s in sub_statuses):
        return Status.IN_TERMINATION.value
    if sub_statuses or orders:
        return "passive"
    return account_status


def find_customers(
    session: Session, clock: Clock, query: str, lang: Words, page: int
) -> dict[str, Any]:
    """A page of the customers found, each with its account, and the count of them all."""
    found = search(session, query, page=page)
    accounts = customer_accounts(session, clock, found.customers)
    rows = [
        {
            "customer": c,
            "account": account_view(c, accounts[c.id], lang),
            "matched": found.matched.get(c.id, ""),
        }
        for c in found.customers
    ]
    return {"customers": rows, "found": found}


def customer_page(
    session: Session, actor: Actor, clock: Clock, customer_id: str, lang: Words
) -> dict[str, Any]:
    customer = customers.get(session, customer_id)
    fmt = formats_for(customer, lang)
    account = account_view(customer, customer_account(session, clock, customer), lang)
    subs = []
    today = clock.today(session, customer.timezone)
    for row in repository.customer_subscriptions(session, customer.id):
        loaded = service.load(session, actor, clock, row.id)
        out = subscription_out(loaded)
        out["plan_name"] = loaded.plan.name
        out["unit_formatted"] = fmt.money(out["unit_amount"])
        out["last_day"] = fmt.last_day(loaded.schedule.end or loaded.schedule.pending_end)
        subs.append(out)
    orders = repository.customer_orders(session, customer.id)
    documents = repository.customer_documents(session, customer.id)
    numbers = {d.id: document_number(d) for d in documents}
    invoices = [d.id for d in documents if d.type == "invoice"]
    credited = ledger_repo.credited_totals(session, invoices) if invoices else {}
    account["status"] = badge(account["status"], [s["status"] for s in subs], orders)
    return {
        "customer": customer,
        "account": account,
        "subscriptions": subs,
        "orders": [
            {
                "id": o.id,
                "status": o.status,
                "total": fmt.money(o.total),
                "created": fmt.day(o.created_at.date()),
            }
            for o in orders
        ],
        "documents": [
            document_row(d, numbers, fmt, status=invoice_state(d, credited, today))
            for d in documents
        ],
        "fmt": fmt,
    }
