"""Late payment by law: reminder fees, compensation and interest on overdue invoices.

The law of each country is a **dated table** (:class:`LatePaymentRule`): a row applies from
its ``valid_from`` until the next row of the same country. Staff add a row when a reference
rate changes (half-yearly in all three countries). A row says:

* ``reference_rate`` and ``points`` in hundredths of a percent: the annual interest rate is
  their sum. Sweden (räntelagen 6 §) and Denmark (renteloven § 5) add 8 percentage points
  (``points = 800``) to the Riksbank's reference rate / Nationalbanken's lending rate; Norway's
  rate (forsinkelsesrenteloven § 3) is set whole by the Ministry of Finance, so its rows carry
  it as ``reference_rate`` with ``points = 0``;
* ``reminder_fee``: the fee per reminder, in minor units, never above the statute's cap
  (:data:`STATUTORY_FEE_CAP`: Sweden 60 kr, lag (1981:739) 5 §; Denmark 100 kr, renteloven
  § 9 b). Norway's cap follows the inkasso rules' yearly rate (35 kr since the rules of 2020,
  half the earlier tenth of the *inkassosats*), so it is the row itself;
  ``fee_needs_agreement``: Sweden allows a reminder fee only where it was agreed (the
  customer's reminder setting says so);
* ``max_fees``: how many reminders of one invoice may carry a fee (Norway 2, Denmark 3);
  ``max_reminders``: how many reminders one invoice gets at all (Denmark 3; None: no limit);
* ``grace_days``: the first reminder is due ``grace_days`` after the due date;
  ``spacing_days``: later reminders follow at least that many days after the previous one
  (Denmark 10);
* ``compensation``: the fixed compensation between businesses, once per invoice (Sweden
  450 kr förseningsersättning, lag (1981:739) 4 a §; Norway standardkompensasjon; Denmark
  310 kr, renteloven § 9 b stk. 4).

**Interest**, exactly: on the amount overdue ``A`` (minor units) for ``d`` days at the annual
rate ``r`` (hundredths of a percent) in force on each day, the interest is

    I = R( Σ_segments A × r_i × d_i / (10 000 × 365) )

with ``R`` the one rounding rule, :func:`billing.domain.money.round_half_up` (half away from
zero), applied once to the exact sum of the segments (a segment: the days under one row).
Interest for ``[start, end)`` counts ``(end - start).days`` days: a reminder on day ``T`` for an
invoice due on ``D`` charges the ``T - D`` days late (räntelagen 6 §: interest from the due
date; paid on ``D + 1`` is one day late), and the next reminder only the days since the last.
Always 365 days a year, leap years too: one rule for three countries (Danish practice often
counts 360; the brief's rule is the law's annual rate over 365 days).
Pure: stdlib only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from billing.domain.errors import InvalidInput
from billing.domain.money import MAX_AMOUNT, round_half_up

COUNTRIES = ("SE", "NO", "DK")
#: The statute's cap on one reminder's fee, in minor units (Norway's is the table's row).
STATUTORY_FEE_CAP: dict[str, int] = {"SE": 6000, "DK": 10000}
#: Denmark: at most three reminders carry a fee (renteloven § 9 b stk. 1).
STATUTORY_MAX_FEES: dict[str, int] = {"DK": 3, "NO": 2}
#: Denmark: at least ten days between reminders with a fee (renteloven § 9 b stk. 1).
STATUTORY_MIN_SPACING: dict[str, int] = {"DK": 10}
#: Hundredths of a percent in one (whole) rate: 100 % is 10 000.
RATE_UNIT = 10_000
DAYS_PER_YEAR = 365
#: A sane upper bound on an annual rate (100 %): anything above it is a typing error.
MAX_RATE = 10_000


@dataclass(frozen=True, slots=True)
class LatePaymentRule:
    """One dated row of a country's table (see the module docstring)."""

    country: str
    valid_from: date
    reference_rate: int
    points: int
    reminder_fee: int
    fee_needs_agreement: bool
    max_fees: int | None
    max_reminders: int | None
    grace_days: int
    spacing_days: int
    compensation: int

    @property
    def annual_rate(self) -> int:
        """The interest rate per year, in hundredths of a percent."""
        return self.reference_rate + self.points


def check_country(country: str) -> str:
    if country not in COUNTRIES:
        raise InvalidInput(
            f"{country!r} is not a country with late-payment rules (SE, NO, DK)",
            code="unknown_country",
        )
    return country


def _check_count(name: str, value: int | None, *, low: int = 0, high: int = 366) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{name} must be an integer {low}..{high}", code=f"invalid_{name}")


