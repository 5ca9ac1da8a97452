"""Usage in a bill run's batch: read in bulk, derived per subscription beside the timeline.

For the batch's subscriptions, a few queries whatever their number: the metrics of their plans
(only subscriptions whose plan has metrics go further), their usage marks, the usage events that
can still change a charge, and their posted usage entries (every one: a late event may reach a
stretch billed long ago, and the credit of a usage charge names it and its invoice).

**What is read** (the watermark). A subscription's usage mark (``usage_marks``) says at what
``as_of`` the last run posted its usage difference, against which timeline event, and the
earliest day of the events stored since (every write of events notes it, in its own
transaction). When the timeline is the same, only the stretches ending after the earlier of
that ``as_of`` and that day can differ from what is posted
(:func:`billing.domain.usage_target.changed_from`), and only the events from the start of the
billing period (or, with a contract-year metric, the contract year) holding that day can count
in them (:func:`~billing.domain.usage_target.read_from`): those are read, and the others left
as they are. Without a mark, or with another timeline, every event is read. Per subscription,
:meth:`BatchUsage.difference` is the usage difference at ``as_of``
(:func:`billing.domain.usage_target.usage_difference`); the bill run posts it with the
timeline's on the same documents, and :meth:`BatchUsage.write` moves the marks in the same
transaction (a mark events were stored under meanwhile stays as it is: read again next time).
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
from billing.domain.usage_target import (
    MetricHistory,
    changed_from,
    plan_metrics,
    plans_of,
    read_from,
    usage_difference,
)
from billing.domain.vat import LineTax, TaxCategory
from billing.invoicing.issuing import row_tax
from billing.invoicing.repository import entry_from_row
from billing.storage.models import LedgerEntry, Plan, Subscription
from billing.usage import repository

entries_t = LedgerEntry.__table__


class BatchUsage:
    """The batch's metrics, usage events and posted usage entries."""

    def __init__(
        self, conn: Connection, events_of: Mapping[str, Sequence[Event]], *, watermark: bool = True
    ) -> None:
        """``events_of``: the timeline of each subscription of the batch. Without
        ``watermark``, every event of each is read (what the marks save: tests compare)."""
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
        #: Per subscription read from a point on: the day its stretches are derived after.
        self.changed_from: dict[str, date] = {}
        #: The marks as read: (version, timeline seq) per subscription with one.
        self.marks: dict[str, tuple[int, int]] = {}
        #: The marks to move once posted: (subscription, version read or None, timeline seq).
        self.settled: list[tuple[str, int | None, int]] = []
        if not self.metrics:
            return
        ids = sorted(self.metrics)
        props = {c: m.property_key for ms in of_plan.values() for c, m in ms.items()}
        from_of = self._windows(conn, ids, events_of) if watermark else {}
        full = [sid for sid in ids if sid not in from_of]
        if full:
            self.samples = repository.samples_of(conn, full, properties=props)
        if from_of:
            self.samples.update(
                repository.samples_of(conn, sorted(from_of), properties=props, from_of=from_of)
            )
        self._read_posted(conn, ids)

    def _windows(
        self, conn: Connection, ids: Sequence[str], events_of: Mapping[str, Sequence[Event]]
    ) -> dict[str, date]:
        """Read the marks of ``ids``; the first day to read of each whose mark holds (the
        others: every event). Notes each one's :attr:`changed_from`."""
        from_of: dict[str, date] = {}
        for sid, mark in repository.marks_of(conn, ids).items():
            self.marks[sid] = (mark.version, mark.timeline_seq)
            events = events_of[sid]
            if mark.timeline_seq != max(e.seq for e in events):
                continue  # another timeline: every event is read
            try:
                schedule = Schedule(events)
                day = changed_from(schedule, mark.settled_as_of, mark.dirty_from)
                if day is not None:
                    from_of[sid] = read_from(schedule, self.metrics[sid], day)
                    self.changed_from[sid] = day
            except Exception:  # noqa: BLE001 - read everything; the derivation parks it
                self.changed_from.pop(sid, None)
                from_of.pop(sid, None)
        return from_of

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
            changed_from=self.changed_from.get(subscription_id),
        )

    def settle(self, subscription_id: str, events: Sequence[Event]) -> None:
        """Note that the subscription's usage difference posts (with the batch's writes)."""
        if subscription_id not in self.metrics:
            return
        mark = self.marks.get(subscription_id)
        self.settled.append(
            (subscription_id, None if mark is None else mark[0], max(e.seq for e in events))
        )

    def write(self, conn: Connection, *, as_of: date) -> None:
        """Move the marks of the subscriptions whose difference posted."""
        repository.settle_marks(conn, self.settled, as_of=as_of)

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
