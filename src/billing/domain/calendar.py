"""Calendar: anchored billing periods and customers' local dates.

A billing period is a half-open interval of calendar dates ``[start, end)``. Periods of a
subscription are *anchored*: the k-th boundary is computed from the anchor (a base month and an
anchor day of the month) as "base month + k·N months, on the anchor day, clamped to the month's
last day". Boundaries are never chained from the previous period, which would drift: anchored on
the 31st, monthly periods run Jan 31 → Feb 28 (29) → Mar 31 → Apr 30.

Hot loops (bill runs) work on plain ``datetime.date``; pendulum is used at the edges for time
zones (style.md: pendulum arithmetic costs ~10x a date ordinal).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import pendulum

from billing.domain.errors import InvalidInput

MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)

#: Named invoice intervals in months.
INTERVAL_MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}


#: Days of each month in a common year; February gains a day in leap years.
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_leap_year(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    # A table, not calendar.monthrange: that also computes a weekday, and boundaries are
    # computed for every period of every bill run (style.md, "Speed where it counts").
    if not 1 <= month <= 12:
        raise ValueError(f"month must be in 1..12, not {month}")
    if month == 2 and is_leap_year(year):
        return 29
    return _MONTH_DAYS[month - 1]


def clamp_day(year: int, month: int, day: int) -> date:
    """``date(year, month, day)`` with the day clamped to the month's last day."""
    if day > 28:  # every month has 28 days: only the 29th to the 31st can need clamping
        last = days_in_month(year, month)
        if day > last:
            day = last
    return date(year, month, day)


#: Boundary dates by ``month_index * 32 + day`` (month index: year·12 + month − 1). A bill run
#: walks the same few hundred boundaries for every subscription; a dict lookup costs a quarter
#: of ``divmod`` and ``date(...)``. Only the years of :data:`MIN_DATE` to :data:`MAX_DATE` (and
#: a decade either side, for periods reaching past them) are kept, so it never grows past
#: 3,840 months × 31 days, and dates are immutable, so sharing them is safe.
_BOUNDARIES: dict[int, date] = {}
_CACHED_MONTHS = range((MIN_DATE.year - 10) * 12, (MAX_DATE.year + 11) * 12)


def month_boundary(index: int, day: int) -> date:
    """The date on ``day`` (clamped to the month's last day) of the month ``index``."""
    key = index * 32 + day
    found = _BOUNDARIES.get(key)
    if found is not None:
        return found
    year, month0 = divmod(index, 12)
    d = clamp_day(year, month0 + 1, day)
    if index in _CACHED_MONTHS:
        _BOUNDARIES[key] = d
    return d


def boundary_lookup() -> dict[int, date]:
    """The boundary cache itself, for hot loops: ``lookup.get(index * 32 + day) or
    month_boundary(index, day)`` is :func:`month_boundary` without the call."""
    return _BOUNDARIES


