"""Usage in a bill run's batch: read in bulk, derived per subscription beside the timeline.

For the batch's subscriptions, three queries whatever their number: the metrics of their plans
(only subscriptions whose plan has metrics go further), their usage events, and their posted
usage entries (every one: a late event may reach a stretch billed long ago, and the credit of a
usage charge names it and its invoice). Per subscription, :meth:`BatchUsage.difference` is the
usage difference at ``as_of`` (:func:`billing.domain.usage_target.usage_difference`); the bill
run posts it with the timeline's on the same documents. Nothing is written here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from billing.domain.entries import USAGE_PREFIX, Entry
from billing.domain.events import Event
from billing.domain.timeline import Schedule
from billing.domain.usage import Metric, metrics_of
from billing.domain.usage_target import MetricHistory, plan_metrics, plans_of, usage_difference
from billing.domain.vat import LineTax, TaxCategory
from billing.invoicing.issuing import row_tax
from billing.invoicing.repository import entry_from_row
from billing.storage.models import LedgerEntry, Plan, Subscription
from billing.usage import repository

entries_t = LedgerEntry.__table__


class BatchUsage:
    """The batch's metrics, usage events and posted usage entries."""

    def __init__(self, conn: Connection, events_of: Mapping[str, Sequence[Event]]) -> None:
        """``events_of``: the timeline of each subscription of the batch."""
        of_plan: dict[str, dict[str, Metric]] = {}
        broken: dict[str, Exception] = {}
        for r in conn.execute(select(Plan.id, Plan.usage_metrics).where(
                Plan.usage_metrics.is_not(None))):  # fmt: skip
            try:
                of_plan[r.id] = metrics_of(r.usage_metrics)
            except Exception as exc:  # noqa: BLE001 - a plan's fault parks its subscriptions
                broken[r.id] = exc
        q = select(Subscription.id, Subscription.plan_id).where(
            Subscription.id.in_(sorted(events_of))
        )
        current: dict[str, str] = {r.id: r.plan_id for r in conn.execute(q)}
        #: Per subscription whose plans bill usage: the metrics in force by date.
        self.metrics: dict[str, MetricHistory] = {}
        #: Subscriptions on a plan whose metrics do not read: their difference raises it, so
        #: the bill run parks them alone (:mod:`billing.bill_runs.parking`).
        self.failed: dict[str, Exception] = {}
        for sid, events in events_of.items():
            plans = plans_of(events, current.get(sid))
            fault = next((broken[p] for p in plans if p in broken), None)
            if fault is not None:
                self.failed[sid] = fault
                continue
            history = plan_metrics(events, of_plan, current.get(sid))
            if any(ms for _, ms in history):
                self.metrics[sid] = history
        #: Of each posted usage entry: the document that carries it, and (charges) its tax.
        self.document_of: dict[str, str] = {}
        self.taxes_of: dict[str, LineTax] = {}
        self.posted: dict[str, list[Entry]] = {}
        self.samples: dict[str, Any] = {}
        if not self.metrics:
            return
        ids = sorted(self.metrics)
        props = {c: m.property_key for ms in of_plan.values() for c, m in ms.items()}
        self.samples = repository.samples_of(conn, ids, properties=props)
        self._read_posted(conn, ids)

    def _read_posted(self, conn: Connection, ids: Sequence[str]) -> None:
        q = (
            select(entries_t)
            .where(entries_t.c.subscription_id.in_(ids), entries_t.c.item.startswith(USAGE_PREFIX))
            .order_by(entries_t.c.subscription_id, entries_t.c.id)
        )
        for r in conn.execute(q):
            self.posted.setdefault(r.subscription_id, []).append(entry_from_row(r))
            if r.document_id is not None:
                self.document_of[str(r.id)] = r.document_id
            if r.amount >= 0:
                self.taxes_of[str(r.id)] = row_tax(r.tax_code, r.vat_rate, r.vat_inclusive)

    def difference(self, subscription_id: str, schedule: Schedule, *, as_of: date) -> list[Entry]:
        """The new usage entries of the subscription at ``as_of`` (none without metrics)."""
        if subscription_id in self.failed:
            raise self.failed[subscription_id]
        metrics = self.metrics.get(subscription_id)
        if metrics is None:
            return []
        return usage_difference(
            schedule,
            metrics,
            self.samples.get(subscription_id, {}),
            self.posted.get(subscription_id, ()),
            as_of=as_of,
        )

    def item_categories(self, subscription_id: str) -> dict[str, TaxCategory]:
        """The tax category of the usage items of metrics that name their own."""
        return item_categories(self.metrics.get(subscription_id, ()))


def item_categories(history: MetricHistory) -> dict[str, TaxCategory]:
    """``{usage item: category}`` for every tier item of the metrics with their own category
    (items not listed are taxed as the plan is; a later plan's metric wins)."""
    out: dict[str, TaxCategory] = {}
    for m in (m for _, ms in history for m in ms.values()):
        if m.tax_category is not None:
            for tier in range(1, len(m.price_tiers) + 1):
                out[m.item(tier)] = m.tax_category
    return out
