"""A subscription's life as a picture: the geometry of the timeline drawing.

Periods are boxes on a date axis (the served part filled, the rest of a period cut short by
the end date drawn open), pauses shaded over them, price/licence/plan/interval changes and the
start, end and today as vertical markers, and per period what was billed and what was credited
(from the ledger). Pure: it takes the schedule, the events and the posted entries and returns
coordinates and labels; the template only draws them. x is linear in calendar days.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from billing.domain.calendar import Period, add_months
from billing.domain.events import (
    CancellationScheduled,
    Event,
    IntervalChanged,
    PlanChanged,
    PriceChanged,
    QuantityChanged,
)
from billing.domain.timeline import Schedule
from billing.storage.models import LedgerEntry


class Formats(Protocol):
    """The page's formats: amounts and dates in the customer's locale, words in the console's."""

    def money(self, amount: int) -> str: ...

    def day(self, d: date | None) -> str: ...

    def month(self, d: date) -> str: ...

    def _(self, message: str, **values: Any) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str: ...


WIDTH = 1100
LEFT = 30
RIGHT = 30
BOX_TOP = 96
BOX_HEIGHT = 64
AXIS_Y = BOX_TOP + BOX_HEIGHT + 14
HEIGHT = AXIS_Y + 34
#: A picture of more periods than this stops drawing there (20 years of months fit).
MAX_PERIODS = 240
#: About how wide a character of the 12 px labels is, to keep labels inside their box and
#: apart from each other (a label that would not fit is left out; the table has it all).
CHAR_WIDTH = 7.2

CHANGE_EVENTS = (PriceChanged, QuantityChanged, PlanChanged, IntervalChanged)


@dataclass(frozen=True, slots=True)
class Box:
    start: date
    end: date  # the end of the served part
    period_end: date  # the end of the anchored period (later than ``end`` if cut short)
    x: float
    width: float
    tail_width: float  # the part of the period not served (after the end date)
    show_amount: bool  # the billed (and credited) label fits inside the box
    billed: int
    credited: int  # positive: what came back
    billed_label: str
    credited_label: str
    title: str
    state: str  # "billed" | "credited" | "unbilled"


@dataclass(frozen=True, slots=True)
class Shade:
    start: date
    end: date | None
    x: float
    width: float
    title: str


@dataclass(frozen=True, slots=True)
class Marker:
    kind: str  # start | end | pending-end | revoked-end | change | today
    day: date
    x: float
    label: str
    row: int  # label row above the boxes (0 nearest), to keep labels apart
    title: str
    show_label: bool = True  # False: no row had room; the label is in the title only


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True, slots=True)
class Picture:
    width: int
    height: int
    box_top: int
    box_height: int
    axis_y: int
    first: date
    last: date
    years: list[int] = field(default_factory=list)  # the years the life spans, for the views
    year: int | None = None  # the year shown, or None for the whole life
    boxes: list[Box] = field(default_factory=list)
    pauses: list[Shade] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    truncated: bool = False


def served_periods(schedule: Schedule, until: date) -> list[Period]:
    """The anchored periods from the start up to ``until`` (exclusive), each cut at the start
    and at invoice-interval changes (a new grid from its effective date), never at the end."""
    out: list[Period] = []
    regimes = schedule.regimes
    for i, regime in enumerate(regimes):
        r_start = max(regime.start, schedule.start)
        r_end = regimes[i + 1].start if i + 1 < len(regimes) else None
        stop = until if r_end is None else min(r_end, until)
        if r_start >= stop:
            continue
        for p in regime.grid.periods_from(r_start):
            if p.start >= stop or len(out) >= MAX_PERIODS:
                break
            s = max(p.start, r_start)
            e = p.end if r_end is None else min(p.end, r_end)
            out.append(Period(s, e))
    return out


