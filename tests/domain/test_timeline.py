"""The timeline: what follows from recorded events (start, end, pauses, terms, status)."""

from __future__ import annotations

import pytest
from builders import Timeline, d

from billing.domain.errors import InvalidTimeline
from billing.domain.timeline import BillingTiming, EventType, Schedule, Status, Terms


class TestStartAndEnd:
    def test_a_timeline_begins_with_started(self):
        t = Timeline(d("2025-01-01"))
        with pytest.raises(InvalidTimeline):
            Schedule([])
        with pytest.raises(InvalidTimeline):
            Schedule(t.events[1:] + [t.price(d("2025-02-01"), 1)])

    def test_events_are_read_in_recording_order_whatever_the_list_order(self):
        t = Timeline(d("2025-01-01"))
        t.cancel(d("2025-06-01"))
        t.move_cancellation(d("2025-07-01"))
        assert Schedule(list(reversed(t.events))).end == d("2025-07-01")

    def test_defaults(self):
        s = Timeline(d("2025-01-15")).schedule()
        assert s.start == d("2025-01-15")
        assert s.end is None
        assert s.timing is BillingTiming.IN_ADVANCE
        assert s.anchor_day == 15
        assert s.terms_on(d("2025-01-15")) == Terms(10_000, 1, 1, "E1")

    def test_explicit_anchor_day_and_timing(self):
        s = Timeline(d("2025-01-15"), anchor_day=1, billing_timing="in_arrears").schedule()
        assert s.anchor_day == 1
        assert s.timing is BillingTiming.IN_ARREARS

    def test_start_postponed_moves_start_and_anchor(self):
        t = Timeline(d("2025-01-15"))
        t.add(EventType.START_POSTPONED, d("2025-02-20"))
        s = t.schedule()
        assert s.start == d("2025-02-20")
        assert s.anchor_day == 20

    def test_cancellation_effective_date_is_the_first_day_not_served(self):
        t = Timeline(d("2025-01-01"))
        t.cancel(d("2025-03-15"))
        s = t.schedule()
        assert s.end == s.served_until == d("2025-03-15")
        assert not s.has_ended(d("2025-03-14"))
        assert s.has_ended(d("2025-03-15"))

    def test_moving_a_cancellation_replaces_the_end(self):
        t = Timeline(d("2025-01-01"))
        t.cancel(d("2025-03-15"))
        t.move_cancellation(d("2025-02-10"))
        assert t.schedule().end == d("2025-02-10")

    def test_revoking_undoes_the_whole_chain(self):
        t = Timeline(d("2025-01-01"))
        scheduled = t.cancel(d("2025-03-15"))
        moved = t.move_cancellation(d("2025-04-01"))
        revoke = t.revoke_cancellation(d("2025-03-01"))
        s = t.schedule()
        assert s.end is None
        assert s.revoked_by == {scheduled.id: revoke.id, moved.id: revoke.id}

    def test_a_new_cancellation_after_a_revoke_counts(self):
        t = Timeline(d("2025-01-01"))
        t.cancel(d("2025-03-15"))
        t.revoke_cancellation(d("2025-03-01"))
        t.cancel(d("2025-05-01"))
        assert t.schedule().end == d("2025-05-01")


