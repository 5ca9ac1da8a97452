"""Usage metrics: aggregation, tiers, and the usage target on the ledger (docs/usage.md).

Amounts worked out by hand in the comments; the properties at the end hold for any events.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from builders import FakeLedger, Timeline, d
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.domain.entries import EntryKind
from billing.domain.errors import InvalidInput
from billing.domain.ledger import Entry, difference, target_pieces, target_total
from billing.domain.timeline import EventType, Schedule
from billing.domain.usage import (
    Aggregation,
    Metric,
    Reset,
    Sample,
    Tier,
    TierMode,
    aggregate,
    cost,
    metric_from_dict,
    parse_item,
    price_lines,
)
from billing.domain.usage_target import stretches, usage_difference, usage_target

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: 25 health checks included per contract year, 450.00 each above that.
HEALTH = Metric(
    "health_checks", "Health checks", reset=Reset.CONTRACT_YEAR, included=25, unit_amount=45_000
)


def samples(*days: str, quantity: int = 1) -> list[Sample]:
    return [Sample(d(x), quantity) for x in days]


class TestAggregation:
    events = [Sample(d("2025-01-02"), 3, "a"), Sample(d("2025-01-03"), 5, "b"),
              Sample(d("2025-01-04"), 2, "a"), Sample(d("2025-01-05"), 0, None)]  # fmt: skip

    @pytest.mark.parametrize(
        ("how", "expected"),
        [(Aggregation.COUNT, 4), (Aggregation.SUM, 10), (Aggregation.MAX, 5)],
    )
    def test_count_sum_max(self, how: Aggregation, expected: int) -> None:
        assert aggregate(Metric("m", "m", aggregation=how), self.events) == expected

    def test_unique_count_counts_distinct_values_of_the_property(self) -> None:
        metric = Metric("users", "Active users", aggregation=Aggregation.UNIQUE_COUNT,
                        property_key="user_id")  # fmt: skip
        assert aggregate(metric, self.events) == 2  # "a", "b"; the event without it: nothing

    def test_max_of_nothing_is_zero(self) -> None:
        assert aggregate(Metric("m", "m", aggregation=Aggregation.MAX), []) == 0


class TestPricing:
    def test_included_then_unit_price(self) -> None:
        # 28 used, 25 included: 3 × 450.00 = 1 350.00
        assert price_lines(HEALTH, 28) == [(1, 3, 45_000)]
        assert cost(HEALTH, 25) == 0

    def test_a_period_is_charged_what_it_adds_to_the_year(self) -> None:
        # 20 before the period, 28 after it: 5 still included, 3 charged
        assert price_lines(HEALTH, 28, before=20) == [(1, 3, 45_000)]
        assert price_lines(HEALTH, 40, before=30) == [(1, 10, 45_000)]

    graduated = Metric("api", "API calls", aggregation=Aggregation.SUM, included=100,
                       tiers=(Tier(1000, 10), Tier(5000, 5), Tier(None, 1)))  # fmt: skip

    def test_graduated_tiers_price_each_unit_in_its_tier(self) -> None:
        # 6 100 calls: 100 free; 1 000 × 0.10, 4 000 × 0.05, 1 000 × 0.01 = 100 + 200 + 10
        assert price_lines(self.graduated, 6100) == [(1, 1000, 10), (2, 4000, 5), (3, 1000, 1)]
        assert cost(self.graduated, 6100) == 31_000

    def test_volume_tiers_price_every_unit_at_the_tier_reached(self) -> None:
        volume = Metric("api", "API calls", aggregation=Aggregation.SUM, included=100,
                        tiers=self.graduated.tiers, tier_mode=TierMode.VOLUME)  # fmt: skip
        assert price_lines(volume, 1100) == [(1, 1000, 10)]  # exactly the first tier's bound
        assert price_lines(volume, 1101) == [(2, 1001, 5)]

    def test_volume_tiers_are_per_billing_period(self) -> None:
        with pytest.raises(InvalidInput) as err:
            Metric("x", "x", tiers=(Tier(None, 1),), tier_mode=TierMode.VOLUME,
                   reset=Reset.CONTRACT_YEAR)  # fmt: skip
        assert err.value.code == "usage_volume_per_year"

    @pytest.mark.parametrize(
        "tiers",
        [(Tier(10, 1),), (Tier(None, 1), Tier(None, 2)), (Tier(10, 1), Tier(5, 1), Tier(None, 1))],
    )
    def test_bad_tiers_are_refused(self, tiers: tuple[Tier, ...]) -> None:
        with pytest.raises(InvalidInput):
            Metric("x", "x", tiers=tiers)

    def test_stored_form_round_trips(self) -> None:
        stored = {"code": "api", "name": "API calls", "aggregation": "sum", "included": 100,
                  "tiers": [{"up_to": 1000, "unit_amount": 10}, {"up_to": 5000, "unit_amount": 5},
                            {"up_to": None, "unit_amount": 1}]}  # fmt: skip
        assert metric_from_dict(stored) == self.graduated
        assert parse_item(HEALTH.item(2)) == ("health_checks", 2)
        assert parse_item("addon:x") is None


def licence(start: str = "2025-01-01", **kw: object) -> Timeline:
    return Timeline(d(start), unit_amount=49_900, billing_timing="in_arrears", **kw)  # type: ignore[arg-type]


class TestStretches:
    def test_periods_cut_at_the_end_date(self) -> None:
        t = licence()
        t.cancel(d("2025-03-15"))
        got = list(stretches(t.schedule(), by_contract_year=False, until=d("2025-12-31")))
        assert got == [(d("2025-01-01"), d("2025-02-01")), (d("2025-02-01"), d("2025-03-01")),
                       (d("2025-03-01"), d("2025-03-15"))]  # fmt: skip

    def test_contract_years_cut_a_period_that_spans_two(self) -> None:
        # yearly contract from 2025-01-10, quarterly periods anchored on the 1st
        t = Timeline(d("2025-01-10"), interval_months=3, anchor_day=1)
        got = list(stretches(t.schedule(), by_contract_year=True, until=d("2026-01-31")))
        assert (d("2025-10-01"), d("2026-01-01")) in got
        assert (d("2026-01-01"), d("2026-01-10")) in got
        assert (d("2026-01-10"), d("2026-04-01")) in got


class TestUsageOnTheLedger:
    def health(self, n: int, start: str) -> list[Sample]:
        first = d(start)
        return [Sample(first + timedelta(days=i % 20), 1) for i in range(n)]

    def test_included_per_contract_year_then_charged(self) -> None:
        t = licence()
        ledger = FakeLedger()
        used = {"health_checks": self.health(20, "2025-01-02") + self.health(8, "2025-02-02")}
        schedule = t.schedule()
        metrics = {"health_checks": HEALTH}
        ledger.post(
            usage_difference(schedule, metrics, used, ledger.entries, as_of=d("2025-02-01"))
        )
        assert ledger.entries == []  # January: 20 of 25 included
        new = ledger.post(
            usage_difference(schedule, metrics, used, ledger.entries, as_of=d("2025-03-01"))
        )
        # February: 8 more, 5 still included, 3 × 450.00
        assert [(e.item, e.quantity, e.unit_amount, e.amount, e.kind) for e in new] == [
            ("usage:health_checks:1", 3, 45_000, 135_000, EntryKind.USAGE)
        ]
        assert (
            usage_difference(schedule, metrics, used, ledger.entries, as_of=d("2025-03-01")) == []
        )

    def test_a_late_event_credits_the_charge_and_charges_the_period_again(self) -> None:
        t = licence()
        ledger = FakeLedger()
        used = {"health_checks": self.health(27, "2025-01-02")}
        metrics, schedule = {"health_checks": HEALTH}, t.schedule()
        (charge,) = ledger.post(
            usage_difference(schedule, metrics, used, ledger.entries, as_of=d("2025-02-01"))
        )
        assert charge.amount == 90_000  # 2 × 450.00
        used["health_checks"].append(Sample(d("2025-01-30"), 1))  # reported after the run
        new = ledger.post(
            usage_difference(schedule, metrics, used, ledger.entries, as_of=d("2025-03-01"))
        )
        credit, again = new
        assert (credit.kind, credit.amount, credit.credits) == (
            EntryKind.CREDIT,
            -90_000,
            charge.id,
        )
        assert (again.kind, again.quantity, again.amount) == (EntryKind.USAGE, 3, 135_000)

    def test_not_prorated_in_a_shortened_last_period(self) -> None:
        # Cancelled on 2025-01-15: the 5-unit allowance per period is whole for 14 days.
        t = licence()
        t.cancel(d("2025-01-15"))
        metric = Metric("calls", "Calls", included=5, unit_amount=100)
        used = {"calls": samples(*[f"2025-01-{i:02d}" for i in range(2, 10)])}  # 8 calls
        new = usage_difference(t.schedule(), {"calls": metric}, used, [], as_of=d("2025-01-15"))
        assert [(e.service_start, e.service_end, e.quantity, e.amount) for e in new] == [
            (d("2025-01-01"), d("2025-01-15"), 3, 300)
        ]

    def test_events_on_paused_days_and_after_the_end_are_not_billed(self) -> None:
        t = licence()
        t.pause(d("2025-01-10"), d("2025-01-20"))
        t.cancel(d("2025-01-25"))
        metric = Metric("calls", "Calls", unit_amount=100)
        used = {"calls": samples("2025-01-05", "2025-01-12", "2025-01-22", "2025-01-26")}
        target = usage_target(t.schedule(), {"calls": metric}, used, as_of=d("2025-02-01"))
        assert [p.quantity for ps in target.values() for p in ps] == [2]

    def test_the_timeline_difference_leaves_usage_entries_alone(self) -> None:
        t = licence()
        ledger = FakeLedger()
        ledger.bill(t.schedule(), d("2025-02-01"))
        used = {"calls": samples("2025-01-05")}
        metric = Metric("calls", "Calls", unit_amount=100)
        ledger.post(usage_difference(t.schedule(), {"calls": metric}, used, ledger.entries,
                                     as_of=d("2025-02-01")))  # fmt: skip
        assert difference(t.schedule(), ledger.entries, as_of=d("2025-02-01")) == []
        t.add(EventType.PRICE_CHANGED, d("2025-01-15"), unit_amount=39_900)
        assert all(e.item == "main" for e in
                   difference(t.schedule(), ledger.entries, as_of=d("2025-02-01")))  # fmt: skip


# -- properties -----------------------------------------------------------------------------

tiers_st = (
    st.lists(st.integers(1, 50), min_size=0, max_size=3, unique=True)
    .map(sorted)
    .flatmap(
        lambda bounds: st.tuples(*[st.integers(0, 1000) for _ in range(len(bounds) + 1)]).map(
            lambda prices: tuple(Tier(b, p) for b, p in zip([*bounds, None], prices, strict=True))
        )
    )
)
metric_st = st.builds(
    Metric,
    code=st.just("m"),
    name=st.just("m"),
    aggregation=st.sampled_from([Aggregation.COUNT, Aggregation.SUM, Aggregation.MAX]),
    reset=st.sampled_from(list(Reset)),
    included=st.integers(0, 20),
    tiers=tiers_st,
)


@FAST
@given(metric=metric_st, cuts=st.lists(st.integers(0, 200), min_size=1, max_size=6))
def test_the_parts_of_a_year_add_up_to_the_whole(metric: Metric, cuts: list[int]) -> None:
    """Pieces sum to the whole: the year's usage charged in any number of periods costs what
    it costs at once, and each tier line's units add up to the billable quantity."""
    points = [0, *sorted(cuts)]
    parts = sum(cost(metric, b, before=a) for a, b in zip(points, points[1:], strict=False))
    assert parts == cost(metric, points[-1])
    units = sum(line.quantity for line in price_lines(metric, points[-1]))
    assert units == max(points[-1] - metric.included, 0)


