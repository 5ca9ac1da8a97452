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

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from operator import itemgetter
from typing import cast

from billing.domain.entries import (
    MAIN_ITEM,
    SETUP_ITEM,
    Entry,
    EntryKind,
    GroupKey,
    Piece,
    Scope,
    charges_for,
    is_usage_item,
)
from billing.domain.timeline import AddOn, BillingTiming, Schedule
from billing.domain.walk import SETTLED, Derived, ItemSpan, Window, regime_pieces

__all__ = [
    "POSTING_ORDER",
    "SETTLED",
    "Derived",
    "Target",
    "charges_for",
    "derive",
    "pieces_in_scope",
    "setup_fee_due_on",
    "target_pieces",
    "target_total",
]

Target = dict[GroupKey, list[Piece]]

_ONE_DAY = timedelta(days=1)

#: Groups are posted in date order, then by item: ``(period_start, item, period_end)``.
POSTING_ORDER = itemgetter(1, 0, 2)


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
    posted entries by group, keyed by exactly the keys of ``posted``), a whole period whose
    one posted charge bills exactly its one piece may hold :data:`SETTLED` instead (its
    difference is empty).

    The groups come in posting order (:data:`POSTING_ORDER`)."""
    window = Window.of(
        schedule, as_of=as_of, scope=scope, posted=posted, since=since, charges=charges,
        groups=groups,
    )
    out = _periodic(schedule, window)
    # The main item's periods in one regime are walked in date order, which is posting order:
    # sorted only when something else comes in (about 2 us a derivation, a tenth of a re-run).
    walked = len(out)
    in_order = len(schedule.regimes) == 1 and not schedule.addon_history
    if schedule.one_offs:
        _one_offs(schedule, out, window)
    _setup_fee(schedule, out, window, scope=scope)
    for key in posted:
        if key not in out and (since is None or key[2] > since):
            out[key] = []
    if in_order and len(out) == walked:
        return out
    return {key: out[key] for key in sorted(out, key=POSTING_ORDER)}


def _periodic(schedule: Schedule, window: Window) -> Derived:
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
        span = ItemSpan(item, addon, main_edges if addon is None else pause_edges, main_changes)
        for ri, regime in enumerate(regimes):
            r_end = regimes[ri + 1].start if ri + 1 < len(regimes) else None
            lo = max(x, regime.start)
            hi = y if r_end is None else (r_end if y is None else min(y, r_end))
            if hi is None or lo < hi:
                fresh = item not in walked
                walked.add(item)
                regime_pieces(schedule, span, regime, lo, hi, window, out, not_due, fresh)
    for key in not_due:
        if key not in window.posted:
            del out[key]
    return out


def _one_offs(schedule: Schedule, out: Derived, window: Window) -> None:
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


def _setup_fee(schedule: Schedule, out: Derived, window: Window, *, scope: Scope) -> None:
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
