"""What staff change: the late-payment tables, customers' reminder settings, disputes.

A table is changed a row at a time: ``PUT`` of a row adds it, or replaces the row of the same
country and ``valid_from``; the row is checked against the law first
(:func:`billing.domain.late_payment.validate_rule`), so a refused row changes nothing. A
customer's setting pauses its reminders or records that its contract provides for a reminder
fee (Sweden). A disputed invoice gets no reminders until the dispute is resolved.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import utcnow
from billing.customers import repository as customers
from billing.domain.late_payment import LatePaymentRule, check_country, validate_rule
from billing.invoicing import repository as invoices
from billing.reminders import repository
from billing.reminders.schemas import DisputeIn, RuleIn, SettingIn
from billing.storage.models import InvoiceDispute, LatePaymentRuleRow, ReminderSetting


def table(session: Session, country: str) -> dict[str, Any]:
    check_country(country)
    rows = repository.rule_rows(session, country)
    return {"country": country, "rules": [rule_json(r) for r in rows]}


def rule_json(row: LatePaymentRuleRow) -> dict[str, Any]:
    return {
        "valid_from": row.valid_from,
        "reference_rate_bps": row.reference_rate,
        "points_bps": row.points,
        "annual_rate_bps": row.reference_rate + row.points,
        "reminder_fee": row.reminder_fee,
        "fee_needs_agreement": row.fee_needs_agreement,
        "max_fees": row.max_fees,
        "max_reminders": row.max_reminders,
        "grace_days": row.grace_days,
        "spacing_days": row.spacing_days,
        "compensation": row.compensation,
        "source": row.source,
    }


def put_rule(session: Session, actor: Actor, country: str, body: RuleIn) -> dict[str, Any]:
    """Add or replace the row of ``country`` from ``body.valid_from``; the whole table back."""
    rule = validate_rule(
        LatePaymentRule(
            country=check_country(country),
            valid_from=body.valid_from,
            reference_rate=body.reference_rate_bps,
            points=body.points_bps,
            reminder_fee=body.reminder_fee,
            fee_needs_agreement=body.fee_needs_agreement,
            max_fees=body.max_fees,
            max_reminders=body.max_reminders,
            grace_days=body.grace_days,
            spacing_days=body.spacing_days,
            compensation=body.compensation,
        )
    )
    row = repository.rule_row(session, country, rule.valid_from)
    if row is None:
        row = LatePaymentRuleRow(country=country, valid_from=rule.valid_from)
        session.add(row)
    row.reference_rate, row.points = rule.reference_rate, rule.points
    row.reminder_fee, row.fee_needs_agreement = rule.reminder_fee, rule.fee_needs_agreement
    row.max_fees, row.max_reminders = rule.max_fees, rule.max_reminders
    row.grace_days, row.spacing_days = rule.grace_days, rule.spacing_days
    row.compensation, row.source = rule.compensation, body.source
    row.updated_at, row.updated_by = utcnow(), actor.name
    session.flush()
    return table(session, country)


def setting_json(customer_id: str, row: ReminderSetting | None) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "paused": row is not None and row.paused,
        "fee_agreed": row is not None and row.fee_agreed,
    }


def get_setting(session: Session, actor: Actor, customer_id: str) -> dict[str, Any]:
    customer = customers.get(session, customer_id, customer_scope=actor.customer_scope)
    return setting_json(customer.id, repository.setting(session, customer.id))


def put_setting(
    session: Session, actor: Actor, customer_id: str, body: SettingIn
) -> dict[str, Any]:
    customer = customers.get(session, customer_id, lock=True)
    row = repository.setting(session, customer.id)
    if row is None:
        row = ReminderSetting(customer_id=customer.id, paused=False, fee_agreed=False)
        session.add(row)
    if body.paused is not None:
        row.paused = body.paused
    if body.fee_agreed is not None:
        row.fee_agreed = body.fee_agreed
    row.updated_at, row.updated_by = utcnow(), actor.name
    session.flush()
    return setting_json(customer.id, row)


def dispute_json(invoice_id: str, row: InvoiceDispute | None) -> dict[str, Any]:
    open_ = row is not None and row.resolved_at is None
    return {
        "invoice_id": invoice_id,
        "disputed": open_,
        "reason": row.reason if row is not None else None,
    }


def open_dispute(
    session: Session, actor: Actor, invoice_id: str, body: DisputeIn
) -> dict[str, Any]:
    """The customer disputes the invoice: its reminders stop (again, if resolved before)."""
    invoice = invoices.lock_document(session, invoice_id, "invoice")
    row = repository.dispute(session, invoice.id)
    if row is None:
        row = InvoiceDispute(invoice_id=invoice.id)
        session.add(row)
    row.reason, row.opened_at, row.opened_by, row.resolved_at = (
        body.reason,
        utcnow(),
        actor.name,
        None,
    )
    session.flush()
    return dispute_json(invoice.id, row)


def resolve_dispute(session: Session, invoice_id: str) -> dict[str, Any]:
    """The dispute is settled: reminders resume where the law allows."""
    invoice = invoices.lock_document(session, invoice_id, "invoice")
    row = repository.dispute(session, invoice.id)
    if row is not None and row.resolved_at is None:
        row.resolved_at = utcnow()
        session.flush()
    return dispute_json(invoice.id, row)
