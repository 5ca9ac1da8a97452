"""The bounds on products of amounts (domain/bounds.py), rule by rule, amounts by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from billing.domain.bounds import (
    COLUMN_MAX,
    MAX_DOCUMENT_TOTAL,
    MAX_PERIOD_AMOUNT,
    AmountTooLarge,
    amount_over,
    check_plan,
    check_schedule,
    fits_column,
)
from billing.domain.events import (
    AddonAttached,
    Event,
    IntervalChanged,
    OneOffDelivered,
    Payload,
    QuantityChanged,
    Started,
)
from billing.domain.timeline import Schedule

TOP = 10**12
START = date(2025, 4, 2)


def _schedule(*payloads: Payload | tuple[date, Payload]) -> Schedule:
    """A timeline of ``payloads``, each effective from START or from the date paired with it."""
    dated = [p if isinstance(p, tuple) else (START, p) for p in payloads]
    return Schedule(
        [
            Event(
                id=f"e{n}",
                seq=n,
                effective_date=day,
                recorded_at=datetime(2025, 4, 2, tzinfo=UTC),
                recorded_by="test",
                payload=p,
            )
            for n, (day, p) in enumerate(dated, start=1)
        ]
    )


def _started(unit: int, quantity: int, *, price_months: int = 1, interval: int = 1) -> Started:
    return Started(
        unit_amount=unit, quantity=quantity, price_months=price_months, interval_months=interval
    )


class TestColumnsAndRounding:
    def test_the_64_bit_edges(self) -> None:
        assert fits_column(COLUMN_MAX) and fits_column(-COLUMN_MAX - 1)
        assert not fits_column(COLUMN_MAX + 1) and not fits_column(-COLUMN_MAX - 2)

    def test_amount_over_rounds_up(self) -> None:
        # 100 a year, for one month: 8.33… → 9 (a bound, never below the bill).
        assert amount_over(100, 1, months=1, price_months=12) == 9
        assert amount_over(100, 3, months=12, price_months=1) == 3600


class TestPeriods:
    def test_at_the_bound_is_fine(self) -> None:
        check_schedule(_schedule(_started(TOP, 10)))  # 10^13 a month, 1.2 × 10^14 a year

    def test_one_licence_more_passes_it(self) -> None:
        with pytest.raises(AmountTooLarge, match="period"):
            check_schedule(_schedule(_started(TOP, 11)))

    def test_a_monthly_price_billed_yearly_is_twelve_months_of_it(self) -> None:
        with pytest.raises(AmountTooLarge):
            check_schedule(_schedule(_started(TOP, 1), IntervalChanged(interval_months=12)))
        check_schedule(_schedule(_started(TOP // 12, 10), IntervalChanged(interval_months=12)))

    def test_a_yearly_price_billed_monthly_is_a_twelfth_of_it(self) -> None:
        # 10^13 a year (a period's bound), billed monthly: 10^13 / 12 a period.
        check_schedule(_schedule(_started(TOP, 10, price_months=12)))

    def test_a_one_off_is_one_item(self) -> None:
        with pytest.raises(AmountTooLarge, match="one-off"):
            check_schedule(_schedule(_started(1, 1), OneOffDelivered(unit_amount=TOP, quantity=11)))


class TestOneDocument:
    def test_what_could_meet_on_one_invoice(self) -> None:
        # Main item and add-ons each at the period bound: 1.2 × 10^14 a year each.
        addons = [
            AddonAttached(addon_key=f"a{n}", code=f"a{n}", unit_amount=TOP, quantity=10)
            for n in range(8)
        ]
        check_schedule(_schedule(_started(TOP, 10), *addons[:7]))  # 9.6 × 10^14
        with pytest.raises(AmountTooLarge, match="one document"):
            check_schedule(_schedule(_started(TOP, 10), *addons))  # 1.08 × 10^15

    def test_one_offs_add_up(self) -> None:
        one_offs = [OneOffDelivered(unit_amount=TOP, quantity=10) for _ in range(100)]
        check_schedule(_schedule(_started(1, 1), *one_offs[:99]))
        with pytest.raises(AmountTooLarge):
            check_schedule(_schedule(_started(1, 1), *one_offs))  # 10^15 + the main item

    def test_the_bounds_leave_room_in_a_column(self) -> None:
        # Every period of 300 years of monthly invoices at the period bound still fits.
        assert 300 * 12 * MAX_PERIOD_AMOUNT < COLUMN_MAX
        assert MAX_DOCUMENT_TOTAL * 1000 < COLUMN_MAX


class TestChangesOfWhatIsAlreadyPast:
    """A timeline past a bound already (rows from before the checks) can still be mended."""

    broken = (_started(TOP, 10**6),)

    def test_a_change_for_the_better_is_let_through(self) -> None:
        before = _schedule(*self.broken)
        later = (date(2025, 6, 1), QuantityChanged(quantity=1))
        check_schedule(_schedule(*self.broken, later), before=before)
        with pytest.raises(AmountTooLarge):
            check_schedule(_schedule(*self.broken, later))  # April and May stay as they were
        # Mended from the start, nothing is past the bounds any more.
        check_schedule(_schedule(*self.broken, QuantityChanged(quantity=1)))

    def test_a_change_for_the_worse_is_not(self) -> None:
        before = _schedule(*self.broken)
        with pytest.raises(AmountTooLarge):
            check_schedule(
                _schedule(*self.broken, IntervalChanged(interval_months=12)), before=before
            )


class TestPlans:
    def test_the_largest_plan_the_api_takes_fits(self) -> None:
        # 10^12 a month with 50 add-ons of 10^12 and a fee of 10^12: 6.13 × 10^14 a year.
        check_plan(unit_amount=TOP, interval_months=1, setup_fee=TOP, addon_amounts=[TOP] * 50)

    def test_more_add_ons_would_pass_one_document(self) -> None:
        with pytest.raises(AmountTooLarge, match="the plan"):
            check_plan(unit_amount=TOP, interval_months=1, setup_fee=0, addon_amounts=[TOP] * 83)
