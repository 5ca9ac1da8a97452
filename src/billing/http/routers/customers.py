"""Customers and plans."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session

from billing.clock import Clock
from billing.customers import repository as customers
from billing.customers.schemas import CustomerCreate, CustomerOut, CustomerPage, CustomerUpdate
from billing.customers.service import create_customer, update_customer
from billing.customers.views import customer_out
from billing.domain.money import format_money
from billing.http.deps import ClockDep, PageParams, SessionDep
from billing.http.permissions import ReadsCustomers, ReadsPlans, StaffActor
from billing.invoicing import balance
from billing.invoicing.schemas import CustomerCreditOut
from billing.plans import repository as plans
from billing.plans.schemas import PlanCreate, PlanOut, PlanPage
from billing.plans.service import create_plan
from billing.receivables.account import customer_account, customer_accounts
from billing.storage.models import Customer

router = APIRouter(tags=["customers and plans"])


def _with_account(session: Session, clock: Clock, customer: Customer) -> CustomerOut:
    return customer_out(customer, customer_account(session, clock, customer))


@router.post("/customers", status_code=201, response_model=CustomerOut)
def post_customer(
    body: CustomerCreate, session: SessionDep, actor: StaffActor, clock: ClockDep
) -> Any:
    """A new customer; with a seller (its own or the default) it gets its customer number."""
    return _with_account(session, clock, create_customer(session, body))


@router.get("/customers", response_model=CustomerPage)
def list_customers(
    session: SessionDep, actor: ReadsCustomers, page: PageParams, clock: ClockDep
) -> dict[str, Any]:
    """A page of customers, each with its account summary today (as GET one answers it)."""
    scope = actor.customer_scope
    rows = customers.page(session, after=page.after, limit=page.limit, customer_scope=scope)
    accounts = customer_accounts(session, clock, rows)
    data = [customer_out(r, accounts[r.id]).model_dump(mode="json") for r in rows]
    return page.answer(rows, data)


@router.get("/customers/{customer_id}", response_model=CustomerOut)
def get_customer(
    customer_id: str, session: SessionDep, actor: ReadsCustomers, clock: ClockDep
) -> Any:
    """The customer with its account today: ``balance`` (what it owes, net of the credit it
    holds), ``open_amount``, ``overdue_amount`` and ``status: "overdue"`` while any invoice is
    past its due date with something still due."""
    customer = customers.get(session, customer_id, customer_scope=actor.customer_scope)
    return _with_account(session, clock, customer)


@router.patch("/customers/{customer_id}", response_model=CustomerOut)
def patch_customer(
    customer_id: str, body: CustomerUpdate, session: SessionDep, actor: StaffActor, clock: ClockDep
) -> Any:
    """Change the fields given. Once the customer has documents, it cannot move to another
    seller (409 ``customer_has_documents``)."""
    return _with_account(session, clock, update_customer(session, customer_id, body))


@router.get("/customers/{customer_id}/balance", response_model=CustomerCreditOut)
def get_customer_balance(
    customer_id: str, session: SessionDep, actor: ReadsCustomers
) -> dict[str, Any]:
    """The customer's credit (kept from credit notes, or paid beyond an invoice), and how later
    invoices consumed it. Not what the customer owes: that is the customer's ``balance``
    (GET /v1/customers/{id}) and its statement's closing balance."""
    customer = customers.get(session, customer_id, customer_scope=actor.customer_scope)
    entries = balance.balance_entries(session, customer_id)
    total = sum(e.amount for e in entries)
    return {
        "customer_id": customer_id,
        "currency": customer.currency,
        "balance": total,
        "balance_formatted": format_money(total, customer.currency, customer.locale),
        "entries": [
            {
                "id": str(e.id),
                "kind": e.kind,
                "amount": e.amount,
                "document_id": e.document_id,
                "created_at": e.created_at.isoformat(),
            }
            for e in entries
        ],
    }


@router.post("/plans", status_code=201, response_model=PlanOut)
def post_plan(body: PlanCreate, session: SessionDep, actor: StaffActor) -> Any:
    """Add a plan to the catalogue: its price per unit and interval, contract terms and add-ons."""
    return create_plan(session, body)


@router.get("/plans", response_model=PlanPage)
def list_plans(session: SessionDep, actor: ReadsPlans, page: PageParams) -> dict[str, Any]:
    """The catalogue's plans in id order, a page at a time."""
    rows = plans.page(session, after=page.after, limit=page.limit)
    return page.answer(rows, [PlanOut.model_validate(r).model_dump(mode="json") for r in rows])


@router.get("/plans/{plan_id}", response_model=PlanOut)
def get_plan(plan_id: str, session: SessionDep, actor: ReadsPlans) -> Any:
    """One plan."""
    return plans.get(session, plan_id)