class TestChanges:
    def test_change_applies_from_its_effective_date(self):
        t = Timeline(d("2025-01-01"), unit_amount=100)
        t.price(d("2025-02-10"), 150)
        s = t.schedule()
        assert s.terms_on(d("2025-02-09")).unit_amount == 100
        assert s.terms_on(d("2025-02-10")).unit_amount == 150

    def test_changes_recorded_out_of_order_apply_by_effective_date(self):
        t = Timeline(d("2025-01-01"), unit_amount=100)
        t.price(d("2025-03-01"), 200)  # recorded first
        t.price(d("2025-02-01"), 150)  # recorded later, effective earlier
        s = t.schedule()
        assert s.terms_on(d("2025-01-31")).unit_amount == 100
        assert s.terms_on(d("2025-02-15")).unit_amount == 150
        # The earlier-recorded change is the later one by effective date, so it wins from Mar 1.
        assert s.terms_on(d("2025-03-01")).unit_amount == 200
        assert s.change_dates() == [d("2025-02-01"), d("2025-03-01")]

    def test_same_effective_date_applies_in_recording_order(self):
        t = Timeline(d("2025-01-01"), unit_amount=100)
        t.price(d("2025-02-01"), 175)
        t.price(d("2025-02-01"), 150)
        assert t.schedule().terms_on(d("2025-02-01")).unit_amount == 150

    def test_price_and_quantity_change_independently(self):
        t = Timeline(d("2025-01-01"), unit_amount=100, quantity=3)
        t.quantity(d("2025-03-01"), 5)
        t.price(d("2025-02-01"), 120)
        s = t.schedule()
        assert (s.terms_on(d("2025-02-15")).unit_amount, s.terms_on(d("2025-02-15")).quantity) == (
            120,
            3,
        )
        assert (s.terms_on(d("2025-03-15")).unit_amount, s.terms_on(d("2025-03-15")).quantity) == (
            120,
            5,
        )

    def test_plan_change_sets_price_months_too(self):
        t = Timeline(d("2025-01-01"), unit_amount=1_000, price_months=1)
        t.add(EventType.PLAN_CHANGED, d("2025-02-01"), unit_amount=12_000, price_months=12,
              plan_id="yearly")
        t.price(d("2025-03-01"), 24_000)  # keeps the plan's price months
        s = t.schedule()
        assert s.terms_on(d("2025-02-01")).period_amount(1) == 1_000
        assert s.terms_on(d("2025-03-01")).price_months == 12
        assert s.terms_on(d("2025-03-01")).period_amount(1) == 2_000
        assert s.plan_id == "yearly"

    def test_period_amount_for_other_intervals(self):
        monthly = Terms(unit_amount=1_000, quantity=3, price_months=1)
        assert monthly.period_amount(1) == 3_000
        assert monthly.period_amount(3) == 9_000
        assert monthly.period_amount(12) == 36_000
        yearly = Terms(unit_amount=100_001, quantity=1, price_months=12)
        assert yearly.period_amount(1) == 8_333  # 8333.416… rounded half up
        assert yearly.period_amount(6) == 50_001  # 50000.5 -> 50001

    def test_interval_changes_start_new_regimes_on_the_same_anchor_day(self):
        t = Timeline(d("2025-01-15"))
        t.interval(d("2025-03-15"), 3)
        s = t.schedule()
        assert [r.start for r in s.regimes] == [d("2025-01-15"), d("2025-03-15")]
        assert s.interval_on(d("2025-03-14")) == 1
        assert s.interval_on(d("2025-03-15")) == 3
        assert s.regime_on(d("2025-04-01")).grid.period_containing(d("2025-04-01")).end == d(
            "2025-06-15"
        )

    def test_interval_change_on_or_before_start_sets_the_first_regime(self):
        t = Timeline(d("2025-01-15"))
        t.interval(d("2025-01-15"), 12)
        s = t.schedule()
        assert len(s.regimes) == 1
        assert s.interval_on(d("2025-01-15")) == 12


class TestPauses:
    def test_pause_with_resume_date(self):
        t = Timeline(d("2025-01-01"))
        t.pause(d("2025-02-10"), d("2025-03-05"))
        s = t.schedule()
        assert not s.is_paused_on(d("2025-02-09"))
        assert s.is_paused_on(d("2025-02-10"))
        assert s.is_paused_on(d("2025-03-04"))
        assert not s.is_paused_on(d("2025-03-05"))

    def test_open_pause_then_resumed(self):
        t = Timeline(d("2025-01-01"))
        t.pause(d("2025-02-10"))
        assert t.schedule().is_paused_on(d("2030-01-01"))
        t.resume(d("2025-04-01"))
        s = t.schedule()
        assert s.is_paused_on(d("2025-03-31"))
        assert not s.is_paused_on(d("2025-04-01"))

    def test_resume_needs_a_pause_before_it(self):
        t = Timeline(d("2025-01-01"))
        t.pause(d("2025-05-01"))
        t.resume(d("2025-04-01"))
        with pytest.raises(InvalidTimeline):
            t.schedule()

    def test_resume_on_the_pause_day_cancels_the_pause(self):
        t = Timeline(d("2025-01-01"))
        t.pause(d("2025-02-10"))
        t.resume(d("2025-02-10"))
        assert t.schedule().pauses == ()

    def test_segments(self):
        t = Timeline(d("2025-01-01"), unit_amount=100)
        t.pause(d("2025-02-01"), d("2025-02-15"))
        t.price(d("2025-03-01"), 200)
        t.cancel(d("2025-04-01"))
        segs = [(s.start, s.end, s.state, s.unit_amount) for s in t.schedule().segments()]
        assert segs == [
            (d("2025-01-01"), d("2025-02-01"), "active", 100),
            (d("2025-02-01"), d("2025-02-15"), "paused", 100),
            (d("2025-02-15"), d("2025-03-01"), "active", 100),
            (d("2025-03-01"), d("2025-04-01"), "active", 200),
        ]

    def test_no_segments_when_cancelled_before_start(self):
        t = Timeline(d("2025-03-01"))
        t.cancel(d("2025-03-01"))
        assert t.schedule().segments() == []


