"""The ledger rules of domain.md, one scenario each, with the amounts worked out by hand.

Amounts are minor units. ``R`` is round half up. A period is ``[s, e)`` of ``L`` days; the served
days ``[a, b)`` cost ``R(P·(b−s)/L) − R(P·(a−s)/L)``.
"""

from __future__ import annotations

from datetime import date

from builders import FakeLedger, Timeline, d

from billing.domain.ledger import (
    MAIN_ITEM,
    Entry,
    EntryKind,
    Scope,
    difference,
    net_coverage,
    target_pieces,
    target_total,
)
from billing.domain.proration import served_amount


def run_bill_runs(ledger: FakeLedger, t: Timeline, *dates: str) -> None:
    for day in dates:
        ledger.bill(t.schedule(), d(day))


def spans(entries: list[Entry]) -> list[tuple[date, date, int]]:
    return [(e.service_start, e.service_end, e.amount) for e in entries]


class TestTheWorkedExample:
    def test_24995_served_from_the_5th_costs_22495(self):
        # [2025-04-02, 2025-05-02) is 30 days; 3 unserved days are worth R(2499.5) = 2500.
        t = Timeline(d("2025-04-05"), unit_amount=24_995, anchor_day=2)
        ledger = FakeLedger()
        (charge,) = ledger.bill(t.schedule(), d("2025-04-05"))
        assert (charge.period_start, charge.period_end) == (d("2025-04-02"), d("2025-05-02"))
        assert (charge.service_start, charge.service_end) == (d("2025-04-05"), d("2025-05-02"))
        assert charge.amount == 22_495  # Kill Bill's independent rounding gives 22 496
        assert charge.period_amount == 24_995

    def test_the_two_pieces_add_up_to_the_period(self):
        args = {"period_start": d("2025-04-02"), "period_end": d("2025-05-02")}
        head = served_amount(24_995, **args, served_start=d("2025-04-02"),
                             served_end=d("2025-04-05"))
        tail = served_amount(24_995, **args, served_start=d("2025-04-05"),
                             served_end=d("2025-05-02"))
        assert (head, tail) == (2_500, 22_495)
        assert head + tail == 24_995


class TestAnchoredPeriods:
    def test_31st_through_leap_february(self):
        t = Timeline(d("2024-01-31"), unit_amount=2_900)
        ledger = FakeLedger()
        run_bill_runs(ledger, t, "2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30")
        assert [(e.period_start, e.period_end, e.amount) for e in ledger.entries] == [
            (d("2024-01-31"), d("2024-02-29"), 2_900),
            (d("2024-02-29"), d("2024-03-31"), 2_900),
            (d("2024-03-31"), d("2024-04-30"), 2_900),
            (d("2024-04-30"), d("2024-05-31"), 2_900),
        ]

    def test_31st_through_non_leap_february_with_a_cancellation(self):
        # Cancelled from 2025-03-10: the last period [Feb 28, Mar 31) of 31 days is served 10
        # days: R(2900·10/31) = R(935.48) = 935.
        t = Timeline(d("2025-01-31"), unit_amount=2_900)
        t.cancel(d("2025-03-10"))
        ledger = FakeLedger()
        run_bill_runs(ledger, t, "2025-01-31", "2025-02-28", "2025-03-31")
        assert [(e.period_start, e.period_end, e.amount) for e in ledger.entries] == [
            (d("2025-01-31"), d("2025-02-28"), 2_900),
            (d("2025-02-28"), d("2025-03-31"), 935),
        ]

    def test_bill_run_posts_only_what_is_due(self):
        t = Timeline(d("2025-01-01"))
        ledger = FakeLedger()
        assert ledger.bill(t.schedule(), d("2024-12-31")) == []
        assert len(ledger.bill(t.schedule(), d("2025-01-31"))) == 1
        # A late bill run catches up every period due, once.
        assert len(ledger.bill(t.schedule(), d("2025-04-01"))) == 3
        assert ledger.bill(t.schedule(), d("2025-04-01")) == []
        assert ledger.total == 40_000


