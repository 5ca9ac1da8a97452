"""Ledger entries and target pieces: the two sides the ledger difference compares.

A **piece** is what *should* be billed for some served days of one period of one item (the
main subscription, an add-on, a one-off or the setup fee); an **entry** is what *was* (or is
about to be) posted. Both are keyed by their group, ``(item, period_start, period_end)``.
Amounts are integer minor units; an entry's amount is signed (credits negative).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from billing.domain.proration import prorate_days

MAIN_ITEM = "main"
SETUP_ITEM = "setup"
#: Items of usage charges: ``usage:<metric>:<tier>`` (billing.domain.usage).
USAGE_PREFIX = "usage:"

#: ``(item, period_start, period_end)``: one anchored period of one item.
GroupKey = tuple[str, date, date]


class EntryKind(StrEnum):
    CHARGE = "charge"
    CREDIT = "credit"
    ONE_OFF = "one_off"
    #: A metered charge, billed in arrears from usage events (billing.domain.usage).
    USAGE = "usage"


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
        # slice_amount inlined: this runs for every piece of every bill run
        s = self.period_start.toordinal()
        return prorate_days(
            self.period_amount,
            self.period_end.toordinal() - s,
            self.start.toordinal() - s,
            self.end.toordinal() - s,
        )


def is_usage_item(item: str) -> bool:
    """Whether ``item`` is a usage charge's (derived from usage events, not the timeline)."""
    return item.startswith(USAGE_PREFIX)


def slice_amount(period_amount: int, s: date, e: date, a: date, b: date) -> int:
    """The amount of the days ``[a, b)`` of the period ``[s, e)`` that costs ``period_amount``."""
    so = s.toordinal()
    return prorate_days(period_amount, e.toordinal() - so, a.toordinal() - so, b.toordinal() - so)


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
    as an ``_EntryLayout`` and then given the class Entry (:func:`new_entry`), so every Entry
    stays a real frozen Entry (equality, hash, ``dataclasses.replace``, FrozenInstanceError).
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


def new_entry(
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


def charges_for(pieces: Iterable[Piece]) -> list[Entry]:
    """The new charges that bill ``pieces`` (a group with nothing posted), zero amounts left
    out: the amounts of :attr:`Piece.amount`, made without a call per entry."""
    out: list[Entry] = []
    for item, ps, pe, a, b, unit_amount, quantity, period_amount, event_id, kind in pieces:
        amount = period_amount if a == ps and b == pe else slice_amount(period_amount, ps, pe, a, b)
        if amount:
            entry = _EntryLayout(
                item, kind, ps, pe, a, b, unit_amount, quantity, period_amount, amount, event_id
            )
            entry.__class__ = Entry  # type: ignore[assignment]
            out.append(entry)  # type: ignore[arg-type]
    return out


def total(entries: Iterable[Entry]) -> int:
    return sum(e.amount for e in entries)
