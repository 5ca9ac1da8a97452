"""Each customer's account summary on a day, from the same account as its statement.

The summary (:class:`billing.domain.overdue.AccountSummary`) is the statement from the
account's beginning through the day, summed: nothing is computed a second way, so the
customer's ``balance``, ``overdue_amount`` and ``status``, the cancellation brief's unpaid and
overdue balance and the retention rule agree with the statement to the öre, customer credit,
partial payments, credit notes, reminder fees and overpayments included. "Today" is the
service clock's day in the customer's time zone.

The summary holds everything recorded, also what is dated after today (a payment recorded
with a later ``paid_on``), as an invoice's ``amount_due`` counts it; what is overdue is judged
on today. With nothing dated after today (the usual case) it is the statement through today.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from billing.clock import Clock
from billing.domain.overdue import AccountSummary
from billing.receivables import repository
from billing.receivables.statement import AccountRows, Statement, build_statement, last_day
from billing.storage.models import Customer


def summary_of(statement: Statement, currency: str) -> AccountSummary:
    """The statement's figures as the customer's summary."""
    return AccountSummary(
        currency=currency,
        balance=statement.closing_balance,
        open_amount=statement.open_total,
        overdue_amount=statement.overdue_total,
        overdue_invoices=statement.overdue_count,
        disputed_amount=statement.disputed_total,
        customer_credit=statement.customer_credit,
        unallocated_credit=statement.unallocated_credit,
    )


def summary_on(rows: AccountRows, currency: str, *, today: date) -> AccountSummary:
    """The account's summary on ``today`` (module docstring)."""
    end = max(today, last_day(rows) or today)
    return summary_of(build_statement(rows, start=None, end=end, overdue_on=today), currency)


def account_on(session: Session, customer_id: str, currency: str, *, today: date) -> AccountSummary:
    """The account of ``customer_id`` in ``currency`` on ``today``."""
    return summary_on(
        repository.account_rows(session, customer_id, currency), currency, today=today
    )


def customer_accounts(
    session: Session, clock: Clock, customers: Sequence[Customer]
) -> dict[str, AccountSummary]:
    """Each customer's account in its own currency today, read together (a page of them)."""
    rows = repository.accounts_rows(session, [(c.id, c.currency) for c in customers])
    days: dict[str, date] = {}
    out = {}
    for c in customers:
        if c.timezone not in days:
            days[c.timezone] = clock.today(session, c.timezone)
        out[c.id] = summary_on(rows[(c.id, c.currency)], c.currency, today=days[c.timezone])
    return out


def customer_account(session: Session, clock: Clock, customer: Customer) -> AccountSummary:
    return customer_accounts(session, clock, [customer])[customer.id]