def validate_rule(rule: LatePaymentRule) -> LatePaymentRule:
    """Refuse a row the law or arithmetic does not allow, naming the rule broken."""
    check_country(rule.country)
    if rule.reference_rate < 0 or rule.points < 0:
        raise InvalidInput("rates are never negative here", code="negative_rate")
    if rule.annual_rate > MAX_RATE:
        raise InvalidInput(f"an annual rate above {MAX_RATE} (100 %)", code="rate_too_high")
    cap = STATUTORY_FEE_CAP.get(rule.country)
    if rule.reminder_fee < 0 or rule.compensation < 0:
        raise InvalidInput("fees are never negative", code="negative_fee")
    if cap is not None and rule.reminder_fee > cap:
        raise InvalidInput(
            f"a reminder fee of {rule.reminder_fee} exceeds the statutory cap {cap} "
            f"({rule.country})",
            code="fee_over_cap",
        )
    if rule.reminder_fee > MAX_AMOUNT or rule.compensation > MAX_AMOUNT:
        raise InvalidInput("amount too large", code="fee_over_cap")
    _check_count("max_fees", rule.max_fees, low=0, high=100)
    _check_count("max_reminders", rule.max_reminders, low=1, high=100)
    _check_count("grace_days", rule.grace_days)
    _check_count("spacing_days", rule.spacing_days)
    most = STATUTORY_MAX_FEES.get(rule.country)
    if most is not None and (rule.max_fees is None or rule.max_fees > most):
        raise InvalidInput(
            f"{rule.country} allows at most {most} reminders with a fee", code="too_many_fees"
        )
    least = STATUTORY_MIN_SPACING.get(rule.country, 0)
    if rule.spacing_days < least:
        raise InvalidInput(
            f"{rule.country} needs at least {least} days between reminders",
            code="spacing_too_short",
        )
    return rule


def rule_on(rules: Sequence[LatePaymentRule], day: date, *, country: str) -> LatePaymentRule:
    """The row of ``country`` in force on ``day``: the latest ``valid_from`` on or before it."""
    found: LatePaymentRule | None = None
    for rule in rules:
        if rule.country == country and rule.valid_from <= day:
            if found is None or rule.valid_from > found.valid_from:
                found = rule
    if found is None:
        raise InvalidInput(
            f"no late-payment rule of {country} on {day.isoformat()}", code="no_late_payment_rule"
        )
    return found


def interest_numerator(
    rules: Sequence[LatePaymentRule], *, country: str, amount: int, start: date, end: date
) -> int:
    """``Σ A × r_i × d_i`` over the days ``[start, end)``, split where a row changes; the
    interest is this over ``RATE_UNIT × DAYS_PER_YEAR``, rounded once."""
    if end <= start or amount <= 0:
        return 0
    changes = sorted(
        r.valid_from for r in rules if r.country == country and start < r.valid_from < end
    )
    total = 0
    cursor = start
    for boundary in [*changes, end]:
        rate = rule_on(rules, cursor, country=country).annual_rate
        total += amount * rate * (boundary - cursor).days
        cursor = boundary
    return total


def late_interest(
    rules: Sequence[LatePaymentRule], *, country: str, amount: int, start: date, end: date
) -> int:
    """The interest on ``amount`` for the days ``[start, end)``, exactly (module docstring)."""
    numerator = interest_numerator(rules, country=country, amount=amount, start=start, end=end)
    return round_half_up(numerator, RATE_UNIT * DAYS_PER_YEAR)


@dataclass(frozen=True, slots=True)
class ReminderCharges:
    """What one reminder bills: its fee, the compensation (first reminder to a business) and
    the interest for ``[interest_from, interest_to)``."""

    fee: int
    compensation: int
    interest: int
    interest_from: date
    interest_to: date
    rate: int


def next_reminder_day(
    rule: LatePaymentRule, *, due_date: date, sent: Sequence[date]
) -> date | None:
    """The first day a further reminder may go: ``grace_days`` after the due date, then
    ``spacing_days`` after the last one; None once ``max_reminders`` went."""
    if rule.max_reminders is not None and len(sent) >= rule.max_reminders:
        return None
    first = due_date + timedelta(days=max(rule.grace_days, 1))
    if not sent:
        return first
    return max(first, max(sent) + timedelta(days=max(rule.spacing_days, 1)))


def reminder_due(
    rule: LatePaymentRule, *, due_date: date, today: date, sent: Sequence[date]
) -> bool:
    """Is a reminder of an invoice due on ``due_date`` due ``today``, ``sent`` having gone?"""
    day = next_reminder_day(rule, due_date=due_date, sent=sent)
    return day is not None and today >= day


def reminder_charges(
    rules: Sequence[LatePaymentRule],
    rule: LatePaymentRule,
    *,
    overdue: int,
    today: date,
    interest_from: date,
    reminders_before: int,
    fee_agreed: bool,
    business: bool,
) -> ReminderCharges:
    """The fee, compensation and interest of the reminder sent ``today`` after
    ``reminders_before`` others, on ``overdue`` still owed since ``interest_from``."""
    fee = rule.reminder_fee
    if rule.fee_needs_agreement and not fee_agreed:
        fee = 0
    if rule.max_fees is not None and reminders_before >= rule.max_fees:
        fee = 0
    compensation = rule.compensation if business and reminders_before == 0 else 0
    interest = late_interest(
        rules, country=rule.country, amount=overdue, start=interest_from, end=today
    )
    return ReminderCharges(
        fee=fee,
        compensation=compensation,
        interest=interest,
        interest_from=interest_from,
        interest_to=max(today, interest_from),
        rate=rule.annual_rate,
    )
