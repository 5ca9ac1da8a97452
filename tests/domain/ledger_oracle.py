"""The ledger derivation as it was before issue 15 part 5 (pure core speed): the oracle.

A verbatim copy of ``billing.domain.target`` and ``billing.domain.difference`` at 51c7b5f
(one ``Piece`` per period, ``due_of`` per key, a sort of every group), with the period walk
taken from ``PeriodGrid.boundary`` one boundary at a time. The faster derivation in ``src``
must return exactly what this returns, entry for entry and in the same order
(tests/domain/test_derivation_oracle.py). Kept in the tests, not in ``src``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from operator import itemgetter

from billing.domain.calendar import PeriodGrid
from billing.domain.entries import (
    MAIN_ITEM,
    SETUP_ITEM,
    Entry,
    EntryKind,
    GroupKey,
    Piece,
    Scope,
    is_usage_item,
    new_entry,
    slice_amount,
)
from billing.domain.timeline import AddOn, BillingTiming, Regime, Schedule, Terms

Target = dict[GroupKey, list[Piece]]


def _bounds_from(grid: PeriodGrid, d: date) -> Iterator[tuple[date, date]]:
    k = grid.index_containing(d)
    while True:
        yield grid.boundary(k), grid.boundary(k + 1)
        k += 1



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
    window = _Window.of(schedule, as_of=as_of, scope=scope, posted=posted, since=since)
    out = _periodic(schedule, window)
    _one_offs(schedule, out, window)
    _setup_fee(schedule, out, window, scope=scope)
    for key in posted:
        if since is None or key[2] > since:
            out.setdefault(key, [])
    return out


@dataclass(frozen=True, slots=True)
class _Window:
    """Which periods the target looks at, and how it decides that one is due."""

    as_of: date
    #: No period starting after this is looked at: ``as_of`` or the last posted period start.
    horizon: date
    in_advance: bool
    #: With Scope.BILLED, the periods already billed for any item; None with Scope.DUE.
    billed_periods: set[tuple[date, date]] | None
    posted: Collection[GroupKey]
    #: Only groups ending after this are looked at (None: every group).
    since: date | None = None

    @classmethod
    def of(
        cls,
        schedule: Schedule,
        *,
        as_of: date,
        scope: Scope,
        posted: Collection[GroupKey],
        since: date | None = None,
    ) -> _Window:
        # The horizon only bounds the walk: a period it adds that is neither posted nor due is
        # dropped again, so posted keys left out with ``since`` never change what is returned.
        horizon = as_of
        for _, s, _ in posted:
            if s > horizon:
                horizon = s
        billed = {(k[1], k[2]) for k in posted} if scope is Scope.BILLED else None
        in_advance = schedule.timing is BillingTiming.IN_ADVANCE
        return cls(as_of, horizon, in_advance, billed, posted, since)

    def includes(self, period_end: date) -> bool:
        """Whether a group ending on ``period_end`` is looked at (see ``since``)."""
        return self.since is None or period_end > self.since


def _periodic(schedule: Schedule, window: _Window) -> Target:
    """The pieces of the main item and the add-ons, for every period in the window."""
    out: Target = {}
    # A period can be served in parts (an add-on re-attached on new terms inside it): it is due
    # as a whole, in advance with its first served day, in arrears with its last.
    due_of: dict[GroupKey, bool] = {}
    regimes = schedule.regimes
    main_changes = schedule.change_dates()
    # The dates on which what a day costs may change: pause edges for every item, and the
    # terms changes for the main item. A period with none of them inside is one piece on the
    # terms of its first day; only the others need the general path (_period_pieces).
    pause_edges = sorted(
        {d for p in schedule.pauses for d in (p.start, p.billed_from, p.end) if d is not None}
    )
    main_edges = sorted(set(pause_edges).union(main_changes))
    for item, x, y, addon in _item_ranges(schedule):
        if y is not None and y <= x:
            continue
        span = _ItemSpan(item, addon, main_edges if addon is None else pause_edges, main_changes)
        for ri, regime in enumerate(regimes):
            r_end = regimes[ri + 1].start if ri + 1 < len(regimes) else None
            lo = max(x, regime.start)
            hi = y if r_end is None else (r_end if y is None else min(y, r_end))
            if hi is None or lo < hi:
                _regime_pieces(schedule, span, regime, lo, hi, window, out, due_of)
    for key, due in due_of.items():
        if not due and key not in window.posted:
            del out[key]
    return out


@dataclass(frozen=True, slots=True)
class _ItemSpan:
    """One billed item, with the dates inside a period where its cost may change."""

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
    out: Target,
    due_of: dict[GroupKey, bool],
) -> None:
    """Add to ``out`` the pieces of ``span``'s item on ``[lo, hi)`` in one billing regime, and
    record in ``due_of`` whether each of their periods is due."""
    item, addon, edges = span.item, span.addon, span.edges
    as_of, horizon, in_advance, billed = (
        window.as_of,
        window.horizon,
        window.in_advance,
        window.billed_periods,
    )
    interval_months = regime.grid.interval_months
    n_edges = len(edges)
    ei = 0  # edges[ei] is the first edge after the current period's first served day
    run_ei = -1  # the ei that ``run`` was computed for
    run: _Run | None = None
    since = window.since
    # The periods ending after ``since`` are exactly those from the one containing it on.
    for s, e in _bounds_from(regime.grid, lo if since is None or since < lo else since):
        a = max(s, lo)
        if s > horizon or (hi is not None and a >= hi):
            break
        b = e if hi is None or e < hi else hi
        key = (item, s, e)
        # With Scope.BILLED a period already billed (for any item) is posted at once: an
        # add-on attached inside it is charged now, like any other change to it.
        due = (a <= as_of if in_advance else b <= as_of) if billed is None else (s, e) in billed
        if key in due_of:
            due = (due_of[key] or due) if in_advance else (due_of[key] and due)
        due_of[key] = due
        while ei < n_edges and edges[ei] <= a:
            ei += 1
        if ei != run_ei:
            run_ei = ei
            run = _run(schedule, addon, a, interval_months)
        if run is not None and (ei == n_edges or edges[ei] >= b):
            unit_amount, quantity, period_amount, event_id = run
            pieces = (
                [Piece(item, s, e, a, b, unit_amount, quantity, period_amount, event_id)]
                if period_amount
                else []
            )
        else:
            pieces = _period_pieces(schedule, span, s, e, a, b, interval_months)
        out[key] = out[key] + pieces if key in out else pieces


def _one_offs(schedule: Schedule, out: Target, window: _Window) -> None:
    """One-off deliveries: each its own one-day group, billed once delivered by ``as_of``."""
    as_of, posted = window.as_of, window.posted
    for one_off in schedule.one_offs:
        d = one_off.delivered_on
        key = (f"one_off:{one_off.event_id}", d, d + timedelta(days=1))
        if not window.includes(key[2]):
            continue
        if d <= as_of or key in posted:
            total = one_off.unit_amount * one_off.quantity
            out[key] = [
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
            ]


def _setup_fee(schedule: Schedule, out: Target, window: _Window, *, scope: Scope) -> None:
    """The one-time start-up fee, billed with the first invoice (when the first period is due)
    unless waived; a subscription that never starts owes none."""
    start = schedule.start
    key = (SETUP_ITEM, start, start + timedelta(days=1))
    if not window.includes(key[2]):
        return
    posted = window.posted
    fee = schedule.setup_fee
    never_started = schedule.end is not None and schedule.end <= start
    due = scope is Scope.DUE and setup_fee_due_on(schedule) <= window.as_of
    if not (due or key in posted):
        return
    if fee and not never_started:
        out[key] = [
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
        ]
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
    if schedule.is_paused_on(day):
        return None
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
    for lo, hi in _active_ranges(schedule, a, b):
        if span.addon is None:
            cuts = [lo] + [d for d in span.main_changes if lo < d < hi] + [hi]
        else:
            cuts = [lo, hi]  # an add-on's terms do not change inside its range
        for i in range(len(cuts) - 1):
            terms = _terms(schedule, span.addon, cuts[i])
            amount = terms.period_amount(interval_months)
            if amount == 0:
                continue
            last = pieces[-1] if pieces else None
            if (
                last is not None
                and last.end == cuts[i]
                and (last.unit_amount, last.quantity, last.period_amount)
                == (terms.unit_amount, terms.quantity, amount)
            ):
                pieces[-1] = last._replace(end=cuts[i + 1])
                continue
            pieces.append(
                Piece(
                    span.item,
                    s,
                    e,
                    cuts[i],
                    cuts[i + 1],
                    terms.unit_amount,
                    terms.quantity,
                    amount,
                    terms.source_event_id,
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



def difference(
    schedule: Schedule,
    posted: Sequence[Entry],
    *,
    as_of: date,
    scope: Scope = Scope.DUE,
    cause_event_id: str | None = None,
    since: date | None = None,
) -> list[Entry]:
    """Target of ``schedule`` for the periods in scope, less what is ``posted``.

    With ``since``, only the groups ending after it are derived, and ``posted`` needs to hold
    only their entries (others are ignored). When the ledger is settled before ``since``
    (:func:`billing.domain.settlement.rederive_from` says how far back that is), the answer is
    exactly the full derivation's, at the cost of the periods from ``since`` on.
    """
    # Usage charges are derived from usage events, not the timeline (billing.domain.
    # usage_target): the timeline's difference neither sees nor credits them.
    if since is not None:
        posted = [e for e in posted if e.period_end > since and not is_usage_item(e.item)]
    else:
        posted = [e for e in posted if not is_usage_item(e.item)]
    by_key = _by_key(posted)  # its keys are the posted keys
    target = pieces_in_scope(
        schedule, as_of=as_of, scope=scope, posted=by_key.keys(), since=since
    )
    return _post(target, by_key, cause_event_id)


def post_difference(
    target: Target,
    posted: Sequence[Entry],
    *,
    cause_event_id: str | None = None,
) -> list[Entry]:
    """The new entries that bring ``posted`` in line with ``target`` (nothing posted is edited).

    Only groups present in ``target`` are looked at; build it with the posted keys in scope.
    Zero-amount entries are never posted.
    """
    return _post(target, _by_key(posted), cause_event_id)


def net_coverage(entries: Sequence[Entry]) -> list[tuple[date, date, Entry]]:
    """The day ranges each posted charge still bills: its days less the credits against it."""
    credit = EntryKind.CREDIT
    credited: dict[str, list[tuple[date, date]]] = defaultdict(list)
    for e in entries:
        if e.kind is credit and e.credits is not None:
            credited[e.credits].append((e.service_start, e.service_end))
    coverage: list[tuple[date, date, Entry]] = []
    for ch in entries:
        if ch.kind is credit:
            continue
        cursor = ch.service_start
        assert ch.id is not None, "posted charges have ids"
        for lo, hi in sorted(credited.get(ch.id, ())):
            if lo > cursor:
                coverage.append((cursor, lo, ch))
            cursor = max(cursor, hi)
        if cursor < ch.service_end:
            coverage.append((cursor, ch.service_end, ch))
    return coverage


def _by_key(posted: Sequence[Entry]) -> dict[GroupKey, list[Entry]]:
    by_key: dict[GroupKey, list[Entry]] = {}
    for e in posted:
        key = (e.item, e.period_start, e.period_end)
        group = by_key.get(key)
        if group is None:
            by_key[key] = [e]
        else:
            group.append(e)
    return by_key


#: Groups are posted in date order, then by item: ``(period_start, item, period_end)``.
_POSTING_ORDER = itemgetter(1, 0, 2)


def _post(
    target: Target, by_key: dict[GroupKey, list[Entry]], cause_event_id: str | None
) -> list[Entry]:
    out: list[Entry] = []
    for key in sorted(target, key=_POSTING_ORDER):
        pieces = target[key]
        entries = by_key.get(key)
        if not entries:
            for p in pieces:
                amount = p.amount
                if amount:
                    out.append(_charge(p, p.start, p.end, amount))
            continue
        if _tiles(pieces, entries):
            # The common case of every re-run: the period is billed exactly as the target says.
            continue
        out.extend(_entries_for(_actions(pieces, net_coverage(entries)), cause_event_id))
    return out


def _charge(p: Piece, start: date, end: date, amount: int) -> Entry:
    return new_entry(
        p.item,
        p.kind,
        p.period_start,
        p.period_end,
        start,
        end,
        p.unit_amount,
        p.quantity,
        p.period_amount,
        amount,
        p.event_id,
    )


def _tiles(pieces: list[Piece], entries: list[Entry]) -> bool:
    """Whether the posted entries are charges matching the pieces one for one: the same days,
    unit amount, quantity and full-period amount, and no credit. The difference is then empty
    (pieces never overlap, so neither do such charges)."""
    if len(pieces) != len(entries):
        return False
    credit = EntryKind.CREDIT
    for p, ch in zip(pieces, entries, strict=True):
        if (
            ch.kind is credit
            or ch.service_start != p.start
            or ch.service_end != p.end
            or ch.unit_amount != p.unit_amount
            or ch.quantity != p.quantity
            or ch.period_amount != p.period_amount
        ):
            return False
    return True


#: (kind, reference, start, end): reference is the credited charge or the target piece.
_Action = tuple[str, Entry | Piece, date, date]


def _actions(pieces: list[Piece], coverage: list[tuple[date, date, Entry]]) -> list[_Action]:
    """Day range by day range: what to credit (a charge billing it on other terms, or a day
    not to be billed) and what to charge (a target piece no charge covers on its terms)."""
    bounds = sorted(
        {p.start for p in pieces}
        | {p.end for p in pieces}
        | {c[0] for c in coverage}
        | {c[1] for c in coverage}
    )
    actions: list[_Action] = []
    for i in range(len(bounds) - 1):
        x, y = bounds[i], bounds[i + 1]
        want = next((p for p in pieces if p.start <= x < p.end), None)
        kept = False
        for lo, hi, ch in coverage:
            if not lo <= x < hi:
                continue
            if (
                want is not None
                and not kept
                and ch.unit_amount == want.unit_amount
                and ch.quantity == want.quantity
                and ch.period_amount == want.period_amount
            ):
                kept = True
            else:
                _extend(actions, "credit", ch, x, y)
        if want is not None and not kept:
            _extend(actions, "charge", want, x, y)
    return actions


def _entries_for(actions: list[_Action], cause_event_id: str | None) -> list[Entry]:
    """The entries of the actions; a credit gives back the charge's days at its own amounts."""
    out: list[Entry] = []
    for kind, ref, a, b in actions:
        amount = slice_amount(ref.period_amount, ref.period_start, ref.period_end, a, b)
        if not amount:
            continue
        if kind == "credit":
            assert isinstance(ref, Entry)
            out.append(
                new_entry(
                    ref.item,
                    EntryKind.CREDIT,
                    ref.period_start,
                    ref.period_end,
                    a,
                    b,
                    ref.unit_amount,
                    ref.quantity,
                    ref.period_amount,
                    -amount,
                    cause_event_id or ref.event_id,
                    ref.id,
                )
            )
        else:
            assert isinstance(ref, Piece)
            out.append(_charge(ref, a, b, amount))
    return out


def _extend(actions: list[_Action], kind: str, ref: Entry | Piece, x: date, y: date) -> None:
    """Append an action, merging it into an earlier one for the same reference that ends at x."""
    for i in range(len(actions) - 1, -1, -1):
        k, r, a, b = actions[i]
        if k == kind and b == x and _same_ref(kind, r, ref):
            actions[i] = (k, r, a, y)
            return
    actions.append((kind, ref, x, y))


def _same_ref(kind: str, a: Entry | Piece, b: Entry | Piece) -> bool:
    if kind == "credit":
        return a is b
    assert isinstance(a, Piece) and isinstance(b, Piece)
    return (a.unit_amount, a.quantity, a.period_amount) == (
        b.unit_amount,
        b.quantity,
        b.period_amount,
    )