day_st = st.integers(0, 400).map(lambda n: date(2025, 1, 1) + timedelta(days=n))
event_st = st.tuples(day_st, st.integers(0, 5))


def _bill_run(
    schedule: Schedule,
    metrics: dict[str, Metric],
    used: list[Sample],
    posted: list[Entry],
    as_of: date,
) -> list[Entry]:
    """What a bill run posts: the timeline's difference and the usage difference."""
    return difference(schedule, posted, as_of=as_of) + usage_difference(
        schedule, metrics, {"m": used}, posted, as_of=as_of
    )


@FAST
@given(
    metric=metric_st,
    batches=st.lists(st.lists(event_st, max_size=12), min_size=1, max_size=5),
    runs=st.lists(st.integers(0, 450), min_size=1, max_size=5),
    end=st.none() | st.integers(30, 420),
    pause=st.none() | st.tuples(st.integers(0, 300), st.integers(1, 60)),
    interval=st.sampled_from([1, 3, 12]),
    anchor=st.none() | st.integers(1, 31),
)
def test_billing_usage_twice_posts_nothing_and_late_events_settle(
    metric: Metric,
    batches: list[list[tuple[date, int]]],
    runs: list[int],
    end: int | None,
    pause: tuple[int, int] | None,
    interval: int,
    anchor: int | None,
) -> None:
    """Events arrive in batches between bill runs (some late for billed periods), on any grid,
    with a pause and an end date: after every run (the timeline's difference and the usage
    difference, as the bill run posts them) the ledger equals both targets, a second run posts
    nothing, and no credit gives back more than its charge billed."""
    start = date(2025, 1, 1)
    t = Timeline(start, unit_amount=49_900, billing_timing="in_arrears",
                 interval_months=interval, anchor_day=anchor)  # fmt: skip
    if pause is not None:
        t.pause(start + timedelta(days=pause[0]), start + timedelta(days=sum(pause)))
    if end is not None:
        t.cancel(start + timedelta(days=end))
    schedule, metrics = t.schedule(), {"m": metric}
    ledger = FakeLedger()
    used: list[Sample] = []
    for batch, run in zip(batches, sorted(runs) + [max(runs)] * len(batches), strict=False):
        used.extend(Sample(day, q) for day, q in batch)
        as_of = start + timedelta(days=run)

        ledger.post(_bill_run(schedule, metrics, used, ledger.entries, as_of))
        assert _bill_run(schedule, metrics, used, ledger.entries, as_of) == []
        keys = {e.key for e in ledger.entries}
        usage = usage_target(schedule, metrics, {"m": used}, as_of=as_of, posted=keys)
        timeline = target_pieces(schedule, as_of=as_of, posted_keys=keys)
        assert ledger.total == target_total(usage) + target_total(timeline)
        for e in ledger.credits():
            charge = ledger.by_id(e.credits or "")
            assert -e.amount <= charge.amount


