"""Recording usage events: one or a batch, checked event by event, stored in bulk.

Each event is checked before anything is written, and refused with a code naming the rule:

* ``validation_error``: not a well-formed event (integers only, a quantity 0 to 10^6, an
  ``occurred_at`` with its time zone, within the service's dates);
* ``unknown_subscription``: no such subscription (or not one the caller may see);
* ``unknown_metric``: the subscription's plan bills no such metric;
* ``usage_before_start``, ``usage_after_end``, ``usage_in_pause``: the day it occurred on (in
  the customer's time zone) is not served: before the start, on or after the end date, paused;
* ``amount_too_large``: the usage of its period could pass the bound of one line (10^13 minor
  units; :mod:`billing.usage.bounds`);
* ``idempotency_conflict``: its ``id`` is already stored (or earlier in the batch) with other
  content. The same id with the same content is the same event: counted as a duplicate and not
  stored again, so a retried batch changes nothing.

A batch is all or nothing by default: one refusal refuses the request (422, or 409 when every
refusal is an ``idempotency_conflict``) with the list of refused events, and nothing is stored.
With ``partial`` the valid events are stored and the refused ones listed. The subscriptions are
not locked: a pause or an end date recorded later still keeps the events of days it no longer
serves off the bill (:mod:`billing.domain.usage_target`). The caller's unit of work commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from billing.auth.service import Actor
from billing.domain.bounds import MAX_PERIOD_AMOUNT
from billing.domain.calendar import MAX_DATE, MIN_DATE
from billing.domain.errors import DomainError, InvalidInput
from billing.domain.timeline import Schedule
from billing.domain.usage import Metric, metrics_of
from billing.usage import repository
from billing.usage.bounds import too_large
from billing.usage.schemas import LEAN_BATCH, MAX_BATCH, UsageEventIn

_EVENT = TypeAdapter(UsageEventIn)


class UsageRefused(DomainError, code="usage_events_refused", status=422):
    """Events of a batch were refused; nothing was stored (see :attr:`refused`)."""

    def __init__(self, refused: list[dict[str, Any]]) -> None:
        conflicts = all(r["code"] == "idempotency_conflict" for r in refused)
        super().__init__(
            f"{len(refused)} event(s) refused; nothing stored (retry with ?partial=true to "
            "store the others)",
            status=409 if conflicts else 422,
        )
        self.refused = refused


@dataclass(slots=True)
class Outcome:
    recorded: int = 0
    duplicates: int = 0
    refused: list[dict[str, Any]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=65_536)
def _offset(timezone: str, quarter_hour: int) -> timedelta:
    """The zone's UTC offset in the quarter of an hour ``quarter_hour`` (UTC seconds // 900):
    offsets change only on quarter hours, so one lookup serves every event of that quarter."""
    moment = datetime.fromtimestamp(quarter_hour * 900, UTC)
    offset = moment.astimezone(_zone(timezone)).utcoffset()
    assert offset is not None
    return offset


def local_day(moment: datetime, timezone: str) -> date:
    """The calendar day in ``timezone`` at the instant ``moment`` (timezone-aware)."""
    utc = moment.astimezone(UTC)
    return (utc + _offset(timezone, int(utc.timestamp()) // 900)).date()


class Parsed(NamedTuple):
    """A well-formed event (``occurred_at`` in UTC)."""

    id: str
    subscription_id: str
    metric: str
    quantity: int
    occurred_at: datetime
    properties: dict[str, Any] | None


def record_usage(
    session: Session, actor: Actor, body: Mapping[str, Any], *, partial: bool, now: datetime
) -> Outcome:
    """Check and store the events of ``body`` (one event, or ``{"events": [...]}``)."""
    single = "events" not in body
    raw: Sequence[Any] = [body] if single else body["events"]
    if not isinstance(raw, list) or not raw or (not single and set(body) != {"events"}):
        raise InvalidInput('a batch is {"events": [...]} with 1 to 1000 usage events')
    if len(raw) > MAX_BATCH:
        raise InvalidInput(
            f"at most {MAX_BATCH} events per request, not {len(raw)}", code="usage_batch_too_large"
        )
    out = Outcome()
    parsed = parse_events(raw, out)
    rows = _checked(session, actor, parsed, out, now=now)
    out.refused.sort(key=lambda r: int(r["index"]))
    if out.refused and single:
        r = out.refused[0]
        status = 409 if r["code"] == "idempotency_conflict" else 422
        raise InvalidInput(r["detail"], code=r["code"], status=status)
    if out.refused and not partial:
        raise UsageRefused(out.refused)
    repository.insert_events(session.connection(), rows)
    out.recorded = len(rows)
    out.ids = [r[0] for r in rows]
    return out


def parse_events(raw: Sequence[Any], out: Outcome) -> list[tuple[int, Parsed]]:
    """The well-formed events of ``raw`` with their positions; the others are refused in
    ``out`` (``validation_error``). The whole batch is validated in one call
    (:data:`~billing.usage.schemas.LEAN_BATCH`); only if that refuses anything is each event
    validated on its own, for its own words."""
    try:
        lean = LEAN_BATCH.validate_python(raw)
    except ValidationError:
        pass
    else:
        fast: list[tuple[int, Parsed]] = []
        for i, e in enumerate(lean):
            utc = e["occurred_at"].astimezone(UTC)
            if not MIN_DATE <= utc.date() <= MAX_DATE:
                break
            fast.append((i, Parsed(e["id"], e["subscription_id"], e["metric"],
                                   e.get("quantity", 1), utc, e.get("properties"))))  # fmt: skip
        else:
            return fast
    parsed: list[tuple[int, Parsed]] = []
    for i, item in enumerate(raw):
        try:
            m = _EVENT.validate_python(item)
        except ValidationError as exc:
            _refuse(out, i, item, "validation_error", _explain(exc))
            continue
        parsed.append((i, Parsed(m.id, m.subscription_id, m.metric, m.quantity,
                                 m.occurred_at.astimezone(UTC), m.properties)))  # fmt: skip
    return parsed


def _checked(
    session: Session,
    actor: Actor,
    parsed: list[tuple[int, Parsed]],
    out: Outcome,
    *,
    now: datetime,
) -> list[tuple[Any, ...]]:
    """The rows to store of the well-formed events; the others are refused in ``out``.
    The batch's reads are one query each, whatever its size: its subscriptions (with their
    customer's zone and plan's metrics), their timelines, the events already stored under
    its ids, and the bound's (:func:`billing.usage.bounds.too_large`)."""
    if not parsed:
        return []
    subs, schedules, metrics = _batch_facts(session, actor, parsed)
    existing = repository.stored(session, [e.id for _, e in parsed])
    seen: dict[str, tuple[Any, ...]] = {}
    index_of: dict[str, int] = {}
    rows: list[tuple[Any, ...]] = []
    # Per subscription, once: what each event is checked against.
    facts = {sid: (r, metrics[sid], schedules[sid], r.timezone) for sid, r in subs.items()}
    for i, e in parsed:
        fact = facts.get(e.subscription_id)
        if fact is None:
            _refuse(out, i, e.id, "unknown_subscription", f"subscription {e.subscription_id} "
                    "not found")  # fmt: skip
            continue
        sub, codes, schedule, zone = fact
        if e.metric not in codes:
            _refuse(out, i, e.id, "unknown_metric", f"the plan of {sub.id} bills no metric "
                    f"{e.metric!r}")  # fmt: skip
            continue
        utc = e.occurred_at
        day = (utc + _offset(zone, int(utc.timestamp()) // 900)).date()
        problem = _served(schedule, day)
        if problem is not None:
            _refuse(out, i, e.id, problem[0], problem[1])
            continue
        content = (e.subscription_id, e.metric, e.quantity, utc, e.properties or None)
        earlier = seen.get(e.id)
        if earlier is None and existing:
            earlier = _content(existing.get(e.id))
        if earlier is not None:
            if earlier != content:
                _refuse(out, i, e.id, "idempotency_conflict", f"usage event {e.id} is already "
                        "recorded with other content")  # fmt: skip
            else:
                out.duplicates += 1
            continue
        seen[e.id] = content
        rows.append((e.id, sub.id, sub.customer_id, e.metric, e.quantity, utc, day,
                     e.properties, now))  # fmt: skip
        index_of[e.id] = i
    return _bounded(session, rows, index_of, out, schedules=schedules, metrics=metrics)


def _batch_facts(
    session: Session, actor: Actor, parsed: list[tuple[int, Parsed]]
) -> tuple[dict[str, Any], dict[str, Schedule], dict[str, dict[str, Metric]]]:
    """The batch's subscriptions (those the caller may see), their schedules and metrics."""
    sub_ids = {e.subscription_id for _, e in parsed}
    subs = repository.subscriptions_of(session, sub_ids, customer_scope=actor.customer_scope)
    schedules = {sid: Schedule(evs) for sid, evs in repository.timelines_of(session, subs).items()}
    of_plan: dict[str, dict[str, Metric]] = {}
    for r in subs.values():
        if r.plan_id not in of_plan:
            of_plan[r.plan_id] = metrics_of(r.usage_metrics)
    return subs, schedules, {sid: of_plan[r.plan_id] for sid, r in subs.items()}


def _bounded(
    session: Session,
    rows: list[tuple[Any, ...]],
    index_of: Mapping[str, int],
    out: Outcome,
    *,
    schedules: Mapping[str, Schedule],
    metrics: Mapping[str, Mapping[str, Metric]],
) -> list[tuple[Any, ...]]:
    """``rows`` less those whose usage could pass the bound (refused in ``out``)."""
    over = too_large(session, rows, schedules=schedules, metrics=metrics)
    if not over:
        return rows
    for r in rows:
        if (r[1], r[3]) in over:
            _refuse(out, index_of[r[0]], r[0], "amount_too_large", f"the usage of {r[3]} on "
                    f"{r[1]} could pass {MAX_PERIOD_AMOUNT} minor units in one period")  # fmt: skip
    return [r for r in rows if (r[1], r[3]) not in over]


def _served(schedule: Schedule, day: date) -> tuple[str, str] | None:
    if day < schedule.start:
        return "usage_before_start", f"{day} is before the subscription starts ({schedule.start})"
    if schedule.end is not None and day >= schedule.end:
        return "usage_after_end", f"{day} is on or after the subscription's end ({schedule.end})"
    if schedule.is_paused_on(day):
        return "usage_in_pause", f"the subscription is paused on {day}"
    return None


def _content(row: Any) -> tuple[Any, ...] | None:
    if row is None:
        return None
    return (row.subscription_id, row.metric, row.quantity, _utc(row.occurred_at),
            row.properties or None)  # fmt: skip


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _refuse(out: Outcome, index: int, item: Any, code: str, detail: str) -> None:
    event_id = item if isinstance(item, str) else None
    if isinstance(item, Mapping) and isinstance(item.get("id"), str):
        event_id = item["id"]
    out.refused.append({"index": index, "id": event_id, "code": code, "detail": detail})


def _explain(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(x) for x in err['loc']) or 'event'}: {err['msg']}" for err in exc.errors()
    )


__all__ = ["Outcome", "Parsed", "UsageRefused", "local_day", "parse_events", "record_usage"]
