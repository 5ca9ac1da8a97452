"""The period walk: the pieces of one billed item in one billing regime, period by period.

The hot loop of every bill run (:mod:`billing.domain.target` calls it once per item and
regime). Boundaries come from the shared boundary cache
(:func:`~billing.domain.calendar.boundary_lookup`), the terms once per stretch between the
dates where an item's cost may change (its *edges*), pieces are made straight as tuples. For
the difference (:func:`billing.domain.target.derive` with ``charges``) a group nothing is
posted for holds its new charges instead of its pieces, and a group whose one posted charge
bills its one piece exactly holds :data:`SETTLED`; an inner loop (:func:`_straight`) takes
whole periods on one stretch's terms with nothing else to decide.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any

from billing.domain.calendar import boundary_lookup, month_boundary
from billing.domain.entries import (
    Entry,
    EntryKind,
    GroupKey,
    Piece,
    Scope,
    _EntryLayout,
    charges_for,
    slice_amount,
)
from billing.domain.timeline import AddOn, BillingTiming, Regime, Schedule, Terms

#: What the walk fills: per group, its target pieces, or (``charges``) the charges that bill
#: the pieces of a group nothing is posted for, or :data:`SETTLED`.
Derived = dict[GroupKey, list[Any]]

#: What a group holds (``charges`` and ``groups``) whose one posted charge bills exactly its
#: one piece: its difference is empty. Never changed, compared by identity.
SETTLED: list[Any] = []

#: Later than any edge or end date: "no edge" and "no end" in the period walk.
NEVER = date.max
#: ``Piece`` made as a tuple, without the NamedTuple's ``__new__`` (half the cost); the tuple
#: must then hold every field, ``kind`` too.
_new_tuple = tuple.__new__
_CHARGE = EntryKind.CHARGE
_PERIOD_START = itemgetter(1)  # of a GroupKey

#: The terms of an item on a stretch of days without an edge: unit amount, quantity,
#: full-period amount and the event that set them.
Run = tuple[int, int, int, str | None]


@dataclass(slots=True)
class Window:
    """Which periods the target looks at, and how it decides that one is due.

    Not frozen: it is made once per derivation and never changed, and a frozen ``__init__``
    (one ``object.__setattr__`` per field) costs a derivation more than its setup-fee step.
    """

    as_of: date
    #: No period starting after this is looked at: ``as_of`` or the last posted period start.
    horizon: date
    in_advance: bool
    #: With Scope.BILLED, the periods already billed for any item; None with Scope.DUE.
    billed_periods: set[tuple[date, date]] | None
    posted: Collection[GroupKey]
    #: Only groups ending after this are looked at (None: every group).
    since: date | None = None
    #: Groups not posted hold their charges, not their pieces.
    charges: bool = False
    #: The posted entries by group (with ``charges``), to find settled groups.
    groups: Mapping[GroupKey, Sequence[Entry]] | None = None

    @classmethod
    def of(
        cls,
        schedule: Schedule,
        *,
        as_of: date,
        scope: Scope,
        posted: Collection[GroupKey],
        since: date | None = None,
        charges: bool = False,
        groups: Mapping[GroupKey, Sequence[Entry]] | None = None,
    ) -> Window:
        # The horizon only bounds the walk: a period it adds that is neither posted nor due is
        # dropped again, so posted keys left out with ``since`` never change what is returned.
        horizon = as_of
        if posted:  # the latest posted period start, found in C (map and max, no loop here)
            latest = max(map(_PERIOD_START, posted))
            if latest > horizon:
                horizon = latest
        billed = {(k[1], k[2]) for k in posted} if scope is Scope.BILLED else None
        in_advance = schedule.timing is BillingTiming.IN_ADVANCE
        return cls(
            as_of, horizon, in_advance, billed, posted, since, charges, groups if charges else None
        )

    def includes(self, period_end: date) -> bool:
        """Whether a group ending on ``period_end`` is looked at (see ``since``)."""
        return self.since is None or period_end > self.since

    def straight(self) -> bool:
        """Whether :func:`_straight` may take whole periods: a difference (charges, and the
        posted entries by group for exactly the posted keys) in Scope.DUE."""
        groups = self.groups
        return (
            self.charges
            and self.billed_periods is None
            and groups is not None
            and len(groups) == len(self.posted)
        )

    def group(self, key: GroupKey, pieces: list[Piece]) -> list[Any]:
        """What the group ``key`` holds: its pieces or its charges."""
        if self.charges and key not in self.posted:
            return charges_for(pieces)
        return pieces


@dataclass(slots=True)
class ItemSpan:
    """One billed item, with the dates inside a period where its cost may change (made per
    item and derivation, never changed: not frozen, for the cost, as Window)."""

    item: str
    addon: AddOn | None
    edges: list[date]
    main_changes: list[date]


def regime_pieces(
    schedule: Schedule,
    span: ItemSpan,
    regime: Regime,
    lo: date,
    hi: date | None,
    window: Window,
    out: Derived,
    not_due: set[GroupKey],
    fresh: bool = False,
) -> None:
    """Add to ``out`` the groups of ``span``'s item on ``[lo, hi)`` in one regime, the keys not
    due to ``not_due``. ``fresh``: ``out`` holds no period of this item yet."""
    edges, as_of, in_advance = span.edges, window.as_of, window.in_advance
    billed, grid, since = window.billed_periods, regime.grid, window.since
    step, day = grid.interval_months, grid.anchor_day
    # The periods ending after ``since`` are exactly those from the one containing it on.
    index = grid.base_index + grid.index_containing(max(lo, since or lo)) * step
    lookup = boundary_lookup().get
    until = NEVER if hi is None else hi
    ei = 0  # edges[ei] is the first edge after the current period's first served day
    next_edge = edges[0] if edges else NEVER
    run_ei, run = -1, None  # the terms from the current period's first served day
    straight = fresh and window.straight()
    s, e, pending = month_boundary(index, day), NEVER, False
    while True:
        if pending:  # ``e`` already holds the end of the period starting on ``s``
            pending = False
        else:
            index += step
            e = lookup(index * 32 + day) or month_boundary(index, day)
        a = s if s >= lo else lo
        if s > window.horizon or a >= until:
            break
        b = e if e < until else until
        key = (span.item, s, e)
        # Scope.BILLED: a period billed (any item) is posted at once, an add-on's too.
        due = (a <= as_of if in_advance else b <= as_of) if billed is None else (s, e) in billed
        if next_edge <= a:
            ei = bisect_right(edges, a, ei)
            next_edge = edges[ei] if ei < len(edges) else NEVER
        if ei != run_ei:
            run_ei, run = ei, _run(schedule, span.addon, a, step)
        if run is not None and next_edge >= b:
            pieces = _whole(window, key, a, b, run)
        else:
            pieces = window.group(key, _period_pieces(schedule, span, s, e, a, b, step))
        if key in out:
            _merge(out, not_due, key, pieces, due, in_advance)
        else:
            out[key] = pieces
            if not due:
                not_due.add(key)
        s = e
        if straight and run is not None and run[2]:
            limit = until if until < next_edge else next_edge
            state = _straight(window, span.item, run, index, s, step, day, limit, out, not_due)
            index, s, e = state
            pending = True  # the period [s, e) goes the general way


def _whole(window: Window, key: GroupKey, a: date, b: date, run: Run) -> list[Any]:
    """The group of a period served on ``[a, b)`` without an edge inside: one piece (or its
    charge, see Window.group) on the stretch's terms, nothing when they cost nothing."""
    unit_amount, quantity, period_amount, event_id = run
    if not period_amount:
        return []
    item, s, e = key
    if window.charges and key not in window.posted:
        amount = period_amount if a == s and b == e else slice_amount(period_amount, s, e, a, b)
        if not amount:
            return []
        entry = _EntryLayout(
            item, _CHARGE, s, e, a, b, unit_amount, quantity, period_amount, amount, event_id
        )
        entry.__class__ = Entry  # type: ignore[assignment]
        return [entry]
    fields = (item, s, e, a, b, unit_amount, quantity, period_amount, event_id, _CHARGE)
    return [_new_tuple(Piece, fields)]


