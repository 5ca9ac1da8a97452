"""Reminders for a caller: JSON, and the reminder document as HTML and PDF.

A portal key reads its own customer's reminders only (another customer's: 404, as everywhere).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.customers import repository as customers
from billing.receivables import repository as receivables
from billing.reminders import repository
from billing.reminders.render import ReminderView, reminder_view
from billing.reminders.service import sent_payload
from billing.storage.models import Reminder


def reminder_json(session: Session, reminder: Reminder) -> dict[str, Any]:
    invoice = repository.document(session, reminder.invoice_id)
    charge = (
        repository.document(session, reminder.charge_invoice_id)
        if reminder.charge_invoice_id is not None
        else None
    )
    payload = sent_payload(reminder, invoice, charge)
    return {"id": reminder.id, "customer_id": reminder.customer_id, **payload}


def list_reminders(session: Session, actor: Actor, customer_id: str) -> dict[str, Any]:
    customer = customers.get(session, customer_id, customer_scope=actor.customer_scope)
    rows = repository.reminders_of_customer(session, customer.id)
    return {"data": [reminder_json(session, r) for r in rows]}


def get_reminder(session: Session, actor: Actor, reminder_id: str) -> dict[str, Any]:
    row = repository.get_reminder(session, reminder_id, customer_scope=actor.customer_scope)
    return reminder_json(session, row)


def view_of(session: Session, actor: Actor, reminder_id: str) -> ReminderView:
    row = repository.get_reminder(session, reminder_id, customer_scope=actor.customer_scope)
    customer = repository.customer(session, row.customer_id)
    rows = receivables.account_rows(session, customer.id, row.currency)
    invoice = repository.document(session, row.invoice_id)
    return reminder_view(rows, reminder=row, invoice=invoice, customer=customer)
