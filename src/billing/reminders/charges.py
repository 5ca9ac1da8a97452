"""A reminder's fee, compensation and interest as a reminder invoice.

Each is its own line, outside the scope of VAT (``LineTax(TaxCode.OUTSIDE_SCOPE, 0)``: a
reminder fee, a compensation for collection costs and late interest are not consideration for
a supply), on one invoice of the seller's series, numbered and referenced as any invoice by the
one writer, :func:`billing.invoicing.service.post_plan`. The entries are customer-level (no
subscription, no order: migration 0015), their ``item`` naming what they are, their
``event_id`` the reminder.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from billing.domain.entries import EntryKind
from billing.domain.late_payment import ReminderCharges
from billing.domain.ledger import Entry
from billing.domain.posting import TaxBook, plan_posting
from billing.domain.vat import LineTax, TaxCode
from billing.invoicing.service import Owner, post_plan, sale_for, terms_of
from billing.storage.models import Document

FEE, COMPENSATION, INTEREST = "reminder_fee", "late_compensation", "late_interest"
OUTSIDE_SCOPE = LineTax(TaxCode.OUTSIDE_SCOPE, 0)


def _outside_scope(_: Entry) -> LineTax:
    return OUTSIDE_SCOPE


def _line(item: str, amount: int, *, start: date, end: date, event_id: str) -> Entry:
    return Entry(
        item=item,
        kind=EntryKind.ONE_OFF,
        period_start=start,
        period_end=end,
        service_start=start,
        service_end=end,
        unit_amount=amount,
        quantity=1,
        period_amount=amount,
        amount=amount,
        event_id=event_id,
    )


def charge_entries(charges: ReminderCharges, *, on: date, reminder_id: str) -> list[Entry]:
    """The lines of one reminder, those that bill something: the fee and the compensation on
    the reminder's day, the interest over the days it is for."""
    day_after = on + timedelta(days=1)
    lines = [
        _line(FEE, charges.fee, start=on, end=day_after, event_id=reminder_id),
        _line(COMPENSATION, charges.compensation, start=on, end=day_after, event_id=reminder_id),
        _line(
            INTEREST,
            charges.interest,
            start=charges.interest_from,
            end=max(charges.interest_to, charges.interest_from + timedelta(days=1)),
            event_id=reminder_id,
        ),
    ]
    return [e for e in lines if e.amount > 0]


def post_charges(
    session: Session,
    *,
    customer_id: str,
    currency: str,
    charges: ReminderCharges,
    on: date,
    reminder_id: str,
) -> Document | None:
    """Invoice what the reminder bills (None: nothing to bill)."""
    entries = charge_entries(charges, on=on, reminder_id=reminder_id)
    if not entries:
        return None
    sale = sale_for(session, customer_id)
    plan = plan_posting(
        entries,
        invoice_of={},
        currency=currency,
        issue_date=on,
        payment_terms_days=terms_of(session, sale),
        taxes=TaxBook(charge=_outside_scope),
        issuer=sale.issuer,
    )
    owner = Owner(customer_id, currency, subscription_id=None, order_id=None, sale=sale)
    posting = post_plan(session, plan, owner=owner)
    return next(d for d in posting.documents if d.type == "invoice")