def _merge(
    out: Derived, not_due: set[GroupKey], key: GroupKey, pieces: list[Any], due: bool,
    in_advance: bool,
) -> None:
    """A group seen before (an add-on re-attached inside the period): due as a whole, in
    advance with its first served day, in arrears with its last."""
    was_due = key not in not_due
    due = (was_due or due) if in_advance else (was_due and due)
    out[key] = out[key] + pieces
    if due:
        not_due.discard(key)
    else:
        not_due.add(key)


def _straight(
    window: Window,
    item: str,
    run: Run,
    index: int,
    s: date,
    step: int,
    day: int,
    limit: date,
    out: Derived,
    not_due: set[GroupKey],
) -> tuple[int, date, date]:
    """Whole periods from ``s`` on one stretch's terms, while none ends after ``limit`` (the
    next edge or the end) or starts after the horizon: each a new charge of the full amount,
    or SETTLED where its one posted charge bills it so. Returns the walk's state at the first
    period that needs the general way: its index, start and end."""
    lookup = boundary_lookup().get
    horizon, as_of, in_advance = window.horizon, window.as_of, window.in_advance
    # The posted entries by group: its keys are the posted keys (regime_pieces checks), so one
    # lookup a period says whether it is posted and what.
    assert window.groups is not None
    group_of = window.groups.get
    unit_amount, quantity, period_amount, event_id = run
    while True:
        index += step
        e = lookup(index * 32 + day) or month_boundary(index, day)
        if s > horizon or e > limit:
            return index, s, e
        key = (item, s, e)
        group = group_of(key)
        if group is not None:
            # Settled if its one posted charge bills the whole period on these terms (as the
            # difference's one-for-one check has it); otherwise the general way.
            if len(group) != 1:
                return index, s, e
            ch = group[0]
            if not (
                ch.kind is _CHARGE
                and ch.service_start == s
                and ch.service_end == e
                and ch.unit_amount == unit_amount
                and ch.quantity == quantity
                and ch.period_amount == period_amount
            ):
                return index, s, e
            out[key] = SETTLED  # a posted group is never dropped, due or not
        else:
            entry = _EntryLayout(
                item, _CHARGE, s, e, s, e, unit_amount, quantity, period_amount, period_amount,
                event_id,
            )
            entry.__class__ = Entry  # type: ignore[assignment]
            out[key] = [entry]
            if not (s <= as_of if in_advance else e <= as_of):
                not_due.add(key)
        s = e