class TestStatus:
    def test_status_as_of_dates(self):
        t = Timeline(d("2025-02-01"))
        t.pause(d("2025-03-01"), d("2025-03-10"))
        s = t.schedule()
        assert s.status_on(d("2025-01-31")) is Status.PENDING
        assert s.status_on(d("2025-02-01")) is Status.ACTIVE
        assert s.status_on(d("2025-03-05")) is Status.PAUSED
        assert s.status_on(d("2025-03-10")) is Status.ACTIVE

        t.cancel(d("2025-06-01"))
        s = t.schedule()
        assert s.status_on(d("2025-01-31")) is Status.PENDING
        assert s.status_on(d("2025-05-31")) is Status.IN_TERMINATION
        assert s.status_on(d("2025-06-01")) is Status.TERMINATED
        assert s.status_on(d("2026-01-01")) is Status.TERMINATED

    def test_revoked_cancellation_is_active_again(self):
        t = Timeline(d("2025-02-01"))
        t.cancel(d("2025-06-01"))
        t.revoke_cancellation(d("2025-05-01"))
        assert t.schedule().status_on(d("2025-07-01")) is Status.ACTIVE

    def test_cancelled_before_start_is_terminated_on_the_end_date(self):
        t = Timeline(d("2025-03-01"))
        t.cancel(d("2025-02-15"))
        s = t.schedule()
        assert s.status_on(d("2025-02-14")) is Status.PENDING
        assert s.status_on(d("2025-02-15")) is Status.TERMINATED


class TestAddOnsAndOneOffs:
    def test_add_on_attached_and_detached(self):
        t = Timeline(d("2025-01-01"))
        t.attach_addon(d("2025-02-01"), "sms", 500)
        t.detach_addon(d("2025-04-01"), "sms")
        (addon,) = t.schedule().addons
        assert (addon.key, addon.start, addon.end, addon.unit_amount) == (
            "sms",
            d("2025-02-01"),
            d("2025-04-01"),
            500,
        )

    def test_re_attached_add_on_keeps_its_history(self):
        t = Timeline(d("2025-01-01"))
        t.attach_addon(d("2025-01-01"), "sms", 500)
        t.detach_addon(d("2025-03-01"), "sms")
        t.attach_addon(d("2025-05-01"), "sms", 700)
        s = t.schedule()
        assert [(a.start, a.end, a.unit_amount) for a in s.addons] == [
            (d("2025-05-01"), None, 500 + 200)
        ]
        assert [(a.start, a.end) for a in s.addon_history] == [
            (d("2025-01-01"), d("2025-03-01")),
            (d("2025-05-01"), None),
        ]

    def test_detaching_an_unknown_add_on_is_refused(self):
        t = Timeline(d("2025-01-01"))
        t.detach_addon(d("2025-04-01"), "sms")
        with pytest.raises(InvalidTimeline):
            t.schedule()

    def test_one_off(self):
        t = Timeline(d("2025-01-01"))
        ev = t.one_off(d("2025-02-10"), 79_500, 2)
        (one,) = t.schedule().one_offs
        assert (one.event_id, one.delivered_on, one.unit_amount, one.quantity) == (
            ev.id,
            d("2025-02-10"),
            79_500,
            2,
        )
