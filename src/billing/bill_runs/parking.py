"""Parking: a subscription that a bill run cannot bill is set aside; the rest of its batch bills.

Kill Bill's "parked accounts" are the model. Whatever goes wrong while one subscription's due
documents are derived — a timeline row the codec refuses, a domain error, a bug — or whatever
they would hold that cannot be written (an amount past a 64-bit column, a document past the
contract's total bound, :mod:`billing.domain.bounds`) parks *that* subscription with a problem
code and detail, and the batch goes on without it:

* everything is checked before the batch takes its document numbers and writes in bulk, so the
  bulk write itself cannot fail on one row (and numbers stay gapless: a parked subscription
  never took one);
* each parked subscription is a row of ``bill_run_parked`` (run, subscription, code, detail) and
  a ``bill_run.subscription_parked`` feed event, in the batch's own transaction;
* parking belongs to one run, not to the subscription: the next run derives it again like any
  other, bills it once it can be billed, and parks it again (a row of that run) while it cannot.

Problem codes: a domain error's own code (``invalid_timeline`` for an event that does not
decode, ``amount_too_large`` for amounts past the bounds); :data:`BILLING_FAILED` for any other
exception, its detail naming the exception's class.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from billing.bill_runs import bulk
from billing.bill_runs.numbers import Numbering, PendingEvent
from billing.bill_runs.repository import Claim
from billing.domain.bounds import COLUMN_MAX, MAX_DOCUMENT_TOTAL, AmountTooLarge, fits_column
from billing.domain.errors import DomainError
from billing.domain.posting import PostingPlan

#: The problem code of a failure that is no domain error (a bug, a fault in the data).
BILLING_FAILED = "billing_failed"
#: The feed event announcing a parked subscription.
PARKED_EVENT = "bill_run.subscription_parked"
#: A detail is kept to this many characters (an exception's text can be long).
DETAIL_CHARS = 2000

PARKED_COLUMNS = (
    "bill_run_id", "subscription_id", "customer_id", "batch_seq", "code", "detail", "parked_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Parked:
    """One subscription a run could not bill, and why."""

    subscription_id: str
    code: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"subscription_id": self.subscription_id, "code": self.code, "detail": self.detail}


def problem_of(exc: Exception) -> tuple[str, str]:
    """The problem code and detail a failure parks a subscription with."""
    if isinstance(exc, DomainError):
        return exc.code, exc.detail[:DETAIL_CHARS]
    return BILLING_FAILED, f"{type(exc).__name__}: {exc}"[:DETAIL_CHARS]


class Parking:
    """The subscriptions of one batch parked so far (the first failure of each is kept)."""

    def __init__(self) -> None:
        self._parked: dict[str, Parked] = {}

    def __contains__(self, subscription_id: object) -> bool:
        return subscription_id in self._parked

    def __len__(self) -> int:
        return len(self._parked)

    @property
    def parked(self) -> list[Parked]:
        return list(self._parked.values())

    def park(self, subscription_id: str, exc: Exception) -> None:
        code, detail = problem_of(exc)
        self._parked.setdefault(subscription_id, Parked(subscription_id, code, detail))


def check_writable(plan: PostingPlan) -> None:
    """Refuse (``amount_too_large``) a posting whose rows could not be written or summed: a
    document past the contract's total bound, an entry's number past a 64-bit column."""
    low, high = -COLUMN_MAX - 1, COLUMN_MAX
    for doc in plan.documents:
        for e in doc.entries:
            # The fields one at a time only when one of them is out (this runs per entry).
            if not (
                low <= e.unit_amount <= high
                and low <= e.quantity <= high
                and low <= e.period_amount <= high
                and low <= e.amount <= high
            ):
                for name in ("unit_amount", "quantity", "period_amount", "amount"):
                    value: int = getattr(e, name)
                    if not fits_column(value):
                        raise AmountTooLarge(
                            f"{e.item}: {name} {value} does not fit a 64-bit column"
                        )
        if abs(doc.total) > MAX_DOCUMENT_TOTAL:
            raise AmountTooLarge(
                f"the {doc.type.value.replace('_', ' ')}'s total of {doc.total} minor units "
                f"would pass the document bound of {MAX_DOCUMENT_TOTAL}"
            )


def write(
    conn: Connection,
    claim: Claim,
    parking: Parking,
    numbering: Numbering,
    *,
    customer_of: Mapping[str, str],
    now: datetime,
) -> None:
    """The batch's parked subscriptions, in the batch's transaction; their feed events go to
    ``numbering``, which numbers them after the batch's documents."""
    if not parking:
        return
    rows: list[tuple[Any, ...]] = []
    for p in parking.parked:
        customer_id = customer_of[p.subscription_id]
        rows.append(
            (claim.bill_run_id, p.subscription_id, customer_id, claim.seq, p.code, p.detail, now)
        )
        numbering.events.append(
            PendingEvent(
                type=PARKED_EVENT,
                customer_id=customer_id,
                subscription_id=p.subscription_id,
                subject_id=claim.bill_run_id,
                data={"bill_run_id": claim.bill_run_id, **p.as_dict()},
            )
        )
    bulk.insert_rows(conn, "bill_run_parked", PARKED_COLUMNS, rows)
