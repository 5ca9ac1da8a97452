"""Queries only the console needs: keys by id, a subscription, a customer's subscriptions,
documents and orders, a subscription's documents, names of people and customers, and the
activity log read backwards (finding customers: search.py; the log forwards: billing.audit)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.errors import NotFound
from billing.storage.models import (
    ApiKey,
    AuditEntry,
    Customer,
    Document,
    Order,
    Person,
    Subscription,
)
from billing.storage.rows import rows_where


def api_key(session: Session, key_id: str) -> ApiKey | None:
    return session.get(ApiKey, key_id)


def subscription(session: Session, subscription_id: str) -> Subscription:
    sub = session.get(Subscription, subscription_id)
    if sub is None:
        raise NotFound("no such subscription")
    return sub


def customer_subscriptions(session: Session, customer_id: str) -> list[Subscription]:
    order = [Subscription.start_date, Subscription.id]
    of_customer = Subscription.customer_id == customer_id
    return rows_where(session, Subscription, of_customer, order_by=order)


#: A document number as people type it: its series (letters, maybe with hyphens, as
#: "SE-INV"), a hyphen or a space or nothing, and the number with or without leading zeros.
DOCUMENT_NUMBER = re.compile(r"([A-Za-z](?:[A-Za-z-]{0,18}[A-Za-z])?)[- ]?0*(\d{1,12})")


def invoice_by_number(session: Session, text: str) -> Document | None:
    """The invoice a person names by its number ("INV-000042", "inv-42") or its id."""
    text = text.strip()
    found = DOCUMENT_NUMBER.fullmatch(text)
    if found:
        q = select(Document).where(
            Document.type == "invoice",
            Document.series == found.group(1).upper(),
            Document.number == int(found.group(2)),
        )
        doc = session.scalars(q).first()
        if doc is not None:
            return doc
    doc = session.get(Document, text)
    return doc if doc is not None and doc.type == "invoice" else None


def documents(session: Session, ids: list[str]) -> list[Document]:
    """The documents of ``ids`` (those that exist)."""
    if not ids:
        return []
    return list(session.scalars(select(Document).where(Document.id.in_(ids))))


def customer_documents(session: Session, customer_id: str) -> list[Document]:
    """Every invoice and credit note of a customer, subscriptions' and orders' alike, newest
    first."""
    order = [Document.issue_date.desc(), Document.created_at.desc(), Document.number.desc()]
    return rows_where(session, Document, Document.customer_id == customer_id, order_by=order)


def customer_orders(session: Session, customer_id: str) -> list[Order]:
    order = [Order.created_at.desc(), Order.id]
    return rows_where(session, Order, Order.customer_id == customer_id, order_by=order)


def subscription_documents(session: Session, subscription_id: str) -> list[Document]:
    """Invoices and credit notes of a subscription, in posting order."""
    order = [Document.created_at, Document.type.desc(), Document.number]
    of_subscription = Document.subscription_id == subscription_id
    return rows_where(session, Document, of_subscription, order_by=order)


def people_named(session: Session, ids: set[str]) -> dict[str, str]:
    """The names of those of ``ids`` that are people (the others are API keys)."""
    people = [i for i in ids if i.startswith("person_")]
    if not people:
        return {}
    return dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(people))).all())


def customers_named(session: Session, ids: set[str | None]) -> dict[str, str]:
    known = [i for i in ids if i]
    if not known:
        return {}
    q = select(Customer.id, Customer.name).where(Customer.id.in_(known))
    return dict(session.execute(q).all())


def audit_before(
    session: Session, before: int | None, limit: int, customer_id: str | None
) -> list[AuditEntry]:
    """The ``limit`` entries of the activity log just before ``before`` (the latest without
    it), one customer's with ``customer_id``."""
    q = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if before is not None:
        q = q.where(AuditEntry.seq < before)
    if customer_id is not None:
        q = q.where(AuditEntry.customer_id == customer_id)
    return list(session.scalars(q))


def audit_beyond(session: Session, seq: int, customer_id: str | None, direction: int) -> bool:
    """Whether the log has an entry after ``seq`` (``direction`` 1) or before it (-1)."""
    q = select(AuditEntry.seq).limit(1)
    q = q.where(AuditEntry.seq > seq if direction > 0 else AuditEntry.seq < seq)
    if customer_id is not None:
        q = q.where(AuditEntry.customer_id == customer_id)
    return session.scalar(q) is not None