def add_months(d: date, months: int, *, anchor_day: int | None = None) -> date:
    """``d`` moved by whole months, on ``anchor_day`` (default ``d.day``), clamped to month end."""
    index = d.year * 12 + (d.month - 1) + months
    return clamp_day(index // 12, index % 12 + 1, anchor_day or d.day)


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open interval of dates ``[start, end)``."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput("a period cannot end before it starts")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def contains(self, d: date) -> bool:
        return self.start <= d < self.end


@dataclass(frozen=True, slots=True)
class PeriodGrid:
    """Anchored periods of ``interval_months`` months on ``anchor_day``.

    Boundary k is the base month plus k·interval_months, on the anchor day (clamped). The base
    month is the month of the date the grid was anchored at; boundary 0 may lie after that date
    (anchor day later in the month), in which case the date falls in period -1.
    """

    base_index: int  # year * 12 + (month - 1) of the base month
    anchor_day: int
    interval_months: int

    def __post_init__(self) -> None:
        if not 1 <= self.anchor_day <= 31:
            raise InvalidInput("billing anchor day must be between 1 and 31")
        if not 1 <= self.interval_months <= 120:
            raise InvalidInput("an interval is 1 to 120 months")

    @classmethod
    def anchored_at(
        cls, d: date, *, interval_months: int, anchor_day: int | None = None
    ) -> PeriodGrid:
        key = (d.year * 12 + d.month - 1, anchor_day or d.day, interval_months)
        grid = _GRIDS.get(key)
        if grid is None:
            grid = cls(*key)
            if key[0] in _CACHED_MONTHS and len(_GRIDS) < _MAX_GRIDS:
                _GRIDS[key] = grid
        return grid

    def boundary(self, k: int) -> date:
        return month_boundary(self.base_index + k * self.interval_months, self.anchor_day)

    def index_containing(self, d: date) -> int:
        """The k with ``boundary(k) <= d < boundary(k + 1)``."""
        base, step, day = self.base_index, self.interval_months, self.anchor_day
        k = (d.year * 12 + d.month - 1 - base) // step
        # Month arithmetic gets within one period; the anchor day settles it.
        while month_boundary(base + k * step, day) > d:
            k -= 1
        while month_boundary(base + (k + 1) * step, day) <= d:
            k += 1
        return k

    def period(self, k: int) -> Period:
        return Period(self.boundary(k), self.boundary(k + 1))

    def period_containing(self, d: date) -> Period:
        return self.period(self.index_containing(d))

    def periods_from(self, d: date) -> Iterator[Period]:
        """Anchored periods from the one containing ``d`` on, without end."""
        for start, end in self.bounds_from(d):
            yield Period(start, end)

    def bounds_from(self, d: date) -> Iterator[tuple[date, date]]:
        """``(start, end)`` of each anchored period from the one containing ``d`` on, without end.

        The hot-loop form of :meth:`periods_from` (ledger derivation walks every period of
        every subscription): plain pairs, no ``Period`` to validate, since anchored boundaries
        always increase.
        """
        step = self.interval_months
        day = self.anchor_day
        index = self.base_index + self.index_containing(d) * step
        lookup = _BOUNDARIES.get
        start = month_boundary(index, day)
        while True:
            index += step
            end = lookup(index * 32 + day) or month_boundary(index, day)
            yield start, end
            start = end


#: Grids by ``(base_index, anchor_day, interval_months)``: every schedule builds one or more,
#: and the same few thousand serve every subscription (a grid is immutable, so sharing is
#: safe); bounded, so that odd intervals cannot grow it without end.
_GRIDS: dict[tuple[int, int, int], PeriodGrid] = {}
_MAX_GRIDS = 100_000


def same_boundaries(a: PeriodGrid, b: PeriodGrid) -> bool:
    """Whether two grids have exactly the same period boundaries."""
    return (
        a.interval_months == b.interval_months
        and a.anchor_day == b.anchor_day
        and (a.base_index - b.base_index) % a.interval_months == 0
    )


def validate_date(d: date, *, field: str = "date") -> date:
    if not isinstance(d, date) or isinstance(d, datetime):
        raise InvalidInput(f"{field} must be a calendar date")
    if not MIN_DATE <= d <= MAX_DATE:
        raise InvalidInput(f"{field} must be between {MIN_DATE} and {MAX_DATE}")
    return d


def validate_timezone(name: str) -> str:
    try:
        pendulum.timezone(name)
    except Exception as exc:  # pendulum raises its own InvalidTimezone
        raise InvalidInput(f"{name!r} is not a known IANA time zone") from exc
    return name


def local_date(moment: datetime, timezone: str) -> date:
    """The calendar date in ``timezone`` at the instant ``moment`` (an aware datetime)."""
    if moment.tzinfo is None:
        raise InvalidInput("moment must be timezone-aware")
    local = pendulum.instance(moment).in_timezone(timezone)
    return date(local.year, local.month, local.day)


def local_datetime(day: date, hour: int, timezone: str) -> datetime:
    """The instant of ``hour``:00 local time on ``day`` in ``timezone`` (DST-aware)."""
    return pendulum.datetime(day.year, day.month, day.day, hour, tz=timezone)