class TestIntervals:
    def test_quarterly(self):
        t = Timeline(d("2025-01-15"), unit_amount=30_000, price_months=3, interval_months=3)
        ledger = FakeLedger()
        run_bill_runs(ledger, t, "2025-01-15", "2025-04-14", "2025-04-15")
        assert [(e.period_start, e.period_end, e.amount) for e in ledger.entries] == [
            (d("2025-01-15"), d("2025-04-15"), 30_000),
            (d("2025-04-15"), d("2025-07-15"), 30_000),
        ]

    def test_monthly_price_billed_half_yearly(self):
        t = Timeline(d("2025-03-31"), unit_amount=1_000, quantity=2, interval_months=6)
        ledger = FakeLedger()
        run_bill_runs(ledger, t, "2025-03-31", "2025-09-30")
        assert [(e.period_start, e.period_end, e.amount) for e in ledger.entries] == [
            (d("2025-03-31"), d("2025-09-30"), 12_000),
            (d("2025-09-30"), d("2026-03-31"), 12_000),
        ]

    def test_yearly_in_a_leap_year_cancelled_mid_year(self):
        # 2024 has 366 days; Jan 1 .. Jul 1 is 182 days: R(12000·182/366) = R(5967.2) = 5967.
        t = Timeline(d("2024-01-01"), unit_amount=1_000, interval_months=12)
        ledger = FakeLedger()
        (charge,) = ledger.bill(t.schedule(), d("2024-01-01"))
        assert charge.amount == 12_000
        t.cancel(d("2024-07-01"))
        (credit,) = ledger.bill(t.schedule(), d("2024-05-01"), scope=Scope.BILLED)
        assert credit.amount == -(12_000 - 5_967)
        assert ledger.total == 5_967

    def test_interval_change_mid_period(self):
        # Monthly 3100 from Jan 1; quarterly from Jan 11 (quarters anchored on the 1st from
        # January): [Jan 1, Jan 11) of January's 31 days = R(3100·10/31) = 1000; [Jan 11, Apr 1)
        # of the quarter [Jan 1, Apr 1) (90 days, P = 9300) = 9300 − R(9300·10/90) = 8267.
        t = Timeline(d("2025-01-01"), unit_amount=3_100)
        t.interval(d("2025-01-11"), 3)
        ledger = FakeLedger()
        ledger.bill(t.schedule(), d("2025-01-11"))
        assert [(e.period_start, e.period_end, e.service_start, e.amount)
                for e in ledger.entries] == [
            (d("2025-01-01"), d("2025-02-01"), d("2025-01-01"), 1_000),
            (d("2025-01-01"), d("2025-04-01"), d("2025-01-11"), 8_267),
        ]

    def test_interval_set_again_to_the_same_value_mid_period(self):
        # An interval "change" to the interval already in force must not lose days: both
        # regimes produce the same anchored period [Jan 1, Feb 1).
        t = Timeline(d("2025-01-01"), unit_amount=3_100)
        t.interval(d("2025-01-11"), 1)
        ledger = FakeLedger()
        ledger.bill(t.schedule(), d("2025-01-11"))
        assert ledger.total == 3_100
        assert ledger.period_total(d("2025-01-01")) == 3_100


class TestFirstPeriodOffTheAnchor:
    def test_partial_first_period_with_anchor_day(self):
        # Start Jan 15, billed on the 1st: [Jan 15, Feb 1) of January (31 days), 17 days:
        # 3100 − R(3100·14/31) = 3100 − 1400 = 1700, then full months.
        t = Timeline(d("2025-01-15"), unit_amount=3_100, anchor_day=1)
        ledger = FakeLedger()
        run_bill_runs(ledger, t, "2025-01-15", "2025-02-01")
        assert [(e.period_start, e.service_start, e.service_end, e.amount)
                for e in ledger.entries] == [
            (d("2025-01-01"), d("2025-01-15"), d("2025-02-01"), 1_700),
            (d("2025-02-01"), d("2025-02-01"), d("2025-03-01"), 3_100),
        ]

    def test_anchor_day_later_than_start_day(self):
        # Start Jan 15, anchored on the 31st: [Jan 15, Jan 31) of [Dec 31, Jan 31) (31 days).
        t = Timeline(d("2025-01-15"), unit_amount=3_100, anchor_day=31)
        ledger = FakeLedger()
        run_bill_runs(ledger, t, "2025-01-15", "2025-01-31")
        assert [(e.period_start, e.period_end, e.amount) for e in ledger.entries] == [
            (d("2024-12-31"), d("2025-01-31"), 1_600),
            (d("2025-01-31"), d("2025-02-28"), 3_100),
        ]


