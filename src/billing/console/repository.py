"""Queries only the console needs: finding customers by name, keys by id, a subscription's
documents and its customer's subscriptions."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from billing.errors import NotFound
from billing.storage.models import ApiKey, Customer, Document, Subscription
from billing.storage.rows import rows_where

SEARCH_LIMIT = 50


def api_key(session: Session, key_id: str) -> ApiKey | None:
    return session.get(ApiKey, key_id)


def find_customers(session: Session, query: str, *, limit: int = SEARCH_LIMIT) -> list[Customer]:
    """Customers whose name or external reference contains ``query`` in any case, or whose id
    is ``query``; by name."""
    q = select(Customer).order_by(Customer.name, Customer.id).limit(limit)
    query = query.strip()
    if query:
        # ILIKE is Unicode-aware on PostgreSQL; SQLite folds ASCII case only, so the usual
        # spellings of the query ("ängs", "Ängs", "ÄNGS") are matched too.
        variants = {query, query.lower(), query.upper(), query.capitalize(), query.title()}
        conditions = [Customer.id == query]
        for v in variants:
            pattern = "%" + v.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conditions.append(Customer.name.ilike(pattern, escape="\\"))
            conditions.append(Customer.external_ref.ilike(pattern, escape="\\"))
        q = q.where(or_(*conditions))
    return list(session.scalars(q))


def subscription(session: Session, subscription_id: str) -> Subscription:
    sub = session.get(Subscription, subscription_id)
    if sub is None:
        raise NotFound("no such subscription")
    return sub


def customer_subscriptions(session: Session, customer_id: str) -> list[Subscription]:
    order = [Subscription.start_date, Subscription.id]
    of_customer = Subscription.customer_id == customer_id
    return rows_where(session, Subscription, of_customer, order_by=order)


def subscription_documents(session: Session, subscription_id: str) -> list[Document]:
    """Invoices and credit notes of a subscription, in posting order."""
    order = [Document.created_at, Document.type.desc(), Document.number]
    of_subscription = Document.subscription_id == subscription_id
    return rows_where(session, Document, of_subscription, order_by=order)
