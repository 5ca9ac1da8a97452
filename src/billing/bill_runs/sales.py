"""Who sells to each subscription of a batch, and how its new lines are taxed (the bill run's
side of :mod:`billing.invoicing.issuing`, read in bulk).

One query reads, for the batch's subscriptions, the customer (the buyer) and the plan (tax
category, VAT-inclusive prices, add-ons' categories); the sellers are few and read once. The
sale of a subscription is made only when it has something to post: a customer with no seller
raises ``seller_missing``, which parks that subscription alone. Credits need the VAT their
invoices' earlier credit notes gave back: read per crediting subscription (rare in a bill run).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from billing.bill_runs.repository import Claim, in_range
from billing.domain.events import Event
from billing.domain.ledger import Entry
from billing.domain.posting import PostingPlan, plan_posting
from billing.domain.vat import LineTax, TaxCategory
from billing.errors import Conflict
from billing.invoicing import issuing
from billing.invoicing.issuing import Sale
from billing.storage.models import Customer, Document, Plan, Seller, Subscription

customers_t = Customer.__table__
plans_t = Plan.__table__
sellers_t = Seller.__table__
subscriptions_t = Subscription.__table__
documents_t = Document.__table__

__all__ = ["Sales"]


class Sales:
    """The batch's buyers, plans and sellers; the sale and tax book of each subscription."""

    def __init__(self, conn: Connection, claim: Claim) -> None:
        self.conn = conn
        q = (
            select(
                subscriptions_t.c.id.label("subscription_id"),
                plans_t.c.tax_category.label("plan_tax_category"),
                plans_t.c.prices_include_vat.label("plan_prices_include_vat"),
                plans_t.c.addons.label("plan_addons"),
                *customers_t.c,
            )
            .join(customers_t, customers_t.c.id == subscriptions_t.c.customer_id)
            .join(plans_t, plans_t.c.id == subscriptions_t.c.plan_id)
            .where(*in_range(subscriptions_t.c.id, claim))
        )
        self.rows: dict[str, Any] = {r.subscription_id: r for r in conn.execute(q)}
        self.sellers: dict[str, Any] = {r.id: r for r in conn.execute(select(sellers_t))}
        self.default = next((r for r in self.sellers.values() if r.is_default), None)
        self.sales: dict[str, Sale] = {}
        self._of_customer: dict[str, Sale] = {}

    def sale(self, subscription_id: str) -> Sale:
        """The sale to the subscription's customer (``seller_missing`` if it has no seller),
        made once per customer."""
        row = self.rows[subscription_id]
        sale = self._of_customer.get(row.id)
        if sale is None:
            seller = self.sellers.get(row.seller_id) if row.seller_id else self.default
            if seller is None:
                raise Conflict(
                    "no seller to issue documents: create one with POST /v1/sellers",
                    code="seller_missing",
                )
            sale = self._of_customer[row.id] = issuing.sale_of(seller, row)
        self.sales[subscription_id] = sale
        return sale

    def plan(
        self,
        subscription_id: str,
        new: Sequence[Entry],
        *,
        posted: Mapping[str, LineTax],
        invoice_of: Mapping[str, str],
        currency: str,
        as_of: date,
        payment_terms_days: int,
        bill_run_id: str,
        events: Sequence[Event] = (),
        items: Mapping[str, TaxCategory] | None = None,
    ) -> PostingPlan:
        """The posting plan of a subscription's ``new`` entries, taxed and issued by its
        seller; ``items``: lines with a category of their own beyond the timeline's one-offs
        (usage metrics')."""
        sale = self.sale(subscription_id)
        row = self.rows[subscription_id]
        category = TaxCategory(row.plan_tax_category)
        addons = {
            str(a["code"]): TaxCategory(str(a.get("tax_category") or category.value))
            for a in row.plan_addons or ()
        }
        credited = [invoice_of[e.credits] for e in new if e.credits is not None]
        book = issuing.subscription_book(
            sale,
            category=category,
            addons=addons,
            inclusive=bool(row.plan_prices_include_vat),
            posted=posted,
            before=issuing.credited_before(self._breakdowns(credited)) if credited else {},
            items={**issuing.item_categories(events), **(items or {})},
        )
        return plan_posting(
            new,
            invoice_of=invoice_of,
            currency=currency,
            issue_date=as_of,
            payment_terms_days=(
                sale.payment_terms_days
                if sale.payment_terms_days is not None
                else payment_terms_days
            ),
            bill_run_id=bill_run_id,
            taxes=book,
            issuer=sale.issuer,
        )

    def _breakdowns(self, invoice_ids: list[str]) -> list[tuple[str, Any]]:
        q = select(documents_t.c.invoice_id, documents_t.c.vat_breakdown).where(
            documents_t.c.type == "credit_note",
            documents_t.c.invoice_id.in_(sorted(set(invoice_ids))),
        )
        return [(str(r[0]), r[1]) for r in self.conn.execute(q)]
