"""The scheduler's reminder pass: each overdue invoice's next reminder, when the law allows it.

An invoice gets a reminder when it is ``open`` (a paid, credited or void invoice is not: the
invoicing rules set that status), past its due date by the country's grace, not disputed, its
customer's reminders not paused by staff, the table of its seller's country has a row on the
day, fewer than ``max_reminders`` went, and the last one is ``spacing_days`` old. Reminder
invoices themselves get none (no reminder fees on reminder fees). "Today" is the service clock's
day in the customer's time zone.

A reminder records what it bills (:func:`billing.domain.late_payment.reminder_charges`), posts
the reminder invoice (:mod:`billing.reminders.charges`) and announces ``reminder.sent`` in the
feed (and so to webhooks), under the overdue invoice's customer and subscription.

Locks: the feed first, then the invoice's row (as every writer of documents), so a payment
recorded meanwhile either lands before (no reminder) or after (the reminder saw it owed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from billing.clock import Clock, utcnow
from billing.domain.errors import InvalidInput
from billing.domain.late_payment import (
    COUNTRIES,
    LatePaymentRule,
    ReminderCharges,
    reminder_charges,
    reminder_due,
    rule_on,
)
from billing.events.service import emit_for
from billing.ids import new_id
from billing.invoicing import repository as invoices
from billing.invoicing.status import amount_due
from billing.reminders import repository
from billing.reminders.charges import post_charges
from billing.storage.db import unit_of_work
from billing.storage.models import Customer, Document, Reminder, ReminderSetting

PAGE = 500


def run_reminders(factory: sessionmaker[Session], clock: Clock) -> dict[str, Any]:
    """The scheduler's reminder pass: one transaction per invoice; idempotent on a day."""
    checked = 0
    sent: list[str] = []
    after: str | None = None
    with unit_of_work(factory) as session:
        # A day ahead of UTC's: the invoices due by then in any time zone; each is then
        # checked against its own customer's day.
        horizon = clock.today(session, "UTC") + timedelta(days=1)
    while True:
        with unit_of_work(factory) as session:
            ids = repository.candidates(session, on=horizon, after=after, limit=PAGE)
        if not ids:
            break
        for invoice_id in ids:
            with unit_of_work(factory) as session:
                reminder = remind_invoice(session, clock, invoice_id)
                if reminder is not None:
                    sent.append(reminder.id)
            checked += 1
        after = ids[-1]
    return {"checked": checked, "sent": sent}


@dataclass(frozen=True, slots=True)
class _Due:
    """An invoice whose next reminder is due today, and what decides its charges."""

    invoice: Document
    customer: Customer
    setting: ReminderSetting | None
    table: list[LatePaymentRule]
    rule: LatePaymentRule
    today: date
    before: list[Reminder]


def _due(session: Session, clock: Clock, invoice: Document) -> _Due | None:
    if invoice.status != "open" or invoice.due_date is None:
        return None
    if repository.open_dispute(session, invoice.id) is not None:
        return None
    setting = repository.setting(session, invoice.customer_id)
    if setting is not None and setting.paused:
        return None
    seller = repository.seller(session, invoice.seller_id)
    if seller is None or seller.country not in COUNTRIES:
        return None
    customer = repository.customer(session, invoice.customer_id)
    today = clock.today(session, customer.timezone)
    table = repository.rules(session, seller.country)
    try:
        rule = rule_on(table, today, country=seller.country)
    except InvalidInput:
        return None  # no row yet for the day: staff have not set the law's figures
    before = repository.reminders_of(session, invoice.id)
    sent = [r.sent_on for r in before]
    if not reminder_due(rule, due_date=invoice.due_date, today=today, sent=sent):
        return None
    return _Due(invoice, customer, setting, table, rule, today, before)


def remind_invoice(session: Session, clock: Clock, invoice_id: str) -> Reminder | None:
    """Send the invoice's next reminder if it is due today; None if not."""
    invoice = invoices.lock_document(session, invoice_id, "invoice")
    due = _due(session, clock, invoice)
    overdue = amount_due(session, invoice) if due is not None else 0
    if due is None or overdue <= 0 or invoice.due_date is None:
        return None
    charges = reminder_charges(
        due.table,
        due.rule,
        overdue=overdue,
        today=due.today,
        interest_from=due.before[-1].interest_to if due.before else invoice.due_date,
        reminders_before=len(due.before),
        fee_agreed=due.setting is not None and due.setting.fee_agreed,
        business=due.customer.kind == "business",
    )
    reminder = _record(
        invoice, charges, overdue=overdue, sequence=len(due.before) + 1, today=due.today
    )
    session.add(reminder)
    session.flush()
    charge = post_charges(
        session,
        customer_id=invoice.customer_id,
        currency=invoice.currency,
        charges=charges,
        on=due.today,
        reminder_id=reminder.id,
    )
    reminder.charge_invoice_id = charge.id if charge is not None else None
    session.flush()
    payload = sent_payload(reminder, invoice, charge)
    emit_for(session, "reminder.sent", invoice, payload, subject_id=reminder.id)
    return reminder


def _record(
    invoice: Document, charges: ReminderCharges, *, overdue: int, sequence: int, today: date
) -> Reminder:
    return Reminder(
        id=new_id("rem"),
        invoice_id=invoice.id,
        customer_id=invoice.customer_id,
        sequence=sequence,
        sent_on=today,
        currency=invoice.currency,
        overdue=overdue,
        fee=charges.fee,
        compensation=charges.compensation,
        interest=charges.interest,
        interest_from=charges.interest_from,
        interest_to=charges.interest_to,
        rate=charges.rate,
        charge_invoice_id=None,
        created_at=utcnow(),
    )


def sent_payload(reminder: Reminder, invoice: Document, charge: Document | None) -> dict[str, Any]:
    """The ``reminder.sent`` event's data (and the reminder's JSON)."""
    return {
        "reminder_id": reminder.id,
        "invoice_id": reminder.invoice_id,
        "sequence": reminder.sequence,
        "sent_on": reminder.sent_on.isoformat(),
        "currency": reminder.currency,
        "overdue": reminder.overdue,
        "fee": reminder.fee,
        "compensation": reminder.compensation,
        "interest": reminder.interest,
        "interest_from": reminder.interest_from.isoformat(),
        "interest_to": reminder.interest_to.isoformat(),
        "rate_bps": reminder.rate,
        "payment_reference": invoice.payment_reference,
        "charge_invoice_id": reminder.charge_invoice_id,
        "charge_total": charge.total if charge is not None else 0,
        "charge_payment_reference": charge.payment_reference if charge is not None else None,
    }
