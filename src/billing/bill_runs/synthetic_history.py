"""What bill runs at given dates would have posted for a synthetic timeline, derived by the
pure core once per distinct timeline (billing.bill_runs.synthetic writes it in bulk)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

from billing.bill_runs.synthetic_seller import SyntheticSeller
from billing.domain import codec
from billing.domain.events import Event
from billing.domain.ledger import Entry, Scope, difference
from billing.domain.posting import PlannedDocument, TaxBook, plan_posting
from billing.domain.settlement import BEGINNING, settled_after
from billing.domain.timeline import Schedule

CURRENCY = "SEK"

#: One subscription's timeline as written: (type, effective date, payload as JSON) per event.
Timeline = tuple[tuple[str, date, str], ...]


class History:
    """What bill runs at the ``billed`` dates post for a timeline: its invoices, per run.

    Derived by the pure core once per distinct timeline and kept; event ids in the entries are
    the event's ``seq`` as text, for the seed's chunk writer to replace with the subscription's own.
    """

    def __init__(
        self,
        billed: Sequence[date],
        payment_terms_days: int,
        *,
        settled: bool = True,
        seller: SyntheticSeller,
    ) -> None:
        self.seller = seller
        self.billed = tuple(billed)
        self.payment_terms_days = payment_terms_days
        self.settled = settled
        self._known: dict[Timeline, tuple[PlannedDocument, ...]] = {}
        self._points: dict[Timeline, date] = {}

    def invoices(self, timeline: Timeline) -> tuple[PlannedDocument, ...]:
        if not self.billed:
            return ()
        known = self._known.get(timeline)
        if known is None:
            known = self._known[timeline] = self._derive(timeline)
        return known

    def settled_through(self, timeline: Timeline) -> date | None:
        """The point the last run leaves (None: no history, or ``settled`` is off)."""
        if not (self.billed and self.settled):
            return None
        self.invoices(timeline)
        return self._points[timeline]

    def _derive(self, timeline: Timeline) -> tuple[PlannedDocument, ...]:
        recorded = datetime.combine(self.billed[0], datetime.min.time(), UTC)
        schedule = Schedule(
            [
                Event(str(seq), seq, eff, recorded, "synthetic", codec.decode(kind, json.loads(d)))
                for seq, (kind, eff, d) in enumerate(timeline, start=1)
            ]
        )
        posted: list[Entry] = []
        out: list[PlannedDocument] = []
        for bill_date in self.billed:
            new = difference(schedule, posted, as_of=bill_date, scope=Scope.DUE)
            if any(e.is_credit for e in new):
                # Every event is known from the start, so nothing billed is ever wrong.
                raise ValueError(f"a synthetic history credits on {bill_date}: {timeline}")
            plan = plan_posting(
                new,
                invoice_of={},
                currency=CURRENCY,
                issue_date=bill_date,
                payment_terms_days=self.payment_terms_days,
                taxes=TaxBook(charge=self.seller.tax),
                issuer=self.seller.issuer,
            )
            out.extend(plan.documents)
            posted.extend(replace(e, id=f"h{len(posted) + k}") for k, e in enumerate(new))
        self._points[timeline] = settled_after(
            schedule, as_of=self.billed[-1], scope=Scope.DUE, since=BEGINNING
        )
        return tuple(out)
