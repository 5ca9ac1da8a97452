"""Usage: billable metrics, how events aggregate into a quantity, and what a quantity costs.

A **usage event** is one fact the customer's use produced (a health check held, a login to the
digital service): a metric code, an integer ``quantity`` (0 or more), the local calendar day it
occurred on and, optionally, properties. A plan's **metric** (:class:`Metric`) says how events
aggregate over a stretch of days (:class:`Aggregation`):

* ``count``: how many events; ``sum``: the sum of their quantities; ``max``: the largest
  quantity (0 without events); ``unique_count``: how many distinct values of the property
  ``property`` the events carry (events without it count for nothing);

over what the quantity is counted (:class:`Reset`): each **billing period**, or each **contract
year** (12 months from the subscription's start, on its day of the month, clamped);

and what the quantity costs: the first ``included`` units are free, the rest are priced by
``tiers`` (each ``up_to`` units of what is above ``included``, the last one open) or, without
tiers, at ``unit_amount`` each. **Graduated** tiers price each unit at the tier it falls in;
**volume** tiers price every unit at the tier the whole billable quantity reaches.

Over a contract year, a billing period is charged what its usage *adds* to the year: the units
from the year's aggregate at the period's start to its aggregate at the period's end, priced at
the tiers those positions fall in (:func:`price_lines` with ``before``). So the periods of a
year add up to what the whole year costs, and the included units are used up by the first
periods' events. Volume tiers re-price earlier units when a later one crosses a tier, so they
are per billing period only (:class:`InvalidMetric` ``usage_volume_per_year``).

Amounts are integer minor units: a line is ``quantity × unit_amount``, no rounding anywhere.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple

from billing.domain.entries import USAGE_PREFIX
from billing.domain.errors import InvalidInput
from billing.domain.vat import TaxCategory


class InvalidMetric(InvalidInput, code="invalid_metric"):
    """A metric definition that cannot be billed as it says."""


class Aggregation(StrEnum):
    COUNT = "count"
    SUM = "sum"
    MAX = "max"
    UNIQUE_COUNT = "unique_count"


class Reset(StrEnum):
    """What a metric's quantity (and its included units) is counted over."""

    BILLING_PERIOD = "billing_period"
    CONTRACT_YEAR = "contract_year"


class TierMode(StrEnum):
    GRADUATED = "graduated"
    VOLUME = "volume"


@dataclass(frozen=True, slots=True)
class Tier:
    """Units up to ``up_to`` (of the billable quantity; None: no limit) cost ``unit_amount``."""

    up_to: int | None
    unit_amount: int


@dataclass(frozen=True, slots=True)
class Metric:
    """One billable metric of a plan (see the module docstring)."""

    code: str
    name: str
    aggregation: Aggregation = Aggregation.COUNT
    #: ``unique_count``: the property whose distinct values are counted.
    property_key: str | None = None
    reset: Reset = Reset.BILLING_PERIOD
    #: Units free of charge per billing period or contract year.
    included: int = 0
    #: The price of each unit above ``included`` when there are no tiers.
    unit_amount: int = 0
    tiers: tuple[Tier, ...] = ()
    tier_mode: TierMode = TierMode.GRADUATED
    #: Its VAT category; None: the plan's.
    tax_category: TaxCategory | None = None

    def __post_init__(self) -> None:
        if (self.aggregation is Aggregation.UNIQUE_COUNT) != (self.property_key is not None):
            raise InvalidMetric(
                f"metric {self.code}: a property is named by unique_count metrics, and only them"
            )
        if self.tiers:
            limits = [t.up_to for t in self.tiers]
            if limits[-1] is not None or any(x is None for x in limits[:-1]):
                raise InvalidMetric(f"metric {self.code}: only the last tier is open (up_to null)")
            bounded = [x for x in limits if x is not None]
            if any(x <= 0 for x in bounded) or bounded != sorted(set(bounded)):
                raise InvalidMetric(f"metric {self.code}: tiers' up_to are positive, increasing")
            if self.unit_amount:
                raise InvalidMetric(f"metric {self.code}: unit_amount or tiers, not both")
        if self.tier_mode is TierMode.VOLUME and self.reset is Reset.CONTRACT_YEAR:
            raise InvalidMetric(
                f"metric {self.code}: volume tiers are per billing period (a later unit would "
                "re-price the year's earlier ones)",
                code="usage_volume_per_year",
            )

    @property
    def price_tiers(self) -> tuple[Tier, ...]:
        """The tiers of the billable quantity (above ``included``)."""
        return self.tiers or (Tier(None, self.unit_amount),)

    @property
    def max_unit_amount(self) -> int:
        return max(t.unit_amount for t in self.price_tiers)

    def item(self, tier: int) -> str:
        """The ledger item of its tier ``tier`` (1-based): ``usage:<code>:<tier>``."""
        return f"{USAGE_PREFIX}{self.code}:{tier}"


