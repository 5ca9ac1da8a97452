"""A bill run posts, for every subscription, everything due on or before ``as_of``.

A run is planned as batches of subscriptions by id (``bill_run_batches``) and worked batch by
batch, each batch in one transaction that posts its documents and marks the batch done
(:mod:`billing.bill_runs.batch`). Memory stays flat: a worker holds one batch at a time and the
run's totals live in the batch rows, never a list of every id.

* **Exactly once.** A batch commits whole or not at all, and it bills the difference against
  the ledger as posted, under the subscriptions' row locks: rerunning a crashed run (or running
  the same run again) posts exactly what is missing.
* **Resumable.** ``start_bill_run(…, resume=True)`` joins the unfinished run for the same
  ``as_of`` if there is one, so a rerun after a crash keeps the run's id, and workers started on
  several machines share one run (:mod:`billing.bill_runs.worker`).
* **Small answers for big runs.** A result lists the first :data:`ID_LIST_CAP` invoices and
  credit notes and counts all of them; the rest are paged by ``bill_run_id``.
* **Who issued it.** A run records who started it (``started_by``): the person or API key of
  the factory's sessions (an API run: billing.storage.attribution), else :data:`SYSTEM_ACTOR`
  (the command line, the scheduler). Its documents carry that as ``issued_by`` and its feed
  events as ``actor``, whichever worker posts them (a CLI worker joining an API run too): one
  value per batch, written with the numbers (:mod:`billing.bill_runs.numbers`).
* **One bad subscription stops nothing.** A subscription that cannot be billed is parked with
  its problem and the rest bills (:mod:`billing.bill_runs.parking`); a result lists the first
  :data:`ID_LIST_CAP` parked and counts them, and the next run tries them again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from billing.bill_runs import repository as repo
from billing.bill_runs.parking import Parked
from billing.bill_runs.worker import work
from billing.clock import utcnow
from billing.errors import NotFound
from billing.ids import new_id
from billing.storage.attribution import ACTOR
from billing.storage.db import unit_of_work

#: Subscriptions per batch: big enough that per-batch round trips vanish, small enough that a
#: batch's row locks are held for a fraction of a second.
DEFAULT_BATCH_SIZE = 1000
#: A result lists at most this many invoices (and credit notes); counts are always complete.
ID_LIST_CAP = 1000
#: Who starts a run nobody started through the API: the command line and the scheduler (as
#: ``role:who`` names an author elsewhere; never a person's or key's id).
SYSTEM_ACTOR = "system:bill-run"


@dataclass
class BillRunResult:
    id: str
    as_of: date
    invoices: list[str] = field(default_factory=list)
    credit_notes: list[str] = field(default_factory=list)
    subscriptions: int = 0
    invoice_count: int = 0
    credit_note_count: int = 0
    entries: int = 0
    batches: int = 0
    batches_done: int = 0
    finished: bool = False
    #: The first ID_LIST_CAP subscriptions it could not bill, and how many it parked.
    parked: list[Parked] = field(default_factory=list)
    parked_count: int = 0
    #: Who started it (null for runs from before migration 0020).
    started_by: str | None = None

    @property
    def complete_lists(self) -> bool:
        """Whether ``invoices`` and ``credit_notes`` list every document of the run."""
        return (
            len(self.invoices) == self.invoice_count
            and len(self.credit_notes) == self.credit_note_count
        )


def start_bill_run(
    factory: sessionmaker[Session],
    *,
    as_of: date,
    batch_size: int = DEFAULT_BATCH_SIZE,
    resume: bool = False,
) -> tuple[str, bool]:
    """A new run planned in batches, or (``resume``) the unfinished one for ``as_of``.

    Returns ``(run id, resumed)``. Planning is one transaction with the run's row, so a run
    always has its batches; creation is serialized so that workers started together join one.
    A new run is its sessions' caller's, else the system's (module docstring).
    """
    with unit_of_work(factory) as session:
        started_by = session.info.get(ACTOR) or SYSTEM_ACTOR
        conn = session.connection()
        repo.lock_run_creation(conn)
        if resume:
            existing = repo.unfinished_run(conn, as_of)
            if existing is not None:
                return existing, True
        run_id = new_id("br")
        repo.insert_run(
            conn, run_id=run_id, as_of=as_of, started_at=utcnow(), started_by=started_by
        )
        repo.insert_batches(conn, run_id, repo.batch_bounds(conn, batch_size))
        return run_id, False


def summary(factory: sessionmaker[Session], run_id: str) -> repo.RunSummary:
    """The run's totals so far (cheap: one aggregate over its batch rows)."""
    with unit_of_work(factory) as session:
        return repo.summary(session.connection(), run_id)


def result_of(factory: sessionmaker[Session], run_id: str) -> BillRunResult:
    with unit_of_work(factory) as session:
        conn = session.connection()
        if not repo.run_exists(conn, run_id):
            raise NotFound(f"bill run {run_id} not found")
        s = repo.summary(conn, run_id)
        parked, parked_count = repo.parked(conn, run_id, ID_LIST_CAP)
        return BillRunResult(
            id=s.id,
            as_of=s.as_of,
            invoices=repo.document_ids(conn, run_id, "invoice", ID_LIST_CAP),
            credit_notes=repo.document_ids(conn, run_id, "credit_note", ID_LIST_CAP),
            subscriptions=s.subscriptions,
            invoice_count=s.invoices,
            credit_note_count=s.credit_notes,
            entries=s.entries,
            batches=s.batches,
            batches_done=s.batches_done,
            finished=s.finished_at is not None,
            parked=[Parked(p.subscription_id, p.code, p.detail) for p in parked],
            parked_count=parked_count,
            started_by=s.started_by,
        )


def run_bill_run(
    factory: sessionmaker[Session],
    *,
    as_of: date,
    batch_size: int = DEFAULT_BATCH_SIZE,
    resume: bool = False,
) -> BillRunResult:
    """A bill run worked to the end in this process: a new one, or (``resume``, the API's) the
    unfinished one for ``as_of`` if there is one (a run cut short by a lost database or a
    crash: only its batches not done are billed, so nothing twice), else a new one."""
    run_id, _ = start_bill_run(factory, as_of=as_of, batch_size=batch_size, resume=resume)
    work(factory, run_id, as_of=as_of)
    return result_of(factory, run_id)
