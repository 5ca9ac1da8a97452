"""Every query of reminders: the tables, the invoices to look at, reminders sent, settings."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.domain.late_payment import LatePaymentRule
from billing.storage.models import (
    Customer,
    Document,
    InvoiceDispute,
    LatePaymentRuleRow,
    Reminder,
    ReminderSetting,
    Seller,
)
from billing.storage.rows import get_row, scoped


def rule_rows(session: Session, country: str | None = None) -> list[LatePaymentRuleRow]:
    query = select(LatePaymentRuleRow).order_by(
        LatePaymentRuleRow.country, LatePaymentRuleRow.valid_from
    )
    if country is not None:
        query = query.where(LatePaymentRuleRow.country == country)
    return list(session.scalars(query))


def as_rule(row: LatePaymentRuleRow) -> LatePaymentRule:
    return LatePaymentRule(
        country=row.country,
        valid_from=row.valid_from,
        reference_rate=row.reference_rate,
        points=row.points,
        reminder_fee=row.reminder_fee,
        fee_needs_agreement=row.fee_needs_agreement,
        max_fees=row.max_fees,
        max_reminders=row.max_reminders,
        grace_days=row.grace_days,
        spacing_days=row.spacing_days,
        compensation=row.compensation,
    )


def rules(session: Session, country: str) -> list[LatePaymentRule]:
    return [as_rule(r) for r in rule_rows(session, country)]


def rule_row(session: Session, country: str, valid_from: date) -> LatePaymentRuleRow | None:
    return session.scalars(
        select(LatePaymentRuleRow).where(
            LatePaymentRuleRow.country == country, LatePaymentRuleRow.valid_from == valid_from
        )
    ).first()


def candidates(session: Session, *, on: date, after: str | None, limit: int) -> list[str]:
    """Open invoices past due on ``on`` (a day ahead, for time zones east of UTC), of sellers in
    a country with rules, not disputed, of customers whose reminders are not paused, and not
    themselves reminder invoices; by id, a page after ``after``."""
    paused = select(ReminderSetting.customer_id).where(ReminderSetting.paused.is_(True))
    disputed = select(InvoiceDispute.invoice_id).where(InvoiceDispute.resolved_at.is_(None))
    charges = select(Reminder.charge_invoice_id).where(Reminder.charge_invoice_id.is_not(None))
    query = (
        select(Document.id)
        .join(Seller, Seller.id == Document.seller_id)
        .where(
            Document.type == "invoice",
            Document.status == "open",
            Document.due_date.is_not(None),
            Document.due_date <= on,
            Seller.country.in_(("SE", "NO", "DK")),
            Document.customer_id.not_in(paused),
            Document.id.not_in(disputed),
            Document.id.not_in(charges),
        )
        .order_by(Document.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Document.id > after)
    return list(session.scalars(query))


def reminders_of(session: Session, invoice_id: str) -> list[Reminder]:
    return list(
        session.scalars(
            select(Reminder).where(Reminder.invoice_id == invoice_id).order_by(Reminder.sequence)
        )
    )


def reminders_of_customer(session: Session, customer_id: str) -> list[Reminder]:
    return list(
        session.scalars(
            select(Reminder)
            .where(Reminder.customer_id == customer_id)
            .order_by(Reminder.sent_on, Reminder.id)
        )
    )


def setting(session: Session, customer_id: str) -> ReminderSetting | None:
    return session.get(ReminderSetting, customer_id)


def open_dispute(session: Session, invoice_id: str) -> InvoiceDispute | None:
    row = session.get(InvoiceDispute, invoice_id)
    return row if row is not None and row.resolved_at is None else None


def dispute(session: Session, invoice_id: str) -> InvoiceDispute | None:
    return session.get(InvoiceDispute, invoice_id)


def seller(session: Session, seller_id: str | None) -> Seller | None:
    return session.get(Seller, seller_id) if seller_id is not None else None


def customer(session: Session, customer_id: str) -> Customer:
    row = session.get(Customer, customer_id)
    assert row is not None
    return row


def get_reminder(session: Session, reminder_id: str, *, customer_scope: str | None) -> Reminder:
    """The reminder, as a caller scoped to one customer may see it (another's: not found)."""
    return get_row(
        session,
        Reminder,
        reminder_id,
        scoped(Reminder.customer_id, customer_scope),
        missing=f"reminder {reminder_id} not found",
    )


def document(session: Session, document_id: str) -> Document:
    row = session.get(Document, document_id)
    assert row is not None
    return row
