"""The difference: the new entries that make what was posted equal the target.

Target pieces and posted entries are compared group by group, ``(item, period_start,
period_end)``. Inside a group, the days each posted charge still covers (its days less the
credits that point at it, :func:`net_coverage`) are compared day-range by day-range with the
target: a day billed on other terms, or not to be billed at all, is credited against the very
charge that billed it, with the amounts *as billed* (its own full-period amount, the same ``s``
and ``L``); a day to be billed that no charge covers on the right terms is charged. Amounts
always come from :func:`billing.domain.proration.prorate_days`, so a credit for some days equals
exactly what those days were charged, and pieces add up to the period's amount.

Nothing posted is ever edited, and zero-amount entries are never posted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from billing.domain.entries import (
    USAGE_PREFIX,
    Entry,
    EntryKind,
    GroupKey,
    Piece,
    Scope,
    new_entry,
    slice_amount,
)
from billing.domain.target import POSTING_ORDER, SETTLED, Derived, Target, charges_for, derive
from billing.domain.timeline import Schedule


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
    by_key = _by_key(posted, since)  # its keys are the posted keys
    target = derive(
        schedule,
        as_of=as_of,
        scope=scope,
        posted=by_key.keys(),
        since=since,
        charges=True,
        groups=by_key,
    )
    return _post(target, by_key, cause_event_id, charged=True)


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
    ordered = {key: target[key] for key in sorted(target, key=POSTING_ORDER)}
    return _post(ordered, _by_key_all(posted), cause_event_id)


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


def _by_key(posted: Sequence[Entry], since: date | None = None) -> dict[GroupKey, list[Entry]]:
    """The posted entries by group, less usage charges and, with ``since``, the groups ending
    on or before it."""
    if since is None:
        # The usual ledger: one charge per group, no usage. A comprehension builds it at half
        # the cost of the loop below, and the usage test runs once per item, not per entry.
        one_each = {(e.item, e.period_start, e.period_end): [e] for e in posted}
        items = {e.item for e in posted}
        if len(one_each) == len(posted) and not any(i.startswith(USAGE_PREFIX) for i in items):
            return one_each
    by_key: dict[GroupKey, list[Entry]] = {}
    for e in posted:
        item = e.item
        if item.startswith(USAGE_PREFIX) or (since is not None and e.period_end <= since):
            continue
        key = (item, e.period_start, e.period_end)
        group = by_key.get(key)
        if group is None:
            by_key[key] = [e]
        else:
            group.append(e)
    return by_key


def _by_key_all(posted: Sequence[Entry]) -> dict[GroupKey, list[Entry]]:
    """Every posted entry by group, usage charges too (``post_difference`` is theirs as well)."""
    by_key: dict[GroupKey, list[Entry]] = {}
    for e in posted:
        by_key.setdefault((e.item, e.period_start, e.period_end), []).append(e)
    return by_key


def _post(
    target: Derived,
    by_key: dict[GroupKey, list[Entry]],
    cause_event_id: str | None,
    *,
    charged: bool = False,
) -> list[Entry]:
    """The new entries, group by group in the order of ``target`` (posting order, as
    :func:`billing.domain.target.derive` returns it). ``charged``: the groups not posted hold
    their charges already."""
    out: list[Entry] = []
    if charged and not by_key:
        # Nothing posted (a first pass): every group holds its charges, in order.
        for charges in target.values():
            out += charges
        return out
    credit = EntryKind.CREDIT
    for key, pieces in target.items():
        if pieces is SETTLED:
            continue  # billed exactly as the target says (derive)
        entries = by_key.get(key)
        if not entries:
            # Nothing posted for the group: its charges, made with the target (derive).
            out.extend(pieces if charged else charges_for(pieces))
            continue
        if len(entries) == 1 and len(pieces) == 1:
            # The common case of every re-run: one charge billing the one piece, as _tiles.
            p, ch = pieces[0], entries[0]
            if (
                ch.kind is not credit
                and ch.service_start == p[3]
                and ch.service_end == p[4]
                and ch.unit_amount == p[5]
                and ch.quantity == p[6]
                and ch.period_amount == p[7]
            ):
                continue
        elif _tiles(pieces, entries):
            # The period is billed exactly as the target says.
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