@FAST
@given(
    metric=metric_st,
    events=st.lists(event_st, max_size=40),
    end=st.none() | st.integers(30, 420),
    interval=st.sampled_from([1, 3, 12]),
    anchor=st.none() | st.integers(1, 31),
)
def test_a_contract_year_costs_what_its_usage_costs_at_once(
    metric: Metric,
    events: list[tuple[date, int]],
    end: int | None,
    interval: int,
    anchor: int | None,
) -> None:
    """The pieces of the usage target sum to the whole: per contract year (a contract-year
    metric) or per billing stretch (a period metric), what the stretches are charged is the
    price of that whole's aggregate, computed here without the target's walk."""
    start = date(2025, 1, 1)
    t = Timeline(start, interval_months=interval, anchor_day=anchor)
    if end is not None:
        t.cancel(start + timedelta(days=end))
    schedule = t.schedule()
    used = [Sample(day, q) for day, q in events]
    target = usage_target(schedule, {"m": metric}, {"m": used}, as_of=date(2030, 1, 1))
    last = schedule.end or date(2026, 6, 1)
    served = [s for s in used if s.day < last]
    by_contract_year = metric.reset is Reset.CONTRACT_YEAR
    wholes: list[tuple[date, date]]
    if by_contract_year:
        years = [(date(2025 + k, 1, 1), date(2026 + k, 1, 1)) for k in range(3)]
        wholes = [(a, min(b, last)) for a, b in years if a < last]
    else:
        wholes = list(stretches(schedule, by_contract_year=False, until=last - timedelta(1)))
    for a, b in wholes:
        expected = cost(metric, aggregate(metric, [s for s in served if a <= s.day < b]))
        charged = sum(p.amount for (_, x, _), ps in target.items() if a <= x < b for p in ps)
        assert charged == expected
