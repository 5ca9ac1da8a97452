"""Queries only the console needs: keys by id, a subscription, a customer's subscriptions,
documents and orders, and a subscription's documents (finding customers: search.py)."""

from __future__ import annotations

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