def parse_item(item: str) -> tuple[str, int] | None:
    """``(metric code, tier)`` of a usage item, None for any other item."""
    if not item.startswith(USAGE_PREFIX):
        return None
    code, _, tier = item[len(USAGE_PREFIX) :].rpartition(":")
    return code, int(tier)


class Sample(NamedTuple):
    """One event as aggregation sees it: its local day, quantity and the counted property's
    value (``unique_count``; None: the event does not carry it)."""

    day: date
    quantity: int
    value: str | None = None


def aggregate(metric: Metric, samples: Iterable[Sample]) -> int:
    """The quantity of ``samples`` under the metric's aggregation."""
    how = metric.aggregation
    if how is Aggregation.COUNT:
        return sum(1 for _ in samples)
    if how is Aggregation.SUM:
        return sum(s.quantity for s in samples)
    if how is Aggregation.MAX:
        return max((s.quantity for s in samples), default=0)
    return len({s.value for s in samples if s.value is not None})


class Line(NamedTuple):
    """A priced part of a quantity: ``quantity`` units of tier ``tier`` (1-based)."""

    tier: int
    quantity: int
    unit_amount: int

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_amount


def price_lines(metric: Metric, quantity: int, *, before: int = 0) -> list[Line]:
    """What the units from position ``before`` to ``quantity`` cost, tier by tier (graduated),
    or (volume, ``before`` 0) all billable units at the tier their number reaches. Units within
    ``included`` cost nothing and make no line; lines of zero units are left out."""
    if quantity < before:
        raise ValueError("an aggregate never goes down within what it is counted over")
    lo = max(before - metric.included, 0)
    hi = max(quantity - metric.included, 0)
    if hi == lo:
        return []
    tiers = metric.price_tiers
    if metric.tier_mode is TierMode.VOLUME:
        if before:
            raise ValueError("volume tiers price a whole billing period at once")
        for i, t in enumerate(tiers, start=1):
            if t.up_to is None or hi <= t.up_to:
                return [Line(i, hi, t.unit_amount)]
    out: list[Line] = []
    floor = 0
    for i, t in enumerate(tiers, start=1):
        ceiling = t.up_to
        a = max(lo, floor)
        b = hi if ceiling is None else min(hi, ceiling)
        if b > a:
            out.append(Line(i, b - a, t.unit_amount))
        if ceiling is None or hi <= ceiling:
            break
        floor = ceiling
    return out


def cost(metric: Metric, quantity: int, *, before: int = 0) -> int:
    """The amount of :func:`price_lines`."""
    return sum(line.amount for line in price_lines(metric, quantity, before=before))


# -- the plan's stored definitions ------------------------------------------------------------


def metric_from_dict(data: Mapping[str, Any]) -> Metric:
    """A metric as a plan stores it (its JSON), checked as when it was made."""
    category = data.get("tax_category")
    return Metric(
        code=str(data["code"]),
        name=str(data.get("name") or data["code"]),
        aggregation=Aggregation(data.get("aggregation", "count")),
        property_key=data.get("property"),
        reset=Reset(data.get("reset", "billing_period")),
        included=int(data.get("included", 0)),
        unit_amount=int(data.get("unit_amount", 0)),
        tiers=tuple(
            Tier(None if t.get("up_to") is None else int(t["up_to"]), int(t["unit_amount"]))
            for t in data.get("tiers") or ()
        ),
        tier_mode=TierMode(data.get("tier_mode", "graduated")),
        tax_category=TaxCategory(category) if category else None,
    )


def metrics_of(stored: Sequence[Mapping[str, Any]] | None) -> dict[str, Metric]:
    """A plan's metrics by code."""
    return {m.code: m for m in (metric_from_dict(d) for d in stored or ())}
