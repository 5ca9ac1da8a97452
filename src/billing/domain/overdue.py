"""Overdue: what a customer owes late, read from its account on a day (no I/O).

**An invoice is overdue** on a day when something is still due on it and its due date is
before that day (the due date is the last day to pay: an invoice due on the 10th is overdue
on the 11th). It is never stored: the status an invoice answers is its stored settlement
status (``open``, ``paid``, ``void``: what the invoicing rules keep as money comes and goes)
read against today, so it cannot go stale when the clock moves, a payment lands or a credit
note gives something back. A paid or void invoice is never overdue.

**A disputed invoice** that is past due is still ``overdue``: it is late and unpaid, and the
statement, the aging, the customer's figures and the retention rule count it like any other.
The dispute only stops its reminders (and shows as ``disputed: true`` beside the status);
staff settle it by a credit note, or by resolving the dispute.

**A customer's account summary** (:class:`AccountSummary`) is the account in one currency on
a day: ``balance`` (the statement's closing balance: open amounts less customer credit less
unallocated credit; negative when the business owes the customer), ``open_amount``,
``overdue_amount`` (the open amounts of overdue invoices, as the statement and the aging sum
them), the customer credit. The customer answers ``status: "overdue"`` while any invoice is
overdue, else its stored status.

**Covered by credit.** Customer credit is spent by the next invoices, not by the open ones,
so an overdue invoice stays overdue (and is reminded of) while the customer holds credit. What
the customer is *in arrears* with is the overdue amount the credit it holds does not cover,
the oldest debt first: ``arrears = max(0, overdue − customer credit − unallocated credit)``,
never more than ``unpaid = max(0, balance)``. The cancellation brief shows these two, and the
retention rule ("no buying back a customer with unpaid invoices") refuses an offer while the
arrears are above zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

OVERDUE = "overdue"


def days_overdue(due_date: date | None, as_of: date) -> int:
    """Days past the due date on ``as_of`` (0 when not yet due, or without a due date)."""
    if due_date is None:
        return 0
    return max(0, (as_of - due_date).days)


def is_overdue(*, amount_due: int, due_date: date | None, today: date) -> bool:
    """Something is still due and the due date has passed (module docstring)."""
    return amount_due > 0 and due_date is not None and due_date < today


def invoice_status(stored: str, *, amount_due: int, due_date: date | None, today: date) -> str:
    """The status an invoice answers on ``today``: ``overdue`` for an open invoice past its
    due date with something still due, else the stored one (``open``, ``paid``, ``void``)."""
    if stored == "open" and is_overdue(amount_due=amount_due, due_date=due_date, today=today):
        return OVERDUE
    return stored


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """One customer's account in one currency on a day (minor units; module docstring)."""

    currency: str
    balance: int = 0
    open_amount: int = 0
    overdue_amount: int = 0
    overdue_invoices: int = 0
    disputed_amount: int = 0
    customer_credit: int = 0
    unallocated_credit: int = 0

    @property
    def unpaid(self) -> int:
        """What the customer owes on the account, net of the credit it holds."""
        return max(0, self.balance)

    @property
    def arrears(self) -> int:
        """The overdue amount the customer's credit does not cover (oldest debt first)."""
        return max(0, self.overdue_amount - self.customer_credit - self.unallocated_credit)

    def customer_status(self, stored: str) -> str:
        """``overdue`` while any invoice is overdue; else the stored status."""
        return OVERDUE if self.overdue_invoices > 0 else stored