class TestCancellation:
    def test_before_the_period_was_billed_the_last_invoice_is_shorter(self):
        # March has 31 days; served [Mar 1, Mar 15) = R(10000·14/31) = R(4516.13) = 4516.
        t = Timeline(d("2025-01-01"))
        ledger = FakeLedger()
        run_bill_runs(ledger, t, "2025-01-01", "2025-02-01")
        t.cancel(d("2025-03-15"))
        assert ledger.bill(t.schedule(), d("2025-02-20"), scope=Scope.BILLED) == []
        (last,) = ledger.bill(t.schedule(), d("2025-03-01"))
        assert (last.kind, last.service_start, last.service_end, last.amount) == (
            EntryKind.CHARGE,
            d("2025-03-01"),
            d("2025-03-15"),
            4_516,
        )
        assert ledger.credits() == []
        assert ledger.total == 24_516

    def test_after_the_period_was_billed_the_unused_days_are_credited(self):
        t = Timeline(d("2025-01-01"))
        ledger = FakeLedger()
        run_bill_runs(ledger, t, "2025-01-01", "2025-02-01", "2025-03-01")
        march = ledger.entries[-1]
        cancel = t.cancel(d("2025-03-15"))
        (credit,) = ledger.bill(t.schedule(), d("2025-03-05"), scope=Scope.BILLED,
                                cause=cancel.id)
        assert credit.kind is EntryKind.CREDIT
        assert credit.credits == march.id
        assert (credit.period_start, credit.period_end) == (march.period_start, march.period_end)
        assert (credit.service_start, credit.service_end) == (d("2025-03-15"), d("2025-04-01"))
        assert credit.amount == -(10_000 - 4_516) == -5_484
        assert credit.event_id == cancel.id
        assert ledger.period_total(d("2025-03-01")) == 4_516  # same as never billed in full

    def test_credit_uses_the_amounts_as_billed_not_todays_price(self):
        # March billed at 10000; then a price change to 12000 from Apr 1 and a cancellation
        # from Mar 15. The credit gives back 17 days of the 10000 charge as billed.
        t = Timeline(d("2025-01-01"))
        ledger = FakeLedger()
        run_bill_runs(ledger, t, "2025-03-01")
        t.price(d("2025-03-01"), 12_000)  # even a price change back-dated into March …
        t.cancel(d("2025-03-15"))
        posted = ledger.bill(t.schedule(), d("2025-03-05"), scope=Scope.BILLED)
        credits = [e for e in posted if e.is_credit]
        # … gives back what was billed (10000 for the whole month, as billed) …
        assert sum(-c.amount for c in credits) == 10_000
        assert all(c.period_amount == 10_000 and c.unit_amount == 10_000 for c in credits)
        # … and bills the served days on the new terms: R(12000·14/31) = R(5419.35) = 5419.
        charges = [e for e in posted if not e.is_credit]
        assert spans(charges) == [(d("2025-03-01"), d("2025-03-15"), 5_419)]

    def test_nothing_is_billed_after_the_end_date(self):
        t = Timeline(d("2025-01-01"))
        t.cancel(d("2025-03-15"))
        ledger = FakeLedger()
        run_bill_runs(ledger, t, "2025-01-01", "2025-03-01", "2025-06-01", "2026-01-01")
        assert max(e.service_end for e in ledger.entries) == d("2025-03-15")
        assert ledger.total == 10_000 + 10_000 + 4_516
        target = target_pieces(t.schedule(), as_of=d("2030-01-01"))
        assert all(p.end <= d("2025-03-15") for pieces in target.values() for p in pieces)

    def test_cancelled_on_a_period_boundary_bills_no_empty_period(self):
        t = Timeline(d("2025-01-01"))
        t.cancel(d("2025-03-01"))
        ledger = FakeLedger()
        run_bill_runs(ledger, t, "2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01")
        assert ledger.total == 20_000
        assert len(ledger.entries) == 2

    def test_cancelled_before_start_bills_nothing(self):
        t = Timeline(d("2025-03-01"))
        t.cancel(d("2025-03-01"))
        ledger = FakeLedger()
        run_bill_runs(ledger, t, "2025-03-01", "2025-05-01")
        assert ledger.entries == []


