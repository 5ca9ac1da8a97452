"""Calendar: anchored periods (never chained), intervals, anchor days, customers' local dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from builders import d

from billing.domain.calendar import (
    INTERVAL_MONTHS,
    Period,
    PeriodGrid,
    add_months,
    clamp_day,
    local_date,
    local_datetime,
    validate_date,
    validate_timezone,
)
from billing.domain.errors import InvalidInput


def starts(grid: PeriodGrid, first: date, n: int) -> list[date]:
    periods = grid.periods_from(first)
    return [next(periods).start for _ in range(n)]


class TestAnchoredOn31st:
    def test_leap_february_2024(self):
        grid = PeriodGrid.anchored_at(d("2024-01-31"), interval_months=1)
        assert starts(grid, d("2024-01-31"), 6) == [
            d("2024-01-31"),
            d("2024-02-29"),
            d("2024-03-31"),  # back on the 31st: computed from the anchor, not from Feb 29
            d("2024-04-30"),
            d("2024-05-31"),
            d("2024-06-30"),
        ]
        assert grid.period_containing(d("2024-02-15")) == Period(d("2024-01-31"), d("2024-02-29"))
        assert grid.period_containing(d("2024-02-15")).days == 29
        assert grid.period_containing(d("2024-03-01")).days == 31

    def test_non_leap_february_2025(self):
        grid = PeriodGrid.anchored_at(d("2025-01-31"), interval_months=1)
        assert starts(grid, d("2025-01-31"), 4) == [
            d("2025-01-31"),
            d("2025-02-28"),
            d("2025-03-31"),
            d("2025-04-30"),
        ]
        assert grid.period(0).days == 28
        assert grid.period(1).days == 31

    def test_chaining_would_drift_to_the_28th(self):
        chained = [d("2025-01-31")]
        for _ in range(3):
            chained.append(add_months(chained[-1], 1))
        assert chained[-1] == d("2025-04-28")  # what the rule forbids
        assert add_months(d("2025-01-31"), 3) == d("2025-04-30")  # what anchoring gives
        assert add_months(d("2025-02-28"), 1, anchor_day=31) == d("2025-03-31")

    def test_anchored_on_the_30th_and_29th(self):
        grid = PeriodGrid.anchored_at(d("2023-01-29"), interval_months=1)
        assert starts(grid, d("2023-01-29"), 3) == [d("2023-01-29"), d("2023-02-28"),
                                                     d("2023-03-29")]
        grid = PeriodGrid.anchored_at(d("2024-01-30"), interval_months=1)
        assert grid.boundary(1) == d("2024-02-29")
        assert grid.boundary(2) == d("2024-03-30")


class TestIntervals:
    def test_named_intervals(self):
        assert INTERVAL_MONTHS == {"month": 1, "quarter": 3, "half_year": 6, "year": 12}

    def test_quarter(self):
        grid = PeriodGrid.anchored_at(d("2025-01-15"), interval_months=3)
        assert starts(grid, d("2025-01-15"), 5) == [
            d("2025-01-15"), d("2025-04-15"), d("2025-07-15"), d("2025-10-15"), d("2026-01-15")
        ]
        assert grid.period(0).days == 90  # 31 + 28 + 31 (Jan 15 .. Apr 15)

    def test_quarter_on_the_31st(self):
        grid = PeriodGrid.anchored_at(d("2023-11-30"), interval_months=3, anchor_day=31)
        assert starts(grid, d("2023-11-30"), 4) == [
            d("2023-11-30"), d("2024-02-29"), d("2024-05-31"), d("2024-08-31")
        ]

    def test_half_year(self):
        grid = PeriodGrid.anchored_at(d("2025-03-31"), interval_months=6)
        assert starts(grid, d("2025-03-31"), 3) == [
            d("2025-03-31"), d("2025-09-30"), d("2026-03-31")
        ]

    def test_year_has_365_or_366_days(self):
        grid = PeriodGrid.anchored_at(d("2024-01-01"), interval_months=12)
        assert grid.period(0) == Period(d("2024-01-01"), d("2025-01-01"))
        assert grid.period(0).days == 366
        assert grid.period(1).days == 365

    def test_year_anchored_on_leap_day(self):
        grid = PeriodGrid.anchored_at(d("2024-02-29"), interval_months=12)
        assert [grid.boundary(k) for k in range(5)] == [
            d("2024-02-29"), d("2025-02-28"), d("2026-02-28"), d("2027-02-28"), d("2028-02-29")
        ]

    def test_n_months(self):
        grid = PeriodGrid.anchored_at(d("2025-01-10"), interval_months=2)
        assert starts(grid, d("2025-01-10"), 3) == [d("2025-01-10"), d("2025-03-10"),
                                                     d("2025-05-10")]

    @pytest.mark.parametrize("interval", [0, -1, 121])
    def test_refuses_odd_intervals(self, interval: int):
        with pytest.raises(InvalidInput):
            PeriodGrid.anchored_at(d("2025-01-01"), interval_months=interval)


class TestAnchorDay:
    def test_anchor_day_before_the_start_day(self):
        # Start on the 15th, billed on the 1st: the start lies in [Jan 1, Feb 1).
        grid = PeriodGrid.anchored_at(d("2025-01-15"), interval_months=1, anchor_day=1)
        assert grid.period_containing(d("2025-01-15")) == Period(d("2025-01-01"), d("2025-02-01"))
        assert starts(grid, d("2025-01-15"), 2) == [d("2025-01-01"), d("2025-02-01")]

    def test_anchor_day_after_the_start_day(self):
        # Start on the 15th, billed on the 31st: the start lies in [Dec 31, Jan 31).
        grid = PeriodGrid.anchored_at(d("2025-01-15"), interval_months=1, anchor_day=31)
        assert grid.period_containing(d("2025-01-15")) == Period(d("2024-12-31"), d("2025-01-31"))
        assert grid.boundary(1) == d("2025-02-28")

    def test_default_anchor_is_the_start_day(self):
        grid = PeriodGrid.anchored_at(d("2025-05-17"), interval_months=1)
        assert grid.anchor_day == 17

    @pytest.mark.parametrize("day", [0, 32, -1])
    def test_refuses_impossible_anchor_days(self, day: int):
        with pytest.raises(InvalidInput):
            PeriodGrid(2025 * 12, day, 1)

    def test_index_containing_is_exact_around_boundaries(self):
        grid = PeriodGrid.anchored_at(d("2024-01-31"), interval_months=1)
        for k in range(-15, 15):
            s, e = grid.boundary(k), grid.boundary(k + 1)
            assert grid.index_containing(s) == k
            assert grid.index_containing(e - timedelta(days=1)) == k


class TestPeriodAndDates:
    def test_half_open(self):
        p = Period(d("2025-03-01"), d("2025-04-01"))
        assert p.days == 31
        assert p.contains(d("2025-03-01"))
        assert p.contains(d("2025-03-31"))
        assert not p.contains(d("2025-04-01"))

    def test_period_cannot_end_before_start(self):
        with pytest.raises(InvalidInput):
            Period(d("2025-03-02"), d("2025-03-01"))

    def test_clamp_day(self):
        assert clamp_day(2025, 2, 31) == d("2025-02-28")
        assert clamp_day(2024, 2, 31) == d("2024-02-29")
        assert clamp_day(2025, 4, 15) == d("2025-04-15")

    def test_add_months_across_years_and_backwards(self):
        assert add_months(d("2024-11-30"), 3) == d("2025-02-28")
        assert add_months(d("2025-03-31"), -1) == d("2025-02-28")
        assert add_months(d("2025-01-15"), -13) == d("2023-12-15")

    def test_validate_date(self):
        assert validate_date(d("2025-01-01")) == d("2025-01-01")
        with pytest.raises(InvalidInput):
            validate_date(datetime(2025, 1, 1))  # a datetime is not a calendar date
        with pytest.raises(InvalidInput):
            validate_date(d("1899-12-31"))
        with pytest.raises(InvalidInput):
            validate_date(d("2200-01-01"))


class TestLocalDates:
    def test_the_customers_date_not_utc(self):
        # 23:30 UTC on Mar 14 is already Mar 15 in Stockholm (UTC+1 in winter).
        moment = datetime(2025, 3, 14, 23, 30, tzinfo=UTC)
        assert local_date(moment, "Europe/Stockholm") == d("2025-03-15")
        assert local_date(moment, "UTC") == d("2025-03-14")
        assert local_date(moment, "America/New_York") == d("2025-03-14")

    def test_summer_time(self):
        # 22:30 UTC in June is 00:30 in Oslo (UTC+2).
        assert local_date(datetime(2025, 6, 30, 22, 30, tzinfo=UTC), "Europe/Oslo") == d(
            "2025-07-01"
        )

    def test_naive_moment_is_refused(self):
        with pytest.raises(InvalidInput):
            local_date(datetime(2025, 3, 14, 12), "Europe/Stockholm")

    def test_local_datetime_respects_dst(self):
        winter = local_datetime(d("2025-01-10"), 8, "Europe/Stockholm")
        summer = local_datetime(d("2025-07-10"), 8, "Europe/Stockholm")
        assert winter.astimezone(UTC).hour == 7
        assert summer.astimezone(UTC).hour == 6

    def test_timezones_are_validated(self):
        assert validate_timezone("Europe/Copenhagen") == "Europe/Copenhagen"
        with pytest.raises(InvalidInput):
            validate_timezone("Europe/Nowhere")
