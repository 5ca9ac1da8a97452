"""Queries only the console needs: keys by id, a subscription, a customer's subscriptions,
documents and orders, and a subscription's documents (finding customers: search.py)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.errors import NotFound
from billing.storage.models import ApiKey, Document, Order, Subscription
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