class TestMovingAndUndoing:
    def _billed_march_then_cancelled(self) -> tuple[Timeline, FakeLedger]:
        t = Timeline(d("2025-03-01"))
        ledger = FakeLedger()
        ledger.bill(t.schedule(), d("2025-03-01"))
        t.cancel(d("2025-03-15"))
        ledger.bill(t.schedule(), d("2025-03-05"), scope=Scope.BILLED)
        assert spans(ledger.entries) == [
            (d("2025-03-01"), d("2025-04-01"), 10_000),
            (d("2025-03-15"), d("2025-04-01"), -5_484),
        ]
        return t, ledger

    def test_moving_later_charges_the_days_back(self):
        # R(10000·19/31) = R(6129.03) = 6129; days 14..19 cost 6129 − 4516 = 1613.
        t, ledger = self._billed_march_then_cancelled()
        t.move_cancellation(d("2025-03-20"))
        posted = ledger.bill(t.schedule(), d("2025-03-06"), scope=Scope.BILLED)
        assert spans(posted) == [(d("2025-03-15"), d("2025-03-20"), 1_613)]
        assert posted[0].kind is EntryKind.CHARGE and posted[0].credits is None
        assert ledger.total == 6_129

    def test_moving_earlier_credits_more(self):
        # R(10000·9/31) = R(2903.2) = 2903: days 9..14 give back 4516 − 2903 = 1613.
        t, ledger = self._billed_march_then_cancelled()
        t.move_cancellation(d("2025-03-10"))
        (credit,) = ledger.bill(t.schedule(), d("2025-03-06"), scope=Scope.BILLED)
        assert (credit.service_start, credit.service_end, credit.amount) == (
            d("2025-03-10"), d("2025-03-15"), -1_613
        )
        assert credit.credits == ledger.entries[0].id
        assert ledger.total == 2_903

    def test_moving_later_then_earlier_credits_each_charge_for_its_own_days(self):
        t, ledger = self._billed_march_then_cancelled()
        t.move_cancellation(d("2025-03-20"))
        (back,) = ledger.bill(t.schedule(), d("2025-03-06"), scope=Scope.BILLED)
        t.move_cancellation(d("2025-03-10"))
        posted = ledger.bill(t.schedule(), d("2025-03-07"), scope=Scope.BILLED)
        assert sorted((e.credits, e.service_start, e.service_end, e.amount) for e in posted) == [
            (ledger.entries[0].id, d("2025-03-10"), d("2025-03-15"), -1_613),
            (back.id, d("2025-03-15"), d("2025-03-20"), -1_613),
        ]
        assert ledger.total == 2_903

    def test_undo_after_a_credit_brings_the_days_back_as_a_new_charge(self):
        t, ledger = self._billed_march_then_cancelled()
        before = list(ledger.entries)
        revoke = t.revoke_cancellation(d("2025-03-08"))
        posted = ledger.bill(t.schedule(), d("2025-03-08"), scope=Scope.BILLED, cause=revoke.id)
        assert spans(posted) == [(d("2025-03-15"), d("2025-04-01"), 5_484)]
        assert posted[0].kind is EntryKind.CHARGE
        assert ledger.entries[: len(before)] == before  # nothing posted was edited
        assert ledger.total == 10_000
        # and April bills as if nothing happened
        (april,) = ledger.bill(t.schedule(), d("2025-04-01"))
        assert april.amount == 10_000

    def test_undo_before_billing_changes_nothing(self):
        t = Timeline(d("2025-03-01"))
        t.cancel(d("2025-03-15"))
        t.revoke_cancellation(d("2025-02-20"))
        ledger = FakeLedger()
        ledger.bill(t.schedule(), d("2025-03-01"))
        assert spans(ledger.entries) == [(d("2025-03-01"), d("2025-04-01"), 10_000)]


