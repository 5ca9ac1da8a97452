"""The target: what should be billed, per period, according to the timeline.

From a :class:`~billing.domain.timeline.Schedule` the target is a list of **pieces** per group
``(item, period_start, period_end)``: the served days of each anchored period of the main
subscription and of every add-on, on the terms of those days (price, quantity, the event that
set them), less paused days; plus one-off deliveries and the setup fee. Only the groups in
scope are returned (see :class:`~billing.domain.entries.Scope`), and every group already posted
is in scope, so that the difference can credit it.

In advance a period is due once its first served day is on or before ``as_of``; in arrears
once its last served day has passed (a period cut short by the end date counts as ended on the
end date).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from billing.domain.calendar import boundary_lookup, month_boundary
from billing.domain.entries import (
    MAIN_ITEM,
    SETUP_ITEM,
    Entry,
    EntryKind,
    GroupKey,
    Piece,
    Scope,
    _EntryLayout,
    is_usage_item,
)
from billing.domain.proration import prorate_days
from billing.domain.timeline import AddOn, BillingTiming, Regime, Schedule, Terms

Target = dict[GroupKey, list[Piece]]

#: Later than any edge or end date: "no edge" and "no end" in the period walk.
_NEVER = date.max
#: ``Piece`` made as a tuple, without the NamedTuple's ``__new__`` (half the cost); the tuple
#: must then hold every field, ``kind`` too.
_new_tuple = tuple.__new__
_ONE_DAY = timedelta(days=1)


def target_pieces(
    schedule: Schedule,
    *,
    as_of: date,
    scope: Scope = Scope.DUE,
    posted_keys: Iterable[GroupKey] = (),
) -> Target:
    """What should be billed, grouped by period, for the periods in scope.

    Periods already posted are always in scope, whatever ``as_of`` says, so that re-billing
    with an earlier ``as_of`` never credits what is rightly billed.
    """
    # Usage groups are the usage derivation's (billing.domain.usage_target), not the timeline's.
    posted = {k for k in posted_keys if not is_usage_item(k[0])}
    return pieces_in_scope(schedule, as_of=as_of, scope=scope, posted=posted)


def target_total(target: Target) -> int:
    return sum(p.amount for pieces in target.values() for p in pieces)


def pieces_in_scope(
    schedule: Schedule,
    *,
    as_of: date,
    scope: Scope,
    posted: Collection[GroupKey],
    since: date | None = None,
) -> Target:
    """:func:`target_pieces` for a collection of posted keys that supports ``in`` cheaply.

    With ``since``, only the groups that end after it (``period_end > since``): the periods
    from the one containing ``since`` on, one-offs delivered on or after it, the setup fee if
    the start is. ``posted`` must then hold the posted keys of those groups (more do no harm
    to the groups returned); each group returned is exactly what the full target has for it
    (see :mod:`billing.domain.settlement` for when the rest may be left out).
    """
    return cast(
        Target, derive(schedule, as_of=as_of, scope=scope, posted=posted, since=since)
    )


#: What :func:`derive` returns: per group, its target pieces, or, with ``charges``, for a group
#: nothing is posted for, the charges that bill them.
Derived = dict[GroupKey, list[Any]]

#: What :func:`derive` holds (with ``charges`` and ``groups``) for a group whose one posted
#: charge bills exactly its one piece: its difference is empty. Never changed, compared by
#: identity.
SETTLED: list[Any] = []


def derive(
    schedule: Schedule,
    *,
    as_of: date,
    scope: Scope,
    posted: Collection[GroupKey],
    since: date | None = None,
    charges: bool = False,
    groups: Mapping[GroupKey, Sequence[Entry]] | None = None,
) -> Derived:
    """:func:`pieces_in_scope`; with ``charges``, each group not in ``posted`` holds instead
    the new charges for its pieces, in the same order (zero amounts left out), made in the
    period walk itself without a ``Piece`` in between (the difference of such a group is just
    that: :func:`billing.domain.difference.difference` uses it). With ``groups`` too (the
    posted entries by group), a whole period whose one posted charge bills exactly its one
    piece may hold :data:`SETTLED` instead (its difference is empty)."""
    window = _Window.of(
        schedule, as_of=as_of, scope=scope, posted=posted, since=since, charges=charges
    )
    window.groups = groups if charges else None
    out = _periodic(schedule, window)
    _one_offs(schedule, out, window)
    _setup_fee(schedule, out, window, scope=scope)
    for key in posted:
        if since is None or key[2] > since:
            out.setdefault(key, [])
    return out


def charges_for(pieces: Iterable[Piece]) -> list[Entry]:
    """The new charges that bill ``pieces`` (a group with nothing posted), zero amounts left
    out: the amounts of :attr:`Piece.amount`, made without a call per entry."""
    out: list[Entry] = []
    append = out.append
    for item, ps, pe, a, b, unit_amount, quantity, period_amount, event_id, kind in pieces:
        if a == ps and b == pe:
            amount = period_amount
        else:
            so = ps.toordinal()
            amount = prorate_days(
                period_amount, pe.toordinal() - so, a.toordinal() - so, b.toordinal() - so
            )
        if amount:
            entry = _EntryLayout(
                item, kind, ps, pe, a, b, unit_amount, quantity, period_amount, amount, event_id
            )
            entry.__class__ = Entry  # type: ignore[assignment]
            append(entry)  # type: ignore[arg-type]
    return out


@dataclass(slots=True)
class _Window:
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
    #: Groups not posted hold their charges, not their pieces (see :func:`derive`).
    charges: bool = False
    #: The posted entries by group, to find settled groups (see :func:`derive`).
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
    ) -> _Window:
        # The horizon only bounds the walk: a period it adds that is neither posted nor due is
        # dropped again, so posted keys left out with ``since`` never change what is returned.
        horizon = as_of
        for _, s, _ in posted:
            if s > horizon:
                horizon = s
        billed = {(k[1], k[2]) for k in posted} if scope is Scope.BILLED else None
        in_advance = schedule.timing is BillingTiming.IN_ADVANCE
        return cls(as_of, horizon, in_advance, billed, posted, since, charges)

    def includes(self, period_end: date) -> bool:
        """Whether a group ending on ``period_end`` is looked at (see ``since``)."""
        return self.since is None or period_end > self.since

    def group(self, key: GroupKey, pieces: list[Piece]) -> list[Any]:
        """What :func:`derive` holds for the group ``key``: its pieces or its charges."""
        if self.charges and key not in self.posted:
            return charges_for(pieces)
        return pieces


def _periodic(schedule: Schedule, window: _Window) -> Derived:
    """The pieces of the main item and the add-ons, for every period in the window."""
    out: Derived = {}
    # A period can be served in parts (an add-on re-attached on new terms inside it): it is due
    # as a whole, in advance with its first served day, in arrears with its last.
    not_due: set[GroupKey] = set()
    regimes = schedule.regimes
    main_changes = schedule.change_dates()  # sorted, no duplicates
    # The dates on which what a day costs may change: pause edges for every item, and the
    # terms changes for the main item. A period with none of them inside is one piece on the
    # terms of its first day; only the others need the general path (_period_pieces).
    pause_edges: list[date] = []
    main_edges = main_changes
    if schedule.pauses:
        pause_edges = sorted(
            {d for p in schedule.pauses for d in (p.start, p.billed_from, p.end) if d is not None}
        )
        main_edges = sorted(set(pause_edges).union(main_changes))
    walked: set[str] = set()  # items with periods in ``out`` already
    for item, x, y, addon in _item_ranges(schedule):
        if y is not None and y <= x:
            continue
        span = _ItemSpan(item, addon, main_edges if addon is None else pause_edges, main_changes)
        for ri, regime in enumerate(regimes):
            r_end = regimes[ri + 1].start if ri + 1 < len(regimes) else None
            lo = max(x, regime.start)
            hi = y if r_end is None else (r_end if y is None else min(y, r_end))
            if hi is None or lo < hi:
                fresh = item not in walked
                walked.add(item)
                _regime_pieces(schedule, span, regime, lo, hi, window, out, not_due, fresh)
    for key in not_due:
        if key not in window.posted:
            del out[key]
    return out


@dataclass(slots=True)
class _ItemSpan:
    """One billed item, with the dates inside a period where its cost may change (made per
    item and derivation, never changed: not frozen, for the cost, as _Window)."""

    item: str
    addon: AddOn | None
    edges: list[date]
    main_changes: list[date]


def _regime_pieces(
    schedule: Schedule,
    span: _ItemSpan,
    regime: Regime,
    lo: date,
    hi: date | None,
    window: _Window,
    out: Derived,
    not_due: set[GroupKey],
    fresh: bool = False,
) -> None:
    """Add to ``out`` the pieces of ``span``'s item on ``[lo, hi)`` in one billing regime, and
    record in ``not_due`` the keys of their periods that are not due. ``fresh``: ``out`` holds
    no period of this item yet (so no key of this walk can be in it).

    The hot loop of every bill run: one step per period, with the boundaries from the shared
    boundary cache (:func:`~billing.domain.calendar.boundary_lookup`), the terms computed once
    per stretch between edges, and one ``Piece`` made straight as a tuple. Where a stretch of
    whole periods is charged anew (nothing posted, :func:`derive` with ``charges``), an inner
    loop makes each period's charge with nothing else to decide.
    """
    item, addon, edges = span.item, span.addon, span.edges
    as_of, horizon, in_advance, billed = (
        window.as_of,
        window.horizon,
        window.in_advance,
        window.billed_periods,
    )
    grid = regime.grid
    step, day = grid.interval_months, grid.anchor_day
    since = window.since
    # The periods ending after ``since`` are exactly those from the one containing it on.
    index = grid.base_index + grid.index_containing(
        lo if since is None or since < lo else since
    ) * step
    lookup = boundary_lookup().get
    until = _NEVER if hi is None else hi
    n_edges = len(edges)
    ei = 0  # edges[ei] is the first edge after the current period's first served day
    next_edge = edges[0] if n_edges else _NEVER
    run_ei = -1  # the ei that ``run`` was computed for
    run: _Run | None = None
    charge = EntryKind.CHARGE
    posted = window.posted
    charges = window.charges
    groups = window.groups
    # The inner loop needs: new charges, due by ``as_of`` alone, keys not seen before.
    straight = charges and fresh and billed is None
    s = month_boundary(index, day)
    pending = False  # ``e`` already holds the end of the period starting on ``s``
    while True:
        if pending:
            pending = False
        else:
            index += step
            e = lookup(index * 32 + day) or month_boundary(index, day)
        a = s if s >= lo else lo
        if s > horizon or a >= until:
            break
        b = e if e < until else until
        key = (item, s, e)
        # With Scope.BILLED a period already billed (for any item) is posted at once: an
        # add-on attached inside it is charged now, like any other change to it.
        due = (a <= as_of if in_advance else b <= as_of) if billed is None else (s, e) in billed
        if next_edge <= a:
            ei = bisect_right(edges, a, ei)
            next_edge = edges[ei] if ei < n_edges else _NEVER
        if ei != run_ei:
            run_ei = ei
            run = _run(schedule, addon, a, step)
        pieces: list[Any]  # the group's pieces or, with ``charges``, its charges
        if run is not None and next_edge >= b:
            unit_amount, quantity, period_amount, event_id = run
            if not period_amount:
                pieces = []
            elif charges and key not in posted:
                # A group nothing is posted for: its one charge, straight (charges_for).
                if a == s and b == e:
                    amount = period_amount
                else:
                    so = s.toordinal()
                    amount = prorate_days(
                        period_amount, e.toordinal() - so, a.toordinal() - so, b.toordinal() - so
                    )
                if amount:
                    entry = _EntryLayout(
                        item, charge, s, e, a, b, unit_amount, quantity, period_amount, amount,
                        event_id,
                    )
                    entry.__class__ = Entry  # type: ignore[assignment]
                    pieces = [entry]
                else:
                    pieces = []
            else:
                pieces = [
                    _new_tuple(
                        Piece,
                        (item, s, e, a, b, unit_amount, quantity, period_amount, event_id, charge),
                    )
                ]
        else:
            pieces = window.group(key, _period_pieces(schedule, span, s, e, a, b, step))
        if key in out:
            # Seen before (an add-on re-attached inside the period): due as a whole, in advance
            # with its first served day, in arrears with its last.
            was_due = key not in not_due
            due = (was_due or due) if in_advance else (was_due and due)
            out[key] = out[key] + pieces
            if due:
                not_due.discard(key)
            else:
                not_due.add(key)
        else:
            out[key] = pieces
            if not due:
                not_due.add(key)
        s = e
        if straight and run is not None and run[2]:
            # Whole periods from ``s`` (after the first, ``a`` is ``s``) while no edge, end or
            # posted group comes: one charge each of the full amount, on the stretch's terms.
            unit_amount, quantity, period_amount, event_id = run
            while True:
                index += step
                e = lookup(index * 32 + day) or month_boundary(index, day)
                if s > horizon or e > until or e > next_edge:
                    break
                key = (item, s, e)
                if key in posted:
                    group = groups.get(key) if groups is not None else None
                    if group is not None and len(group) == 1:
                        ch = group[0]
                        if (
                            ch.kind is charge
                            and ch.service_start == s
                            and ch.service_end == e
                            and ch.unit_amount == unit_amount
                            and ch.quantity == quantity
                            and ch.period_amount == period_amount
                        ):
                            # Billed exactly so (as _post's one-for-one check): nothing to do.
                            # A posted group is never dropped, due or not.
                            out[key] = SETTLED
                            s = e
                            continue
                    break
                entry = _EntryLayout(
                    item, charge, s, e, s, e, unit_amount, quantity, period_amount,
                    period_amount, event_id,
                )
                entry.__class__ = Entry  # type: ignore[assignment]
                out[key] = [entry]
                if not (s <= as_of if in_advance else e <= as_of):
                    not_due.add(key)
                s = e
            pending = True  # the period [s, e) goes the general way


def _one_offs(schedule: Schedule, out: Derived, window: _Window) -> None:
    """One-off deliveries: each its own one-day group, billed once delivered by ``as_of``."""
    as_of, posted = window.as_of, window.posted
    for one_off in schedule.one_offs:
        d = one_off.delivered_on
        key = (f"one_off:{one_off.event_id}", d, d + timedelta(days=1))
        if not window.includes(key[2]):
            continue
        if d <= as_of or key in posted:
            total = one_off.unit_amount * one_off.quantity
            out[key] = window.group(key, [
                Piece(
                    key[0],
                    key[1],
                    key[2],
                    key[1],
                    key[2],
                    one_off.unit_amount,
                    one_off.quantity,
                    total,
                    one_off.event_id,
                    EntryKind.ONE_OFF,
                )
            ])


def _setup_fee(schedule: Schedule, out: Derived, window: _Window, *, scope: Scope) -> None:
    """The one-time start-up fee, billed with the first invoice (when the first period is due)
    unless waived; a subscription that never starts owes none."""
    start = schedule.start
    key = (SETUP_ITEM, start, start + _ONE_DAY)
    posted = window.posted
    fee = schedule.setup_fee
    if not fee and key not in posted:
        return  # nothing to bill and nothing to credit (the usual case: no fee or waived)
    if not window.includes(key[2]):
        return
    never_started = schedule.end is not None and schedule.end <= start
    due = scope is Scope.DUE and setup_fee_due_on(schedule) <= window.as_of
    if not (due or key in posted):
        return
    if fee and not never_started:
        out[key] = window.group(key, [
            Piece(
                SETUP_ITEM,
                key[1],
                key[2],
                key[1],
                key[2],
                fee,
                1,
                fee,
                schedule.setup_event_id,
                EntryKind.ONE_OFF,
            )
        ])
    elif key in posted:
        out[key] = []


def setup_fee_due_on(schedule: Schedule) -> date:
    """The day the setup fee falls due: the first period's, in advance its first day, in
    arrears its last (cut short by the end date)."""
    start = schedule.start
    if schedule.timing is BillingTiming.IN_ADVANCE:
        return start
    first_end = schedule.regimes[0].grid.period_containing(start).end
    return first_end if schedule.end is None else min(first_end, schedule.end)


def _item_ranges(schedule: Schedule) -> Iterator[tuple[str, date, date | None, AddOn | None]]:
    """Each billed item with the range it is served on (``None``: open-ended)."""
    start, end = schedule.start, schedule.billing_end
    yield MAIN_ITEM, start, end, None
    for addon in schedule.addon_history:
        a = max(start, addon.start)
        b = addon.end if end is None else (end if addon.end is None else min(end, addon.end))
        yield f"addon:{addon.key}", a, b, addon


#: The terms of an item on a stretch of days without an edge: unit amount, quantity,
#: full-period amount and the event that set them.
_Run = tuple[int, int, int, str | None]


def _terms(schedule: Schedule, addon: AddOn | None, day: date) -> Terms:
    if addon is None:
        return schedule.terms_on(day)
    return Terms(addon.unit_amount, addon.quantity, addon.price_months, addon.event_id)


def _run(schedule: Schedule, addon: AddOn | None, day: date, interval_months: int) -> _Run | None:
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
    span: _ItemSpan,
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
    terms: _Run | None = None
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
