"""The one way to change a timeline: :func:`record`.

Staff changes, retention offers, cancellations and their undo, pauses, add-ons, four-eyes
verification and the scheduler's termination note all come here with the events one request
makes. For every caller alike, :func:`record`

1. checks each event against the timeline as it stands, the request's earlier events applied
   (:func:`billing.domain.rules.check_change`), before anything is written;
2. appends the events (never editing one), each with the next sequence number, and announces
   each in the feed;
3. bumps the subscription's version once for the whole request (``If-Match`` counts requests,
   not events) and stores what follows: start, end, status, plan;
4. keeps the termination tasks in step with the end date in force;
5. posts the ledger's difference for periods already billed once, after the last event, with
   the request's choice of what unused paid time becomes — so the customer never sees an
   invoice for a mix of terms that never applied.

The caller's unit of work commits (or rolls back a preview).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.clock import Clock, utcnow
from billing.domain import codec
from billing.domain.bounds import AMOUNT_KINDS, check_schedule
from billing.domain.choices import Unused
from billing.domain.events import Event, EventType, Payload
from billing.domain.ledger import Scope, difference
from billing.domain.rules import check_change
from billing.domain.settlement import Settlement, rederive_from, settled_after
from billing.domain.timeline import Schedule
from billing.events.service import emit
from billing.ids import new_id
from billing.invoicing import repository as ledger_repo
from billing.invoicing.issuing import item_categories
from billing.invoicing.service import Posting, post_entries
from billing.storage.models import Subscription, TimelineEvent
from billing.subscriptions import repository
from billing.subscriptions.state import Loaded, load_for_change
from billing.tasks.service import sync_tasks


@dataclass(frozen=True, slots=True)
class Change:
    """One event a request asks for: its payload, effective from ``effective_date``."""

    effective_date: date
    payload: Payload


@dataclass(frozen=True, slots=True)
class ChangeResult:
    loaded: Loaded
    #: The last event recorded (None when nothing was).
    event: TimelineEvent | None
    posting: Posting


BodyT = TypeVar("BodyT")


class command(Generic[BodyT]):  # lower case: it is used as a decorator
    """A subscription command as the API, the console and the CLI call it: the subscription
    locked, ``If-Match`` checked, then the decorated step with what it loaded."""

    def __init__(self, act: Callable[[Session, Actor, Loaded, BodyT], ChangeResult]) -> None:
        self.act = act
        functools.update_wrapper(self, act)

    def __call__(
        self,
        session: Session,
        actor: Actor,
        clock: Clock,
        subscription_id: str,
        body: BodyT,
        /,
        *,
        expected_version: int | None = None,
    ) -> ChangeResult:
        loaded = load_for_change(session, actor, clock, subscription_id, expected_version)
        return self.act(session, actor, loaded, body)


#: Kinds after which the follow-up tasks are brought in line with the end date.
TERMINATION_KINDS = frozenset(
    {
        EventType.CANCELLATION_SCHEDULED,
        EventType.CANCELLATION_MOVED,
        EventType.CANCELLATION_REVOKED,
        EventType.CANCELLATION_VERIFIED,
    }
)


def record(
    session: Session,
    loaded: Loaded,
    actor: Actor,
    changes: Sequence[Change],
    *,
    reason: str | None,
    unused: Unused = Unused.CREDIT_NOTE,
    counts_as_version: bool = True,
    post: bool = True,
) -> ChangeResult:
    """Record ``changes`` as one request (see the module docstring). ``counts_as_version``:
    False only for notes nobody must re-read before changing (the scheduler's). ``post``:
    False when the difference waits for the next bill run (``collect: next_invoice``): the
    settlement point stays, so that run derives from the change's date."""
    if not changes:
        raise ValueError("a request records at least one event")
    events = list(loaded.events)
    schedule = loaded.schedule
    for change in changes:
        check_change(
            schedule, today=loaded.today, effective=change.effective_date, payload=change.payload
        )
        events.append(_hypothetical(events, change, actor.name))
        schedule = Schedule(events)
    if any(c.payload.KIND in AMOUNT_KINDS for c in changes):
        check_schedule(schedule, before=loaded.schedule)  # amount_too_large, before writing
    sub = loaded.subscription
    # The subscription is locked (load_for_change): the next sequence numbers are ours.
    first = loaded.events[-1].seq + 1 if loaded.events else 1
    rows = [
        append(session, sub, actor, change, seq=first + i, reason=reason)
        for i, change in enumerate(changes)
    ]
    events = [*loaded.events, *(repository.to_domain(r) for r in rows)]
    schedule = Schedule(events)
    if counts_as_version:
        sub.version += 1
    sub.start_date = schedule.start
    sub.end_date = schedule.end
    sub.status = schedule.status_on(loaded.today).value
    if schedule.plan_id is not None:
        sub.plan_id = schedule.plan_id
    session.flush()
    after = replace(loaded, events=tuple(events), schedule=schedule)
    if any(c.payload.KIND in TERMINATION_KINDS for c in changes):
        sync_tasks(session, sub, loaded.plan, schedule)
    if not post:
        return ChangeResult(after, rows[-1], Posting([], []))
    posting = post_billed_difference(session, after, cause_event_id=rows[-1].id, unused=unused)
    return ChangeResult(after, rows[-1], posting)


def append(
    session: Session,
    sub: Subscription,
    actor: Actor,
    change: Change,
    *,
    seq: int,
    reason: str | None,
) -> TimelineEvent:
    """Write one event row (``seq``: its place in recording order) and announce it."""
    row = TimelineEvent(
        id=new_id("evt"),
        subscription_id=sub.id,
        seq=seq,
        type=change.payload.KIND.value,
        effective_date=change.effective_date,
        recorded_at=utcnow(),
        recorded_by=actor.name,
        reason=reason,
        data=codec.encode(change.payload),
    )
    repository.add_event(session, row)
    emit(
        session,
        f"subscription.{row.type}",
        customer_id=sub.customer_id,
        subscription_id=sub.id,
        subject_id=row.id,
        data={
            "event_id": row.id,
            "effective_date": row.effective_date.isoformat(),
            "recorded_by": row.recorded_by,
            "reason": row.reason,
            "data": row.data,
        },
    )
    return row


def post_billed_difference(
    session: Session, loaded: Loaded, *, cause_event_id: str, unused: Unused
) -> Posting:
    """Post what the timeline now says about periods already billed (credit notes, invoices),
    derived from the settlement point on, or from the earliest day the events recorded since
    reach (:mod:`billing.domain.settlement`); the point moves in the same transaction."""
    sub = loaded.subscription
    since = rederive_from(loaded.events, ledger_repo.settlement_point(session, sub.id))
    posted = ledger_repo.posted_entries(session, sub.id, since=since)
    new = difference(
        loaded.schedule,
        [ledger_repo.to_domain(r) for r in posted],
        as_of=loaded.today,
        scope=Scope.BILLED,
        cause_event_id=cause_event_id,
        since=since,
    )
    through = settled_after(loaded.schedule, as_of=loaded.today, scope=Scope.BILLED, since=since)
    point = Settlement(through, max(e.seq for e in loaded.events))
    ledger_repo.store_settlement(
        session, subscription_id=sub.id, customer_id=sub.customer_id, point=point
    )
    return post_entries(
        session,
        subscription=sub,
        posted=posted,
        new=new,
        issue_date=loaded.today,
        unused=unused.value,
        item_categories=item_categories(loaded.events),
    )


def with_changes(loaded: Loaded, changes: Sequence[Change]) -> Schedule:
    """The timeline as it would be after ``changes`` (previews and quotes; nothing written)."""
    events = list(loaded.events)
    for change in changes:
        events.append(_hypothetical(events, change, "preview"))
    return Schedule(events)


def _hypothetical(events: Sequence[Event], change: Change, recorded_by: str) -> Event:
    seq = (events[-1].seq if events else 0) + 1
    return Event(
        id=f"pending-{seq}",
        seq=seq,
        effective_date=change.effective_date,
        recorded_at=utcnow(),
        recorded_by=recorded_by,
        payload=change.payload,
    )