class TestPauses:
    def test_pause_and_resume_inside_one_period(self):
        # 3100 for January (31 days), paused Jan 10 .. Jan 20: [Jan 1, Jan 10) = R(900) = 900,
        # [Jan 20, Feb 1) = 3100 − R(1900) = 1200. February is a full month on the 1st.
        t = Timeline(d("2025-01-01"), unit_amount=3_100)
        t.pause(d("2025-01-10"), d("2025-01-20"))
        ledger = FakeLedger()
        run_bill_runs(ledger, t, "2025-01-01", "2025-02-01")
        assert spans(ledger.entries) == [
            (d("2025-01-01"), d("2025-01-10"), 900),
            (d("2025-01-20"), d("2025-02-01"), 1_200),
            (d("2025-02-01"), d("2025-03-01"), 3_100),
        ]
        assert ledger.entries[-1].period_start == d("2025-02-01")

    def test_pause_after_billing_credits_the_paused_days(self):
        t = Timeline(d("2025-01-01"), unit_amount=3_100)
        ledger = FakeLedger()
        (january,) = ledger.bill(t.schedule(), d("2025-01-01"))
        t.pause(d("2025-01-10"), d("2025-01-20"))
        (credit,) = ledger.bill(t.schedule(), d("2025-01-05"), scope=Scope.BILLED)
        assert (credit.service_start, credit.service_end, credit.amount, credit.credits) == (
            d("2025-01-10"), d("2025-01-20"), -1_000, january.id
        )

    def test_pause_across_periods_keeps_the_anchor(self):
        # Paused Jan 20, resumed Mar 10 (recorded later): January [1, 20) = R(1900) = 1900;
        # February nothing; March [10, 31+1) of 31 days = 3100 − R(900) = 2200.
        t = Timeline(d("2025-01-01"), unit_amount=3_100)
        ledger = FakeLedger()
        ledger.bill(t.schedule(), d("2025-01-01"))
        t.pause(d("2025-01-20"))
        ledger.bill(t.schedule(), d("2025-01-15"), scope=Scope.BILLED)
        assert ledger.total == 1_900
        assert ledger.bill(t.schedule(), d("2025-02-01")) == []
        assert ledger.bill(t.schedule(), d("2025-03-01")) == []
        t.resume(d("2025-03-10"))
        assert ledger.bill(t.schedule(), d("2025-03-09"), scope=Scope.BILLED) == []
        (march,) = ledger.bill(t.schedule(), d("2025-03-10"))
        assert (march.period_start, march.period_end, march.service_start, march.amount) == (
            d("2025-03-01"), d("2025-04-01"), d("2025-03-10"), 2_200
        )
        (april,) = ledger.bill(t.schedule(), d("2025-04-01"))
        assert (april.period_start, april.amount) == (d("2025-04-01"), 3_100)
        assert ledger.total == 1_900 + 2_200 + 3_100

    def test_a_pause_known_in_advance_is_never_billed(self):
        t = Timeline(d("2025-01-01"), unit_amount=3_100)
        t.pause(d("2025-01-20"), d("2025-03-10"))
        ledger = FakeLedger()
        run_bill_runs(ledger, t, "2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01")
        assert ledger.credits() == []
        assert ledger.total == 1_900 + 2_200 + 3_100
        for lo, hi, _ in net_coverage(ledger.entries):
            assert hi <= d("2025-01-20") or lo >= d("2025-03-10")