def build_picture(
    schedule: Schedule,
    *,
    events: Sequence[Event],
    entries: Sequence[LedgerEntry],
    today: date,
    fmt: Formats,
    year: int | None = None,
) -> Picture:
    """The picture of the whole life, or of the periods that touch ``year``."""
    end = schedule.end
    if end is not None and end <= schedule.start:
        return Picture(WIDTH, HEIGHT, BOX_TOP, BOX_HEIGHT, AXIS_Y, schedule.start, end)
    if end is not None:
        until = end
    else:
        seen = max([today, schedule.start, *(e.service_end for e in entries)])
        until = add_months(seen, schedule.interval_on(seen)) + timedelta(days=1)
    periods = served_periods(schedule, until)
    years = sorted({y for p in periods for y in (p.start.year, (p.end - timedelta(days=1)).year)})
    if year is not None and year in years:
        periods = [
            p for p in periods if p.end > date(year, 1, 1) and p.start < date(year + 1, 1, 1)
        ]
    else:
        year = None
    first = periods[0].start if periods else schedule.start
    last = periods[-1].end if periods else until
    scale = (WIDTH - LEFT - RIGHT) / max((last - first).days, 1)

    def x(d: date) -> float:
        clamped = min(max(d, first), last)
        return round(LEFT + (clamped - first).days * scale, 2)

    billed, credited = _amounts_by_period(entries, [p.start for p in periods], first)
    boxes = [
        _box(p, end, billed.get(p.start, 0), credited.get(p.start, 0), x, fmt) for p in periods
    ]
    pauses = _pauses(schedule, first=first, last=last, x=x, fmt=fmt)
    markers = _markers(schedule, events, today=today, fmt=fmt, x=x)
    markers = [m for m in markers if first <= m.day <= last]
    return Picture(
        WIDTH,
        HEIGHT,
        BOX_TOP,
        BOX_HEIGHT,
        AXIS_Y,
        first,
        last,
        years,
        year,
        boxes,
        pauses,
        _spread(markers),
        _ticks(first, last, x, fmt.month),
        len(periods) >= MAX_PERIODS,
    )


def _amounts_by_period(
    entries: Sequence[LedgerEntry], starts: list[date], first: date
) -> tuple[dict[date, int], dict[date, int]]:
    """Billed and credited per drawn period: an entry counts in the period that holds its
    first served day."""
    billed: dict[date, int] = {}
    credited: dict[date, int] = {}
    for e in entries:
        holder = max((s for s in starts if s <= e.service_start), default=first)
        if e.amount >= 0:
            billed[holder] = billed.get(holder, 0) + e.amount
        else:
            credited[holder] = credited.get(holder, 0) - e.amount
    return billed, credited


def _box(
    p: Period,
    end: date | None,
    b: int,
    c: int,
    x: Callable[[date], float],
    fmt: Formats,
) -> Box:
    money = fmt.money
    served_end = p.end if end is None else min(p.end, end)
    state = "credited" if c else "billed" if b else "unbilled"
    title = f"{fmt.day(p.start)} – {fmt.day(served_end - timedelta(days=1))}"
    if served_end < p.end:
        title += " (" + fmt._("period to %(day)s", day=fmt.day(p.end - timedelta(days=1))) + ")"
    title += " · " + fmt._("billed %(amount)s", amount=money(b))
    if c:
        title += " · " + fmt._("credited %(amount)s", amount=money(c))
    return Box(
        start=p.start,
        end=served_end,
        period_end=p.end,
        x=x(p.start),
        width=round(x(served_end) - x(p.start), 2),
        tail_width=round(x(p.end) - x(served_end), 2),
        show_amount=_fits(x(served_end) - x(p.start), money(b) if b else fmt._("not billed"))
        and (not c or _fits(x(served_end) - x(p.start), f"−{money(c)}")),
        billed=b,
        credited=c,
        billed_label=money(b) if b else "",
        credited_label=f"−{money(c)}" if c else "",
        title=title,
        state=state,
    )


