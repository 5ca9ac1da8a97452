"""Proration: pay for the days served, exactly.

A period is one anchored period ``[s, e)`` of ``L = e − s`` calendar days. With ``P`` the
full-period amount, the amount for the served days ``[a, b)`` inside it is

    R(P × (b − s) / L) − R(P × (a − s) / L)

with ``R`` the product's one rounding rule (half up, :func:`billing.domain.money.round_half_up`).
This *cumulative* rounding makes the pieces of a period add up to ``P`` to the last minor unit,
in any order and any number of pieces, and makes a credit for some days equal to what those
days were charged (domain.md, "Proration"). Every charge and every credit is computed here.
"""

from __future__ import annotations

from datetime import date

from billing.domain.money import round_half_up


def cumulative_amount(period_amount: int, *, days_from_start: int, period_days: int) -> int:
    """``R(P × days_from_start / L)``: what the first ``days_from_start`` days are worth."""
    if days_from_start == period_days:
        return period_amount
    if days_from_start == 0:
        return 0
    return round_half_up(period_amount * days_from_start, period_days)


def served_amount(
    period_amount: int,
    *,
    period_start: date,
    period_end: date,
    served_start: date,
    served_end: date,
) -> int:
    """The amount for the served days ``[served_start, served_end)`` of the period.

    The period is ``[period_start, period_end)``.
    """
    s = period_start.toordinal()
    length = period_end.toordinal() - s
    a = served_start.toordinal() - s
    b = served_end.toordinal() - s
    if not 0 <= a <= b <= length:
        raise ValueError("served days must lie inside the period")
    return prorate_days(period_amount, length, a, b)


def prorate_days(period_amount: int, period_days: int, a: int, b: int) -> int:
    """The same rule on day offsets from the period start (the hot-loop form)."""
    if a == 0 and b == period_days:
        return period_amount
    return cumulative_amount(
        period_amount, days_from_start=b, period_days=period_days
    ) - cumulative_amount(period_amount, days_from_start=a, period_days=period_days)