class TestPriceAndLicenceChanges:
    def test_price_change_mid_period_before_billing(self):
        # January, 31 days. Old P = 10000 for [1, 11): R(3225.8) = 3226.
        # New P = 13100 for [11, 32): 13100 − R(4225.8) = 13100 − 4226 = 8874.
        t = Timeline(d("2025-01-01"))
        t.price(d("2025-01-11"), 13_100)
        ledger = FakeLedger()
        ledger.bill(t.schedule(), d("2025-01-01"))
        assert [(e.service_start, e.service_end, e.period_amount, e.amount)
                for e in ledger.entries] == [
            (d("2025-01-01"), d("2025-01-11"), 10_000, 3_226),
            (d("2025-01-11"), d("2025-02-01"), 13_100, 8_874),
        ]
        assert {(e.period_start, e.period_end) for e in ledger.entries} == {
            (d("2025-01-01"), d("2025-02-01"))
        }

    def test_price_change_mid_period_after_billing(self):
        t = Timeline(d("2025-01-01"))
        ledger = FakeLedger()
        (january,) = ledger.bill(t.schedule(), d("2025-01-01"))
        change = t.price(d("2025-01-11"), 13_100)
        posted = ledger.bill(t.schedule(), d("2025-01-05"), scope=Scope.BILLED, cause=change.id)
        assert [(e.kind, e.service_start, e.service_end, e.amount, e.credits) for e in posted] == [
            (EntryKind.CREDIT, d("2025-01-11"), d("2025-02-01"), -6_774, january.id),
            (EntryKind.CHARGE, d("2025-01-11"), d("2025-02-01"), 8_874, None),
        ]
        assert ledger.total == 3_226 + 8_874

    def test_licence_change_mid_period(self):
        # 3 → 5 licences of 1000 from Jan 11: R(3000·10/31) = R(967.7) = 968;
        # 5000 − R(5000·10/31) = 5000 − R(1612.9) = 3387.
        t = Timeline(d("2025-01-01"), unit_amount=1_000, quantity=3)
        t.quantity(d("2025-01-11"), 5)
        ledger = FakeLedger()
        ledger.bill(t.schedule(), d("2025-01-01"))
        assert [(e.quantity, e.period_amount, e.amount) for e in ledger.entries] == [
            (3, 3_000, 968),
            (5, 5_000, 3_387),
        ]

    def test_changes_recorded_out_of_order(self):
        # Recorded: 200 from Mar 1, then 150 from Feb 1. Feb bills 150, Mar bills 200.
        t = Timeline(d("2025-01-01"), unit_amount=100)
        t.price(d("2025-03-01"), 200)
        t.price(d("2025-02-01"), 150)
        ledger = FakeLedger()
        run_bill_runs(ledger, t, "2025-01-01", "2025-02-01", "2025-03-01")
        assert [e.amount for e in ledger.entries] == [100, 150, 200]

    def test_change_recorded_late_but_effective_earlier_corrects_billed_periods(self):
        t = Timeline(d("2025-01-01"), unit_amount=100)
        t.price(d("2025-03-01"), 200)
        ledger = FakeLedger()
        run_bill_runs(ledger, t, "2025-01-01", "2025-02-01", "2025-03-01")
        assert [e.amount for e in ledger.entries] == [100, 100, 200]
        t.price(d("2025-02-01"), 150)  # recorded now, effective Feb 1: March stays 200
        posted = ledger.bill(t.schedule(), d("2025-03-02"), scope=Scope.BILLED)
        assert [(e.period_start, e.amount) for e in posted] == [
            (d("2025-02-01"), -100),
            (d("2025-02-01"), 150),
        ]


class TestInArrears:
    def test_a_period_is_billed_once_it_has_ended(self):
        t = Timeline(d("2025-01-01"), billing_timing="in_arrears")
        ledger = FakeLedger()
        assert ledger.bill(t.schedule(), d("2025-01-31")) == []
        (january,) = ledger.bill(t.schedule(), d("2025-02-01"))
        assert (january.period_start, january.amount) == (d("2025-01-01"), 10_000)

    def test_a_period_cut_short_is_billed_on_the_end_date(self):
        t = Timeline(d("2025-01-01"), billing_timing="in_arrears")
        t.cancel(d("2025-03-15"))
        ledger = FakeLedger()
        run_bill_runs(ledger, t, "2025-02-01", "2025-03-01", "2025-03-14")
        assert ledger.total == 20_000
        (last,) = ledger.bill(t.schedule(), d("2025-03-15"))
        assert (last.service_start, last.service_end, last.amount) == (
            d("2025-03-01"), d("2025-03-15"), 4_516
        )
        assert ledger.bill(t.schedule(), d("2025-05-01")) == []