def _pauses(
    schedule: Schedule,
    *,
    first: date,
    last: date,
    x: Callable[[date], float],
    fmt: Formats,
) -> list[Shade]:
    out = []
    for pause in schedule.pauses:
        stop = pause.end or last
        if schedule.end is not None:
            stop = min(stop, schedule.end)
        if stop <= first or pause.start >= last:
            continue
        if pause.end:
            last_day = fmt.day(pause.end - timedelta(days=1))
            what = fmt._("Paused %(first)s – %(last)s", first=fmt.day(pause.start), last=last_day)
        else:
            what = fmt._("Paused from %(first)s, no resume date", first=fmt.day(pause.start))
        out.append(
            Shade(
                pause.start,
                pause.end,
                x(pause.start),
                round(x(stop) - x(pause.start), 2),
                what,
            )
        )
    return out


def _markers(
    schedule: Schedule,
    events: Sequence[Event],
    *,
    today: date,
    fmt: Formats,
    x: Callable[[date], float],
) -> list[Marker]:
    start = schedule.start
    out = [Marker("start", start, x(start), fmt._("start"), 0, fmt._("Start"))]
    for ev in events:
        d, p = ev.effective_date, ev.payload
        if isinstance(p, CHANGE_EVENTS):
            if isinstance(p, QuantityChanged):
                label = fmt.ngettext("%(num)s lic.", "%(num)s lic.", p.quantity)
            elif isinstance(p, IntervalChanged):
                label = fmt._("every %(n)s mo.", n=p.interval_months)
            else:
                label = fmt.money(p.unit_amount)
            title = fmt._("changed from %(day)s: %(what)s", day=fmt.day(d), what=label)
            out.append(Marker("change", d, x(d), label, 0, title))
        elif isinstance(p, CancellationScheduled):
            if d == schedule.end and ev.id not in schedule.revoked_by:
                continue  # drawn as the end marker below
            kind = "pending-end" if d == schedule.pending_end else "revoked-end"
            word = fmt._("pending end") if kind == "pending-end" else fmt._("was end")
            last_day = fmt.day(d - timedelta(days=1))
            title = fmt._("%(what)s: last day served %(day)s", what=word, day=last_day)
            out.append(Marker(kind, d, x(d), word, 0, title))
    if schedule.end is not None:
        e = schedule.end
        last_day = fmt.day(e - timedelta(days=1))
        label = fmt._("last day %(day)s", day=last_day)
        title = fmt._("Last day served %(day)s", day=last_day)
        out.append(Marker("end", e, x(e), label, 0, title))
    today_label = fmt._("today")
    out.append(Marker("today", today, x(today), today_label, 0, f"{today_label} {fmt.day(today)}"))
    return out


def _fits(width: float, label: str) -> bool:
    return width >= 10 + CHAR_WIDTH * len(label)


def _extent(m: Marker) -> tuple[float, float]:
    """Where a marker's label lies on the x axis (drawn left of the line near the right)."""
    w = CHAR_WIDTH * len(m.label) + 6
    return (m.x - w, m.x) if m.x > WIDTH - 150 else (m.x, m.x + w)


def _spread(markers: list[Marker]) -> list[Marker]:
    """Each label on the lowest of 3 rows where it overlaps no other; with no such row the
    label is left out (its line and its title stay), so labels never overlap. The end
    marker is placed first."""
    rows: list[list[tuple[float, float]]] = [[], [], []]
    out = []
    for m in sorted(markers, key=lambda m: (m.kind != "end", m.x)):
        left, right = _extent(m)
        row = next(
            (
                i
                for i, taken in enumerate(rows)
                if all(right + 4 <= a or left >= b + 4 for a, b in taken)
            ),
            None,
        )
        if row is not None:
            rows[row].append((left, right))
        out.append(Marker(m.kind, m.day, m.x, m.label, row or 0, m.title, row is not None))
    return sorted(out, key=lambda m: m.x)


def _ticks(
    first: date, last: date, x: Callable[[date], float], label: Callable[[date], str]
) -> list[Tick]:
    months = (last.year - first.year) * 12 + last.month - first.month
    step = 1 if months <= 18 else 3 if months <= 54 else 12
    d = date(first.year, first.month, 1)
    if d < first:
        d = add_months(d, 1)
    out = []
    while d <= last:
        if (d.month - 1) % step == 0:
            out.append(Tick(x(d), label(d)))
        d = add_months(d, 1)
    return out
