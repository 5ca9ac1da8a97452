"""Aging: how long what is owed has been overdue, in the buckets receivables are read by.

An invoice is overdue on a day when something is still due on it and its due date is before
that day: ``days overdue = day − due date`` (the due date itself is the last day to pay, so
an invoice due on the 10th is 1 day overdue on the 11th). Buckets: ``not_due`` (0 days, or no
due date), ``1_30``, ``31_60``, ``61_90``, ``over_90``. Nothing here changes a stored status: an
invoice's ``overdue`` is read from the same rule (:mod:`billing.domain.overdue`) whenever it
is shown.

The aging of many accounts (:func:`aging_rows`) sums the amounts due per bucket for each
customer and currency, with the customer credit and the unallocated credit beside them, so that
``balance = open − customer credit − unallocated credit`` is the statement's closing balance
on that day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from billing.domain.overdue import days_overdue

__all__ = [
    "BUCKETS",
    "AgingRow",
    "Bucket",
    "DueInvoice",
    "aging_rows",
    "bucket_of",
    "days_overdue",
    "empty_buckets",
]


class Bucket(StrEnum):
    NOT_DUE = "not_due"
    DAYS_1_30 = "1_30"
    DAYS_31_60 = "31_60"
    DAYS_61_90 = "61_90"
    OVER_90 = "over_90"


BUCKETS: tuple[Bucket, ...] = tuple(Bucket)


def bucket_of(days: int) -> Bucket:
    if days <= 0:
        return Bucket.NOT_DUE
    if days <= 30:
        return Bucket.DAYS_1_30
    if days <= 60:
        return Bucket.DAYS_31_60
    if days <= 90:
        return Bucket.DAYS_61_90
    return Bucket.OVER_90


def empty_buckets() -> dict[Bucket, int]:
    return dict.fromkeys(BUCKETS, 0)


@dataclass(frozen=True, slots=True)
class DueInvoice:
    """What one invoice asks on a day (from :func:`billing.receivables.statement.position`)."""

    customer_id: str
    currency: str
    due_date: date | None
    amount_due: int
    unallocated: int


@dataclass(slots=True)
class AgingRow:
    """One customer's account in one currency on a day."""

    customer_id: str
    currency: str
    buckets: dict[Bucket, int] = field(default_factory=empty_buckets)
    customer_credit: int = 0
    unallocated_credit: int = 0

    @property
    def open_total(self) -> int:
        return sum(self.buckets.values())

    @property
    def overdue_total(self) -> int:
        return self.open_total - self.buckets[Bucket.NOT_DUE]

    @property
    def balance(self) -> int:
        return self.open_total - self.customer_credit - self.unallocated_credit


def aging_rows(
    invoices: Iterable[DueInvoice],
    credits: Mapping[tuple[str, str], int],
    *,
    as_of: date,
) -> list[AgingRow]:
    """Accounts with something due, credit held or credit unallocated on ``as_of``, by
    customer and currency; ``credits``: customer credit per (customer, currency)."""
    rows: dict[tuple[str, str], AgingRow] = {}

    def row(key: tuple[str, str]) -> AgingRow:
        if key not in rows:
            rows[key] = AgingRow(*key)
        return rows[key]

    for inv in invoices:
        r = row((inv.customer_id, inv.currency))
        if inv.amount_due:
            r.buckets[bucket_of(days_overdue(inv.due_date, as_of))] += inv.amount_due
        r.unallocated_credit += inv.unallocated
    for key, amount in credits.items():
        if amount:
            row(key).customer_credit += amount
    return [
        rows[k]
        for k in sorted(rows)
        if rows[k].open_total or rows[k].customer_credit or rows[k].unallocated_credit
    ]
