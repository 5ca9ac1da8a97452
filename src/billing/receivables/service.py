"""The statement of one customer and the aging of all, for a caller.

A statement runs ``from`` through ``to``, both included; ``to`` defaults to today by the
service clock in the customer's time zone (the test clock's date when one is set), ``from`` to
the account's beginning (opening balance 0). The aging is as of one day (default: today in
UTC, as the reports are: it spans customers in every time zone). A portal key sees only its
own customer's statement: another customer is not found (404), as everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import Clock
from billing.customers import repository as customers
from billing.domain.errors import InvalidInput
from billing.receivables import repository
from billing.receivables.aging import AgingRow, DueInvoice, aging_rows
from billing.receivables.statement import Statement, build_statement
from billing.storage.models import Customer


@dataclass(frozen=True, slots=True)
class CustomerStatement:
    customer: Customer
    currency: str
    statement: Statement


def customer_statement(
    session: Session,
    actor: Actor,
    clock: Clock,
    customer_id: str,
    *,
    start: date | None,
    end: date | None,
    currency: str | None,
) -> CustomerStatement:
    """The account of ``customer_id`` in ``currency`` (default: the customer's)."""
    customer = customers.get(session, customer_id, customer_scope=actor.customer_scope)
    end = end if end is not None else clock.today(session, customer.timezone)
    if start is not None and end < start:
        raise InvalidInput(
            f"to ({end.isoformat()}) is before from ({start.isoformat()})", code="invalid_period"
        )
    currency = currency or customer.currency
    rows = repository.account_rows(session, customer.id, currency)
    return CustomerStatement(customer, currency, build_statement(rows, start=start, end=end))


@dataclass(frozen=True, slots=True)
class Aging:
    as_of: date
    rows: list[AgingRow]


def receivables_aging(session: Session, clock: Clock, *, as_of: date | None) -> Aging:
    """Every account with something due, credit held or credit unallocated on ``as_of``."""
    day = as_of if as_of is not None else clock.today(session, "UTC")
    due = (
        DueInvoice(customer_id, currency, due_date, pos.due, pos.unallocated)
        for customer_id, currency, due_date, pos in repository.invoice_positions(session, as_of=day)
    )
    return Aging(day, aging_rows(due, repository.credits_on(session, as_of=day), as_of=day))
