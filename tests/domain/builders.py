"""Test helpers: a timeline builder that numbers events, and a ledger that numbers entries.

Events and entries carry ids assigned by the caller in production (storage does it); here the
builder assigns ``E1, E2, …`` with ``seq`` in recording order, and :class:`FakeLedger` assigns
``L1, L2, …`` to what :func:`billing.domain.ledger.difference` returns, like a post would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from billing.domain.codec import decode
from billing.domain.ledger import MAIN_ITEM, Entry, EntryKind, Scope, difference, total
from billing.domain.timeline import Event, EventType, Schedule

RECORDED_AT = datetime(2020, 1, 1, tzinfo=UTC)


class Timeline:
    """Builds a subscription's events in recording order (``seq`` = recording order)."""

    def __init__(
        self,
        start: date,
        *,
        unit_amount: int = 10_000,
        quantity: int = 1,
        price_months: int = 1,
        interval_months: int = 1,
        anchor_day: int | None = None,
        billing_timing: str = "in_advance",
        setup_fee_amount: int = 0,
    ) -> None:
        self.events: list[Event] = []
        data: dict[str, Any] = {
            "unit_amount": unit_amount,
            "quantity": quantity,
            "price_months": price_months,
            "interval_months": interval_months,
            "billing_timing": billing_timing,
        }
        if anchor_day is not None:
            data["anchor_day"] = anchor_day
        if setup_fee_amount:
            data["setup_fee_amount"] = setup_fee_amount
        self.add(EventType.STARTED, start, **data)

    def add(self, type_: EventType, effective: date, **data: Any) -> Event:
        n = len(self.events) + 1
        event = Event(
            id=f"E{n}",
            seq=n,
            effective_date=effective,
            recorded_at=RECORDED_AT + timedelta(minutes=n),
            recorded_by="staff@example.com",
            reason="test",
            payload=decode(type_, data),
        )
        self.events.append(event)
        return event

    # -- the events staff record ---------------------------------------------------------------

    def price(self, effective: date, unit_amount: int) -> Event:
        return self.add(EventType.PRICE_CHANGED, effective, unit_amount=unit_amount)

    def quantity(self, effective: date, quantity: int) -> Event:
        return self.add(EventType.QUANTITY_CHANGED, effective, quantity=quantity)

    def interval(self, effective: date, interval_months: int) -> Event:
        return self.add(EventType.INTERVAL_CHANGED, effective, interval_months=interval_months)

    def pause(self, effective: date, resume: date | None = None) -> Event:
        if resume is None:
            return self.add(EventType.PAUSED, effective)
        return self.add(EventType.PAUSED, effective, resume_date=resume)

    def resume(self, effective: date) -> Event:
        return self.add(EventType.RESUMED, effective)

    def cancel(self, end: date) -> Event:
        return self.add(EventType.CANCELLATION_SCHEDULED, end, end_date=end)

    def move_cancellation(self, end: date) -> Event:
        return self.add(EventType.CANCELLATION_MOVED, end)

    def revoke_cancellation(self, recorded_on: date) -> Event:
        return self.add(EventType.CANCELLATION_REVOKED, recorded_on)

    def one_off(self, delivered: date, unit_amount: int, quantity: int = 1) -> Event:
        return self.add(
            EventType.ONE_OFF_DELIVERED,
            delivered,
            unit_amount=unit_amount,
            quantity=quantity,
            description="health check",
        )

    def attach_addon(self, effective: date, key: str, unit_amount: int) -> Event:
        return self.add(
            EventType.ADDON_ATTACHED, effective, addon_key=key, code=key, unit_amount=unit_amount
        )

    def detach_addon(self, effective: date, key: str) -> Event:
        return self.add(EventType.ADDON_DETACHED, effective, addon_key=key)

    def schedule(self) -> Schedule:
        return Schedule(self.events)

    def copy(self) -> Timeline:
        """The same events so far; events added to the copy are not added here."""
        twin = Timeline.__new__(Timeline)
        twin.events = list(self.events)
        return twin


class FakeLedger:
    """An append-only list of posted entries; posting assigns ids ``L1, L2, …``."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []

    def post(self, new: Sequence[Entry]) -> list[Entry]:
        posted: list[Entry] = []
        for entry in new:
            assert entry.id is None, "difference() returns entries not yet posted"
            posted.append(replace(entry, id=f"L{len(self.entries) + 1}"))
            self.entries.append(posted[-1])
        return posted

    def bill(
        self,
        schedule: Schedule,
        as_of: date,
        *,
        scope: Scope = Scope.DUE,
        cause: str | None = None,
    ) -> list[Entry]:
        """Post the difference at ``as_of`` (a bill run with DUE, a change with BILLED)."""
        return self.post(
            difference(schedule, self.entries, as_of=as_of, scope=scope, cause_event_id=cause)
        )

    @property
    def total(self) -> int:
        return total(self.entries)

    def by_id(self, entry_id: str) -> Entry:
        return next(e for e in self.entries if e.id == entry_id)

    def charges(self, item: str = MAIN_ITEM) -> list[Entry]:
        return [e for e in self.entries if e.item == item and e.kind is EntryKind.CHARGE]

    def credits(self) -> list[Entry]:
        return [e for e in self.entries if e.kind is EntryKind.CREDIT]

    def period_total(self, period_start: date, item: str = MAIN_ITEM) -> int:
        return sum(e.amount for e in self.entries if e.item == item
                   and e.period_start == period_start)


def d(text: str) -> date:
    """``d("2025-03-15")``: dates in tests read like the domain text."""
    return date.fromisoformat(text)
