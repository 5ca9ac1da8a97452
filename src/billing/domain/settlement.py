"""Settlement: how far back a subscription's ledger can still differ from its target.

A **group** (one period of one item, a one-off, the setup fee, ``(item, period_start,
period_end)``) is *settled* when no derivation, at any ``as_of`` and in either scope, posts
anything for it: it is posted and its entries bill exactly its pieces, or it is not posted and
none of its pieces is worth anything. A **settlement point** ``(settled_through, seq)`` says:
against the timeline up to event ``seq``, every group ending on or before ``settled_through``
is settled (so every day strictly before it is). Only groups ending *after* a date then need
deriving, with only their entries: ``difference(..., since=D)`` returns exactly what the full
derivation returns, the groups it leaves out having nothing to post.

**Where a derivation starts** (:func:`rederive_from`). An event recorded after the point can
change the pieces of groups that contain or follow the earliest day it *reaches*; ``D`` is the
earliest of the point and those days. Leaving out the groups that end on or before ``D`` is the
same as starting from the period containing ``D`` (a period ending after ``D`` either contains
it or follows it), so a back-dated change re-derives from the start of the period holding its
date, in arrears as in advance. What each kind reaches (:func:`reach`):

* a price, plan, licence or interval change: the earlier of its effective date and its
  ``billing_from`` (proration "none" bills it from the next period: later; taking the earlier
  of both costs at most one period and needs no rule about which is later). An interval change
  on or before the start replaces the first grid: its date is then before every period anyway;
* a pause: the earlier of its date and its ``billing_from`` (``unused: none`` bills on to the
  period's end); a resume: the earlier of its date and the end the pause it ends had until then
  (a resume can lengthen a pause as well as shorten it);
* a cancellation scheduled or moved, and a verification: the earlier of the new end and the end
  in force before it, the days between changing from served to not or back (with ``unused:
  none`` the billed end is the end of the period holding the last day: later than the end, so
  covered); a cancellation awaiting verification changes nothing billed; a revocation: the end
  it revokes. The end also decides whether the setup fee is owed (a subscription that never
  starts owes none): an end on or before the start reaches before the setup group too;
* an add-on attached or detached, a one-off delivered: its effective date;
* the setup fee waived: the start in force (the setup group is the start's day);
* the start postponed: the beginning (the anchor day, and so every period, may move);
* kinds that bill nothing (a retention offer made, the terminated note): nothing.

The "end before" is read from the timeline's own fold just before the event is applied, so it
is exact, whatever was recorded in between.

**Where the point moves** (:func:`settled_after`). After posting a bill run's difference
(``Scope.DUE`` at ``as_of``) every group ending on or before ``as_of`` is due, so posted and on
target: settled. The setup group is the exception (due with the first period, which in arrears
ends later than the setup day): until it is due the point stays at the start. A change's
posting (``Scope.BILLED``) settles nothing new (a period no item has billed is out of its
scope), so the point becomes ``D``: still true, now against the newer timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from billing.domain.entries import Scope
from billing.domain.events import (
    CancellationScheduled,
    CancellationVerified,
    Event,
    EventType,
    IntervalChanged,
    Paused,
    PlanChanged,
    PriceChanged,
    QuantityChanged,
)
from billing.domain.fold import NO_EFFECT, TimelineFold
from billing.domain.target import setup_fee_due_on
from billing.domain.timeline import Schedule

#: ``since`` for a derivation from the very beginning: every group ends after it.
BEGINNING = date.min


@dataclass(frozen=True, slots=True)
class Settlement:
    """Every group ending on or before ``settled_through`` is settled against the timeline up
    to event ``seq`` (see the module docstring)."""

    settled_through: date
    seq: int


def rederive_from(events: Sequence[Event], point: Settlement | None) -> date:
    """The ``since`` of a derivation that returns exactly the full one: the earlier of the
    point and the earliest day reached by an event recorded after it (:data:`BEGINNING`
    without a point)."""
    if point is None:
        return BEGINNING
    since = point.settled_through
    ordered = sorted(events, key=lambda e: e.seq)
    if not ordered or ordered[-1].seq <= point.seq:
        return since  # nothing recorded since: the common case of every bill run
    fold = TimelineFold(ordered[0])
    if ordered[0].seq > point.seq:
        return BEGINNING
    for ev in ordered[1:]:
        if ev.seq > point.seq:
            reached = reach(fold, ev)
            if reached is not None and reached < since:
                since = reached
        fold.apply(ev)
    return since


def reach(fold: TimelineFold, ev: Event) -> date | None:
    """The earliest day whose billing ``ev`` can change, read from ``fold`` just before it is
    applied (None: it bills nothing). See the module docstring for each kind."""
    p = ev.payload
    own = ev.effective_date
    if isinstance(p, PriceChanged | PlanChanged | QuantityChanged | IntervalChanged | Paused):
        return own if p.billing_from is None else min(own, p.billing_from)
    kind = ev.type
    if kind is EventType.RESUMED:
        pauses = [q for q in fold.pauses if q[0] <= own]
        if not pauses:
            return own  # the fold refuses it
        old_end: date | None = max(pauses, key=lambda q: q[0])[1]
        return own if old_end is None else min(own, old_end)
    if isinstance(p, CancellationScheduled):
        if p.requires_verification:
            return None
        return _earlier_end(own, fold.end)
    if isinstance(p, CancellationVerified):
        if fold.pending is None or fold.pending[1] != p.verifies:
            return None
        return _earlier_end(fold.pending[0], fold.end)
    if kind is EventType.CANCELLATION_REVOKED:
        return fold.end
    if kind in (EventType.ADDON_ATTACHED, EventType.ADDON_DETACHED, EventType.ONE_OFF_DELIVERED):
        return own
    if kind is EventType.SETUP_FEE_WAIVED:
        return min(own, fold.start)
    if kind in NO_EFFECT:
        return None
    # The start postponed, and any kind this module does not know: from the beginning.
    return BEGINNING


def settled_after(schedule: Schedule, *, as_of: date, scope: Scope, since: date) -> date:
    """The new ``settled_through`` once the difference of ``schedule`` at ``as_of`` in
    ``scope``, derived from ``since`` (:func:`rederive_from`), is posted."""
    if scope is not Scope.DUE:
        return since
    through = as_of
    if setup_fee_due_on(schedule) > as_of and schedule.start < through:
        through = schedule.start  # the setup group (the start's day) is not due yet
    return max(since, through)


def _earlier_end(new_end: date, old_end: date | None) -> date:
    return new_end if old_end is None else min(new_end, old_end)