class TestOneOffs:
    def test_one_off_is_billed_on_its_delivery_date(self):
        t = Timeline(d("2025-01-01"))
        ev = t.one_off(d("2025-02-10"), 79_500, 2)
        ledger = FakeLedger()
        ledger.bill(t.schedule(), d("2025-02-09"))
        assert [e for e in ledger.entries if e.kind is EntryKind.ONE_OFF] == []
        posted = ledger.bill(t.schedule(), d("2025-02-10"), scope=Scope.BILLED)
        (one,) = posted
        assert (one.kind, one.item, one.service_start, one.amount, one.event_id) == (
            EntryKind.ONE_OFF, f"one_off:{ev.id}", d("2025-02-10"), 159_000, ev.id
        )
        assert ledger.bill(t.schedule(), d("2025-03-01"), scope=Scope.BILLED) == []

    def test_one_off_in_arrears_too(self):
        t = Timeline(d("2025-01-01"), billing_timing="in_arrears")
        t.one_off(d("2025-01-05"), 500)
        ledger = FakeLedger()
        assert spans(ledger.bill(t.schedule(), d("2025-01-05"))) == [
            (d("2025-01-05"), d("2025-01-06"), 500)
        ]


class TestAddOns:
    def test_add_on_is_prorated_on_the_main_grid(self):
        # 620 per month from Jan 11 (21 of 31 days): 620 − R(620·10/31) = 620 − 200 = 420.
        t = Timeline(d("2025-01-01"))
        t.attach_addon(d("2025-01-11"), "sms", 620)
        ledger = FakeLedger()
        ledger.bill(t.schedule(), d("2025-01-11"))
        assert spans(ledger.charges("addon:sms")) == [(d("2025-01-11"), d("2025-02-01"), 420)]


    def test_re_attaching_an_add_on_keeps_what_the_first_attachment_billed(self):
        # The service keys add-ons by code: attach sms, detach it, attach sms again.
        t = Timeline(d("2025-01-01"))
        t.attach_addon(d("2025-01-01"), "sms", 620)
        t.detach_addon(d("2025-03-01"), "sms")
        ledger = FakeLedger()
        run_bill_runs(ledger, t, "2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01")
        assert sum(e.amount for e in ledger.charges("addon:sms")) == 1_240
        t.attach_addon(d("2025-05-11"), "sms", 620)
        assert ledger.bill(t.schedule(), d("2025-04-15"), scope=Scope.BILLED) == []  # was -1240
        posted = ledger.bill(t.schedule(), d("2025-05-11"))
        # [May 11, Jun 1) of 31 days: 620 − R(620·10/31) = 420
        assert [(e.item, e.service_start, e.amount) for e in posted if e.item != MAIN_ITEM] == [
            ("addon:sms", d("2025-05-11"), 420)
        ]
        assert ledger.credits() == []


class TestDocumentsOfAChange:
    def test_billed_scope_leaves_unbilled_periods_to_bill_runs(self):
        t = Timeline(d("2025-01-01"))
        ledger = FakeLedger()
        ledger.bill(t.schedule(), d("2025-01-01"))
        t.price(d("2025-01-20"), 20_000)
        posted = ledger.bill(t.schedule(), d("2025-03-01"), scope=Scope.BILLED)
        assert {e.period_start for e in posted} == {d("2025-01-01")}

    def test_billing_twice_posts_nothing(self):
        t = Timeline(d("2025-01-01"))
        t.pause(d("2025-01-10"), d("2025-02-20"))
        t.price(d("2025-03-05"), 12_345)
        ledger = FakeLedger()
        ledger.bill(t.schedule(), d("2025-04-01"))
        assert difference(t.schedule(), ledger.entries, as_of=d("2025-04-01")) == []
        # an earlier as_of never credits what was rightly billed
        assert difference(t.schedule(), ledger.entries, as_of=d("2025-01-01")) == []

    def test_ledger_equals_target(self):
        t = Timeline(d("2025-01-01"))
        t.price(d("2025-01-20"), 20_000)
        ledger = FakeLedger()
        ledger.bill(t.schedule(), d("2025-02-01"))
        keys = {e.key for e in ledger.entries}
        target = target_pieces(t.schedule(), as_of=d("2025-02-01"), posted_keys=keys)
        assert target_total(target) == ledger.total
        assert all(key[0] == MAIN_ITEM for key in target)
