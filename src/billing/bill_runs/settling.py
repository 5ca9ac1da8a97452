"""Settlement points in a batch: where each subscription's derivation starts, and where it moves.

Per subscription of the batch (:mod:`billing.domain.settlement`):

1. its stored point, read with one range scan, and from it and the events recorded since, the
   ``since`` of its derivation (:func:`~billing.domain.settlement.rederive_from`);
2. its posted entries of the periods ending after its stored point only (one range scan joined
   to the points); the few subscriptions whose ``since`` lies before their point (a change
   recorded since reaches back) read theirs again from ``since`` in one more query;
3. once derived and planned, the point it moves to (:func:`~billing.domain.settlement.
   settled_after`), written with the batch in the same transaction.

A point is rewritten only when it is new, the timeline changed since it was stored, or it lags
the new one by more than :data:`REFRESH_AFTER_DAYS`: a monthly run then rewrites a point every
few months, not every subscription's every month, and a derivation still covers a bounded
number of periods however old the subscription.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection

from billing.bill_runs import repository as repo
from billing.bill_runs.repository import Claim
from billing.domain.events import Event
from billing.domain.ledger import Scope
from billing.domain.settlement import BEGINNING, Settlement, rederive_from, settled_after
from billing.domain.timeline import Schedule

#: A point is rewritten once the new one is this much later (a quarter: see the docstring).
REFRESH_AFTER_DAYS = timedelta(days=92)


class Settling:
    """The batch's settlement points: read, used to start each derivation, moved, written."""

    def __init__(self) -> None:
        self.points: dict[str, Settlement] = {}
        self.since: dict[str, date] = {}
        #: The points to write: (subscription, new point); inserted when new, else updated.
        self.moved: list[tuple[str, Settlement]] = []

    def start(self, conn: Connection, claim: Claim, events_of: dict[str, list[Event]]) -> None:
        """Read the batch's points; each subscription's derivation starts at its ``since``."""
        self.points = repo.settlement_points(conn, claim)
        self.since = {
            sid: rederive_from(evs, self.points.get(sid)) for sid, evs in events_of.items()
        }

    def since_of(self, subscription_id: str) -> date:
        return self.since.get(subscription_id, BEGINNING)

    def posted_rows(self, conn: Connection, claim: Claim) -> Iterator[Any]:
        """The posted entry rows the batch's derivations need, by subscription (each in one
        run of rows) and posting order."""
        points, since = self.points, self.since
        # A change recorded since the point reaches back before it: read from ``since``.
        reread = {sid for sid, p in points.items() if since.get(sid, p.settled_through)
                  < p.settled_through}
        if not reread:
            yield from repo.posted_entries(conn, claim)
            return
        for row in repo.posted_entries(conn, claim):
            if row.subscription_id not in reread:
                yield row
        earliest = min(since[sid] for sid in reread)
        yield from repo.posted_entries_since(conn, sorted(reread), earliest)

    def settle(self, subscription_id: str, schedule: Schedule, events: list[Event], as_of: date
               ) -> None:
        """Note where the point moves once the subscription's difference at ``as_of`` posts."""
        since = self.since_of(subscription_id)
        through = settled_after(schedule, as_of=as_of, scope=Scope.DUE, since=since)
        seq = max(e.seq for e in events)
        old = self.points.get(subscription_id)
        if (
            old is None
            or old.seq != seq
            or through - old.settled_through > REFRESH_AFTER_DAYS
        ):
            self.moved.append((subscription_id, Settlement(through, seq)))

    def write(self, conn: Connection, customer_of: dict[str, str]) -> None:
        new = [(sid, customer_of[sid], p) for sid, p in self.moved if sid not in self.points]
        changed = [(sid, p) for sid, p in self.moved if sid in self.points]
        repo.write_settlements(conn, new=new, changed=changed)
