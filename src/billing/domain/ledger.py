"""The ledger: what should be billed (the target) and what must be posted to get there.

The ledger is append-only. What *should* have been billed follows from the timeline
(:class:`~billing.domain.timeline.Schedule`); what *was* billed is the list of posted entries.
:func:`post_difference` returns the new entries that make the second equal the first:

* target **pieces** are grouped by ``(item, period_start, period_end)``: one anchored period of
  one item (the main subscription, an add-on, or a one-off delivery);
* inside a group, the days each posted charge still covers (its days less the credits that point
  at it) are compared day-range by day-range with the target: a day billed on other terms, or not
  to be billed at all, is credited against the very charge that billed it, with the amounts *as
  billed* (its own full-period amount, the same ``s`` and ``L``); a day to be billed that no
  charge covers on the right terms is charged;
* amounts always come from :func:`billing.domain.proration.prorate_days`, so a credit for some
  days equals exactly what those days were charged, and pieces add up to the period's amount.

Cancellation, undo, moves, pauses, price and licence changes all go through this one difference.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from operator import itemgetter
from typing import NamedTuple

from billing.domain.proration import prorate_days
from billing.domain.timeline import AddOn, BillingTiming, Schedule, Terms

MAIN_ITEM = "main"

GroupKey = tuple[str, date, date]


class EntryKind(StrEnum):
    CHARGE = "charge"
    CREDIT = "credit"
    ONE_OFF = "one_off"


class Scope(StrEnum):
    """Which periods a difference looks at.

    ``DUE``: everything due by ``as_of`` (a bill run) and every period already posted.
    ``BILLED``: only periods already posted, plus one-offs delivered by ``as_of`` (a change
    that touches billed periods posts its difference at once; the rest waits for bill runs).
    """

    DUE = "due"
    BILLED = "billed"


class Piece(NamedTuple):
    """What should be billed for the served days ``[start, end)`` of one period of one item.

    A NamedTuple rather than a frozen dataclass: immutable all the same, and made for every
    period of every bill run, where the frozen ``__init__`` costs twice as much
    (benchmarks/RESULTS.md, "ledger_derivation").
    """

    item: str
    period_start: date
    period_end: date
    start: date
    end: date
    unit_amount: int
    quantity: int
    period_amount: int
    event_id: str | None
    kind: EntryKind = EntryKind.CHARGE

    @property
    def key(self) -> GroupKey:
        return (self.item, self.period_start, self.period_end)

    @property
    def amount(self) -> int:
        if self.start == self.period_start and self.end == self.period_end:
            return self.period_amount  # a full period is P, as prorate_days has it
        s = self.period_start.toordinal()
        return prorate_days(
            self.period_amount,
            self.period_end.toordinal() - s,
            self.start.toordinal() - s,
            self.end.toordinal() - s,
        )


@dataclass(frozen=True, slots=True)
class Entry:
    """A ledger entry, posted (``id`` set) or about to be posted (``id`` None).

    ``amount`` is signed: charges positive, credits negative. A credit names the charge it
    gives back in ``credits``.
    """

    item: str
    kind: EntryKind
    period_start: date
    period_end: date
    service_start: date
    service_end: date
    unit_amount: int
    quantity: int
    period_amount: int
    amount: int
    event_id: str | None = None
    credits: str | None = None
    id: str | None = None

    @property
    def key(self) -> GroupKey:
        return (self.item, self.period_start, self.period_end)

    @property
    def is_credit(self) -> bool:
        return self.kind is EntryKind.CREDIT


@dataclass(slots=True)
class _EntryLayout:
    """Entry's fields in Entry's slot layout, without the frozen ``__init__``.

    A frozen dataclass sets each field through ``object.__setattr__``: 13 calls, about 1.2 µs
    per Entry, where a plain slotted ``__init__`` takes a third of that. New entries are made
    as an ``_EntryLayout`` and then given the class Entry (:func:`_entry`), so every Entry stays
    a real frozen Entry (equality, hash, ``dataclasses.replace``, FrozenInstanceError).
    """

    item: str
    kind: EntryKind
    period_start: date
    period_end: date
    service_start: date
    service_end: date
    unit_amount: int
    quantity: int
    period_amount: int
    amount: int
    event_id: str | None = None
    credits: str | None = None
    id: str | None = None


# Assigning __class__ needs the same slots in the same order; a field added to one and not
# the other fails here, at import, rather than at the first bill run.
assert _EntryLayout.__slots__ == Entry.__slots__


def _entry(
    item: str,
    kind: EntryKind,
    period_start: date,
    period_end: date,
    service_start: date,
    service_end: date,
    unit_amount: int,
    quantity: int,
    period_amount: int,
    amount: int,
    event_id: str | None,
    credits: str | None = None,
) -> Entry:
    """``Entry(...)`` for a new entry (``id`` None), at a third of the cost (see _EntryLayout)."""
    e = _EntryLayout(
        item,
        kind,
        period_start,
        period_end,
        service_start,
        service_end,
        unit_amount,
        quantity,
        period_amount,
        amount,
        event_id,
        credits,
    )
    e.__class__ = Entry  # type: ignore[assignment]
    return e  # type: ignore[return-value]


# -- target ------------------------------------------------------------------------------------


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


def _item_ranges(schedule: Schedule) -> Iterator[tuple[str, date, date | None, object]]:
    """Each billed item with the range it is served on (``None``: open-ended)."""
    start, end = schedule.start, schedule.billing_end
    yield MAIN_ITEM, start, end, None
    for addon in schedule.addon_history:
        a = max(start, addon.start)
        b = addon.end if end is None else (end if addon.end is None else min(end, addon.end))
        yield f"addon:{addon.key}", a, b, addon


def target_pieces(
    schedule: Schedule,
    *,
    as_of: date,
    scope: Scope = Scope.DUE,
    posted_keys: Iterable[GroupKey] = (),
) -> dict[GroupKey, list[Piece]]:
    """What should be billed, grouped by period, for the periods in scope.

    In advance a period is due once its first served day is on or before ``as_of``; in arrears
    once its last served day has passed (a period cut short by the end date counts as ended on
    the end date). Periods already posted are always in scope, whatever ``as_of`` says, so that
    re-billing with an earlier ``as_of`` never credits what is rightly billed.
    """
    return _target(schedule, as_of=as_of, scope=scope, posted=set(posted_keys))


def _target(
    schedule: Schedule, *, as_of: date, scope: Scope, posted: Collection[GroupKey]
) -> dict[GroupKey, list[Piece]]:
    billed_periods = {(k[1], k[2]) for k in posted}
    horizon = as_of
    for _, s, _ in posted:
        if s > horizon:
            horizon = s
    in_advance = schedule.timing is BillingTiming.IN_ADVANCE
    out: dict[GroupKey, list[Piece]] = {}
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
        edges = main_edges if addon is None else pause_edges
        n_edges = len(edges)
        for ri, regime in enumerate(regimes):
            r_start = regime.start
            r_end = regimes[ri + 1].start if ri + 1 < len(regimes) else None
            lo = max(x, r_start)
            hi = y if r_end is None else (r_end if y is None else min(y, r_end))
            if hi is not None and hi <= lo:
                continue
            interval_months = regime.grid.interval_months
            ei = 0  # edges[ei] is the first edge after the current period's first served day
            run_ei = -1  # the ei that ``run`` was computed for
            run: _Run | None = None
            for s, e in regime.grid.bounds_from(lo):
                a = max(s, lo)
                if s > horizon or (hi is not None and a >= hi):
                    break
                b = e if hi is None or e < hi else hi
                key = (item, s, e)
                due = a <= as_of if in_advance else b <= as_of
                if scope is Scope.BILLED:
                    # A period already billed (for any item) is posted at once: an add-on
                    # attached inside it is charged now, like any other change to it.
                    due = (s, e) in billed_periods
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
                    pieces = _period_pieces(
                        schedule, item, addon, s, e, a, b, main_changes, interval_months
                    )
                out[key] = out[key] + pieces if key in out else pieces
    for key, due in due_of.items():
        if not due and key not in posted:
            del out[key]

    for one_off in schedule.one_offs:
        d = one_off.delivered_on
        key = (f"one_off:{one_off.event_id}", d, d + timedelta(days=1))
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
    _setup_fee(schedule, out, as_of=as_of, scope=scope, posted=posted)
    for key in posted:
        out.setdefault(key, [])
    return out


#: The terms of an item on a stretch of days without an edge: unit amount, quantity,
#: full-period amount and the event that set them.
_Run = tuple[int, int, int, str | None]


def _run(schedule: Schedule, addon: object, day: date, interval_months: int) -> _Run | None:
    """What an item costs from ``day`` to the next edge (None: paused, see _period_pieces)."""
    if schedule.is_paused_on(day):
        return None
    if addon is None:
        terms = schedule.terms_on(day)
    else:
        assert isinstance(addon, AddOn)
        terms = Terms(addon.unit_amount, addon.quantity, addon.price_months, addon.event_id)
    return (
        terms.unit_amount,
        terms.quantity,
        terms.period_amount(interval_months),
        terms.source_event_id,
    )


SETUP_ITEM = "setup"


def _setup_fee(
    schedule: Schedule,
    out: dict[GroupKey, list[Piece]],
    *,
    as_of: date,
    scope: Scope,
    posted: Collection[GroupKey],
) -> None:
    """The one-time start-up fee, billed with the first invoice (when the first period is due)
    unless waived; a subscription that never starts owes none."""
    start = schedule.start
    key = (SETUP_ITEM, start, start + timedelta(days=1))
    fee = schedule.setup_fee
    never_started = schedule.end is not None and schedule.end <= start
    if schedule.timing is BillingTiming.IN_ADVANCE:
        first_due = start
    else:
        first_end = schedule.regimes[0].grid.period_containing(start).end
        first_due = first_end if schedule.end is None else min(first_end, schedule.end)
    due = scope is Scope.DUE and first_due <= as_of
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


def _period_pieces(
    schedule: Schedule,
    item: str,
    addon: object,
    s: date,
    e: date,
    a: date,
    b: date,
    main_changes: list[date],
    interval_months: int,
) -> list[Piece]:
    pieces: list[Piece] = []
    for lo, hi in _active_ranges(schedule, a, b):
        if addon is None:
            cuts = [lo] + [d for d in main_changes if lo < d < hi] + [hi]
            for i in range(len(cuts) - 1):
                terms = schedule.terms_on(cuts[i])
                amount = terms.period_amount(interval_months)
                if amount == 0:
                    continue
                if (
                    pieces
                    and pieces[-1].end == cuts[i]
                    and pieces[-1].unit_amount == terms.unit_amount
                    and pieces[-1].quantity == terms.quantity
                    and pieces[-1].period_amount == amount
                ):
                    last = pieces[-1]
                    pieces[-1] = Piece(
                        item,
                        s,
                        e,
                        last.start,
                        cuts[i + 1],
                        last.unit_amount,
                        last.quantity,
                        amount,
                        last.event_id,
                    )
                    continue
                pieces.append(
                    Piece(
                        item,
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
        else:
            assert isinstance(addon, AddOn)
            terms = Terms(addon.unit_amount, addon.quantity, addon.price_months, addon.event_id)
            amount = terms.period_amount(interval_months)
            if amount:
                pieces.append(
                    Piece(
                        item,
                        s,
                        e,
                        lo,
                        hi,
                        addon.unit_amount,
                        addon.quantity,
                        amount,
                        addon.event_id,
                    )
                )
    return pieces


# -- difference --------------------------------------------------------------------------------


def post_difference(
    target: dict[GroupKey, list[Piece]],
    posted: Sequence[Entry],
    *,
    cause_event_id: str | None = None,
) -> list[Entry]:
    """The new entries that bring ``posted`` in line with ``target`` (nothing posted is edited).

    Only groups present in ``target`` are looked at; build it with the posted keys in scope.
    Zero-amount entries are never posted.
    """
    return _post(target, _by_key(posted), cause_event_id)


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
    target: dict[GroupKey, list[Piece]],
    by_key: dict[GroupKey, list[Entry]],
    cause_event_id: str | None,
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
        out.extend(_diff_group(pieces, entries, cause_event_id))
    return out


def _charge(p: Piece, start: date, end: date, amount: int) -> Entry:
    return _entry(
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


def _slice_amount(period_amount: int, s: date, e: date, a: date, b: date) -> int:
    so = s.toordinal()
    return prorate_days(period_amount, e.toordinal() - so, a.toordinal() - so, b.toordinal() - so)


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


def _diff_group(
    pieces: list[Piece], entries: list[Entry], cause_event_id: str | None
) -> list[Entry]:
    if _tiles(pieces, entries):
        # The common case of every re-run: the period is billed exactly as the target says.
        return []
    coverage = net_coverage(entries)
    bounds = sorted(
        {p.start for p in pieces}
        | {p.end for p in pieces}
        | {c[0] for c in coverage}
        | {c[1] for c in coverage}
    )
    # (kind, reference, start, end): reference is the credited charge or the target piece.
    actions: list[tuple[str, object, date, date]] = []
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

    out: list[Entry] = []
    for kind, ref, a, b in actions:
        if kind == "credit":
            assert isinstance(ref, Entry)
            amount = _slice_amount(ref.period_amount, ref.period_start, ref.period_end, a, b)
            if amount:
                out.append(
                    _entry(
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
            amount = _slice_amount(ref.period_amount, ref.period_start, ref.period_end, a, b)
            if amount:
                out.append(_charge(ref, a, b, amount))
    return out


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


def _extend(
    actions: list[tuple[str, object, date, date]], kind: str, ref: object, x: date, y: date
) -> None:
    """Append an action, merging it into an earlier one for the same reference that ends at x."""
    for i in range(len(actions) - 1, -1, -1):
        k, r, a, b = actions[i]
        if k == kind and b == x and _same_ref(kind, r, ref):
            actions[i] = (k, r, a, y)
            return
    actions.append((kind, ref, x, y))


def _same_ref(kind: str, a: object, b: object) -> bool:
    if kind == "credit":
        return a is b
    assert isinstance(a, Piece) and isinstance(b, Piece)
    return (a.unit_amount, a.quantity, a.period_amount) == (
        b.unit_amount,
        b.quantity,
        b.period_amount,
    )


def difference(
    schedule: Schedule,
    posted: Sequence[Entry],
    *,
    as_of: date,
    scope: Scope = Scope.DUE,
    cause_event_id: str | None = None,
) -> list[Entry]:
    """Target of ``schedule`` for the periods in scope, less what is ``posted``."""
    by_key = _by_key(posted)  # its keys are the posted keys
    target = _target(schedule, as_of=as_of, scope=scope, posted=by_key.keys())
    return _post(target, by_key, cause_event_id)


def total(entries: Iterable[Entry]) -> int:
    return sum(e.amount for e in entries)


def target_total(target: dict[GroupKey, list[Piece]]) -> int:
    return sum(p.amount for pieces in target.values() for p in pieces)