def _terms(schedule: Schedule, addon: AddOn | None, day: date) -> Terms:
    if addon is None:
        return schedule.terms_on(day)
    return Terms(addon.unit_amount, addon.quantity, addon.price_months, addon.event_id)


def _run(schedule: Schedule, addon: AddOn | None, day: date, interval_months: int) -> Run | None:
    """What an item costs from ``day`` to the next edge (None: paused, see _period_pieces)."""
    if schedule.pauses and schedule.is_paused_on(day):
        return None
    if addon is None:
        return schedule.charge_terms_on(day, interval_months)
    terms = _terms(schedule, addon, day)
    return (
        terms.unit_amount,
        terms.quantity,
        terms.period_amount(interval_months),
        terms.source_event_id,
    )


def _period_pieces(
    schedule: Schedule,
    span: ItemSpan,
    s: date,
    e: date,
    a: date,
    b: date,
    interval_months: int,
) -> list[Piece]:
    """The pieces of the period ``[s, e)`` served on ``[a, b)`` with an edge inside: one per
    stretch of active days on the same terms (adjacent stretches on equal terms merge)."""
    pieces: list[Piece] = []
    item, addon, changes = span.item, span.addon, span.main_changes
    charge = EntryKind.CHARGE
    terms: Run | None = None
    if addon is not None:  # an add-on's terms do not change inside its range
        terms = (
            addon.unit_amount,
            addon.quantity,
            Terms(addon.unit_amount, addon.quantity, addon.price_months).period_amount(
                interval_months
            ),
            addon.event_id,
        )
    for lo, hi in _active_ranges(schedule, a, b):
        if addon is None:
            # The main item's terms change on its change dates (sorted, no duplicates).
            cuts = [lo, *changes[bisect_right(changes, lo) : bisect_left(changes, hi)], hi]
        else:
            cuts = [lo, hi]
        for i in range(len(cuts) - 1):
            x, y = cuts[i], cuts[i + 1]
            unit_amount, quantity, amount, event_id = (
                schedule.charge_terms_on(x, interval_months) if terms is None else terms
            )
            if amount == 0:
                continue
            if pieces:
                last = pieces[-1]
                if (
                    last[4] == x
                    and last[5] == unit_amount
                    and last[6] == quantity
                    and last[7] == amount
                ):
                    pieces[-1] = last._replace(end=y)
                    continue
            pieces.append(
                _new_tuple(
                    Piece, (item, s, e, x, y, unit_amount, quantity, amount, event_id, charge)
                )
            )
    return pieces


def _active_ranges(schedule: Schedule, a: date, b: date) -> Iterator[tuple[date, date]]:
    """``[a, b)`` less the paused days."""
    cursor = a
    for p in schedule.pauses:
        p_start = p.billed_from
        if p.start >= b:
            break
        p_end = p.end if p.end is not None else b
        if p_end <= cursor or p_end <= p_start:
            continue
        if p_start > cursor:
            if p_start >= b:
                break
            yield cursor, p_start
        cursor = max(cursor, p_end)
        if cursor >= b:
            return
    if cursor < b:
        yield cursor, b
