"""What may be added to a timeline: the checks every change passes, whoever makes it.

Staff changes, retention offers, cancellations, the console and the scheduler all record
through one path, and that path asks :func:`check_change` about each event against the
timeline as it stands (with the request's earlier events already applied). So a rule holds
for every caller: a licence change dated before the start is ``before_start`` whether it comes
from ``/changes`` or from a retention offer.

* Nothing changes a subscription once it has ended (``already_ended``), but the scheduler's
  ``terminated`` note, which is recorded because it has ended.
* Terms, pauses, add-ons and one-off deliveries apply inside the service: on or after the start
  (``before_start``) and before the end date (``after_end``).
* Pauses do not overlap (``pause_overlap``); a resume needs a pause before it (``not_paused``).
* Only a cancellation can be undone (``not_cancelled``) or verified (``nothing_to_verify``).
* An add-on is attached once at a time (``addon_attached``) and detached only while attached
  (``addon_not_attached``), never before its attachment (``before_start``).
* The start moves only later and only before it (``already_started``, ``not_a_postponement``);
  only a start-up fee that is there can be waived (``no_setup_fee``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from billing.domain.errors import AlreadyEnded, InvalidInput, InvalidTimeline
from billing.domain.events import (
    AddonAttached,
    AddonDetached,
    EventType,
    Paused,
    Payload,
)
from billing.domain.timeline import Schedule


def check_change(schedule: Schedule, *, today: date, effective: date, payload: Payload) -> None:
    """Refuse (raise a domain error naming the rule) an event that does not fit the timeline."""
    precondition = _PRECONDITIONS.get(payload.KIND)
    if precondition is not None:
        # Undo and verify name what is missing first (there is nothing to act on).
        precondition(schedule, today, effective, payload)
    if payload.KIND is not EventType.TERMINATED:
        refuse_if_ended(schedule, today)
    if payload.KIND in IN_SERVICE:
        check_in_service(schedule, effective, "the effective date")
    check = _CHECKS.get(payload.KIND)
    if check is not None:
        check(schedule, today, effective, payload)


def refuse_if_ended(schedule: Schedule, today: date, *, why: str = "") -> None:
    """Nothing changes a subscription once it has ended (``already_ended``)."""
    if schedule.has_ended(today):
        raise AlreadyEnded(f"the subscription ended on {schedule.end}{why}")


def check_in_service(schedule: Schedule, day: date, what: str) -> None:
    """``day`` lies in ``[start, end)`` (``before_start``, ``after_end``)."""
    if day < schedule.start:
        raise InvalidInput(
            f"{what} {day} is before the start date {schedule.start}", code="before_start"
        )
    if schedule.end is not None and day >= schedule.end:
        raise InvalidInput(
            f"{what} {day} is on or after the end date {schedule.end}", code="after_end"
        )


#: Kinds that only apply while the subscription is served.
IN_SERVICE = frozenset(
    {
        EventType.PRICE_CHANGED,
        EventType.PLAN_CHANGED,
        EventType.QUANTITY_CHANGED,
        EventType.INTERVAL_CHANGED,
        EventType.PAUSED,
        EventType.ADDON_ATTACHED,
        EventType.ONE_OFF_DELIVERED,
    }
)


def _pause(schedule: Schedule, today: date, effective: date, p: Paused) -> None:
    for other in schedule.pauses:
        if (other.end is None or effective < other.end) and (
            p.resume_date is None or other.start < p.resume_date
        ):
            raise InvalidTimeline(
                f"the subscription is already paused from {other.start}"
                + (f" to {other.end}" if other.end else ""),
                code="pause_overlap",
            )


def _resume(schedule: Schedule, today: date, effective: date, p: object) -> None:
    candidates = [x for x in schedule.pauses if x.start <= effective]
    if not candidates:
        raise InvalidTimeline(f"no pause starts on or before {effective}", code="not_paused")
    later = [x for x in schedule.pauses if x.start > candidates[-1].start]
    if later and effective > later[0].start:
        raise InvalidTimeline("the resume date runs into a later pause", code="pause_overlap")


def _revoke(schedule: Schedule, today: date, effective: date, p: object) -> None:
    if schedule.end is None and schedule.pending_end is None:
        raise InvalidTimeline("there is no cancellation to undo", code="not_cancelled")


def _verify(schedule: Schedule, today: date, effective: date, p: object) -> None:
    if schedule.pending_event_id is None:
        raise InvalidTimeline("no cancellation awaits verification", code="nothing_to_verify")


def _attach(schedule: Schedule, today: date, effective: date, p: AddonAttached) -> None:
    for active in schedule.addons:
        if active.key == p.addon_key and (active.end is None or active.end > effective):
            raise InvalidTimeline(
                f"add-on {p.addon_key} is already attached", code="addon_attached"
            )


def _detach(schedule: Schedule, today: date, effective: date, p: AddonDetached) -> None:
    active = [a for a in schedule.addons if a.key == p.addon_key]
    if not active or (active[0].end is not None and active[0].end <= effective):
        raise InvalidTimeline(
            f"add-on {p.addon_key} is not attached then", code="addon_not_attached"
        )
    if effective < active[0].start:
        raise InvalidInput(
            "an add-on cannot be detached before it was attached", code="before_start"
        )


def _postpone(schedule: Schedule, today: date, effective: date, p: object) -> None:
    if today >= schedule.start:
        raise InvalidTimeline("the start can only be postponed before it", code="already_started")
    if effective <= schedule.start:
        raise InvalidInput("postponing moves the start later", code="not_a_postponement")


def _waive(schedule: Schedule, today: date, effective: date, p: object) -> None:
    if schedule.setup_fee == 0:
        raise InvalidInput("there is no start-up fee to waive", code="no_setup_fee")


Check = Callable[[Schedule, date, date, Any], None]

_PRECONDITIONS: dict[EventType, Check] = {
    EventType.CANCELLATION_REVOKED: _revoke,
    EventType.CANCELLATION_VERIFIED: _verify,
}

_CHECKS: dict[EventType, Check] = {
    EventType.PAUSED: _pause,
    EventType.RESUMED: _resume,
    EventType.ADDON_ATTACHED: _attach,
    EventType.ADDON_DETACHED: _detach,
    EventType.START_POSTPONED: _postpone,
    EventType.SETUP_FEE_WAIVED: _waive,
}
