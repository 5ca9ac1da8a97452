"""A bill run posts, for every subscription, everything due on or before ``as_of``.

Each subscription is brought in line in its own short transaction under its row lock, so a
bill run never blocks the API for long, and running it again (or concurrently with changes)
posts nothing twice: the difference is always taken against what is posted at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from billing.auth.service import Actor, Role
from billing.clock import utcnow
from billing.domain.ledger import Scope, difference
from billing.domain.timeline import Schedule
from billing.ids import new_id
from billing.invoicing import repository as ledger_repo
from billing.invoicing.service import post_entries
from billing.storage.db import unit_of_work
from billing.storage.models import BillRun
from billing.subscriptions import repository

BATCH = 500


@dataclass
class BillRunResult:
    id: str
    as_of: date
    invoices: list[str] = field(default_factory=list)
    credit_notes: list[str] = field(default_factory=list)
    subscriptions: int = 0


def bill_subscription(
    session: Session, subscription_id: str, *, as_of: date, bill_run_id: str | None
) -> list[tuple[str, str]]:
    """Post what is due for one subscription; returns (document type, id) of what it posted."""
    sub = repository.get(session, subscription_id, lock=True)
    schedule = Schedule([repository.to_domain(e) for e in repository.events(session, sub.id)])
    posted = ledger_repo.posted_entries(session, sub.id)
    new = difference(
        schedule, [ledger_repo.to_domain(r) for r in posted], as_of=as_of, scope=Scope.DUE
    )
    if not new:
        return []
    posting = post_entries(
        session, subscription=sub, posted=posted, new=new, issue_date=as_of, bill_run_id=bill_run_id
    )
    return [(d.type, d.id) for d in posting.documents]


def run_bill_run(factory: sessionmaker[Session], actor: Actor, *, as_of: date) -> BillRunResult:
    actor.require(Role.STAFF)
    result = BillRunResult(id=new_id("br"), as_of=as_of)
    with unit_of_work(factory) as session:
        session.add(BillRun(id=result.id, as_of=as_of, started_at=utcnow()))
    after: str | None = None
    while True:
        with unit_of_work(factory) as session:
            ids = repository.ids_after(session, after=after, limit=BATCH)
        if not ids:
            break
        for subscription_id in ids:
            with unit_of_work(factory) as session:
                posted = bill_subscription(
                    session, subscription_id, as_of=as_of, bill_run_id=result.id
                )
            result.subscriptions += 1
            for doc_type, doc_id in posted:
                (result.invoices if doc_type == "invoice" else result.credit_notes).append(doc_id)
        after = ids[-1]
    return result
