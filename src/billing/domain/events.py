"""The timeline's vocabulary: one frozen payload class per event kind, with every field named.

An :class:`Event` is what was recorded (who, when, why, its effective date, its place in the
recording order) around one *payload*: the facts of that kind of event. The payload classes are
the only shape an event has; storage, the bill run, documents, the console and the feed all
read and write them through :mod:`billing.domain.codec`, so a field added here is added for
every reader, and a kind without a reader fails a test (``tests/domain/test_events.py``).

Amounts are integer minor units; ``price_months`` is how many months a unit amount pays for
(a yearly price on a monthly invoice interval is 12); dates are calendar dates in the
customer's time zone; an effective date takes effect at 00:00 that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from billing.domain.choices import CancelMode, Collect, Proration, Unused
from billing.domain.vat import TaxCategory


class EventType(StrEnum):
    STARTED = "started"
    PRICE_CHANGED = "price_changed"
    QUANTITY_CHANGED = "quantity_changed"
    INTERVAL_CHANGED = "interval_changed"
    PLAN_CHANGED = "plan_changed"
    START_POSTPONED = "start_postponed"
    PAUSED = "paused"
    RESUMED = "resumed"
    CANCELLATION_SCHEDULED = "cancellation_scheduled"
    CANCELLATION_MOVED = "cancellation_moved"
    CANCELLATION_REVOKED = "cancellation_revoked"
    ADDON_ATTACHED = "addon_attached"
    ADDON_DETACHED = "addon_detached"
    ONE_OFF_DELIVERED = "one_off_delivered"
    SETUP_FEE_WAIVED = "setup_fee_waived"
    CANCELLATION_VERIFIED = "cancellation_verified"
    RETENTION_OFFER_MADE = "retention_offer_made"
    TERMINATED = "terminated"


class BillingTiming(StrEnum):
    IN_ADVANCE = "in_advance"
    IN_ARREARS = "in_arrears"


@dataclass(frozen=True, slots=True)
class ContractOverride:
    """A subscription's own contract terms, in place of its plan's."""

    term_months: int = 36
    minimum_term_months: int = 12
    #: None: the versioned notice rules decide (3, then 6 months).
    notice_months: int | None = None
    renewal_months: int = 12
    auto_renew: bool = True
    four_eyes: bool = False


@dataclass(frozen=True, slots=True)
class Started:
    """The subscription starts on the effective date (its delivery start) on these terms."""

    KIND: ClassVar[EventType] = EventType.STARTED
    unit_amount: int
    quantity: int
    #: The months ``unit_amount`` pays for.
    price_months: int
    #: The invoice interval in months.
    interval_months: int
    plan_id: str | None = None
    billing_timing: BillingTiming = BillingTiming.IN_ADVANCE
    #: The day of the month periods are anchored on; None: the start date's day.
    anchor_day: int | None = None
    #: A start-up fee billed with the first period (0: none).
    setup_fee_amount: int = 0
    contract: ContractOverride | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class _MoneyChoices:
    """What a terms change does to the period it falls in (recorded with the change)."""

    proration: Proration | None = None
    unused: Unused | None = None
    #: When its difference on billed periods is invoiced (None: at once, as before the choice).
    collect: Collect | None = None
    #: The date staff asked for, when the proration moved the change to a period start.
    requested_date: date | None = None
    #: Proration "none": billed on the new terms only from this date (the next period).
    billing_from: date | None = None


@dataclass(frozen=True, slots=True)
class PriceChanged(_MoneyChoices):
    """The unit amount changes from the effective date until the next price change."""

    KIND: ClassVar[EventType] = EventType.PRICE_CHANGED
    unit_amount: int


@dataclass(frozen=True, slots=True)
class PlanChanged(_MoneyChoices):
    """The subscription moves to another plan (of the same currency) and its price."""

    KIND: ClassVar[EventType] = EventType.PLAN_CHANGED
    plan_id: str
    unit_amount: int
    price_months: int


@dataclass(frozen=True, slots=True)
class QuantityChanged(_MoneyChoices):
    """The number of licences changes from the effective date."""

    KIND: ClassVar[EventType] = EventType.QUANTITY_CHANGED
    quantity: int


@dataclass(frozen=True, slots=True)
class IntervalChanged(_MoneyChoices):
    """The invoice interval changes: a new period grid on the same anchor from the date."""

    KIND: ClassVar[EventType] = EventType.INTERVAL_CHANGED
    interval_months: int


@dataclass(frozen=True, slots=True)
class StartPostponed:
    """The delivery start moves to the effective date (before the subscription has started)."""

    KIND: ClassVar[EventType] = EventType.START_POSTPONED


@dataclass(frozen=True, slots=True)
class Paused:
    """Service stops from the effective date until ``resume_date`` or a resumed event."""

    KIND: ClassVar[EventType] = EventType.PAUSED
    resume_date: date | None = None
    unused: Unused | None = None
    #: "unused": "none": the pause comes off the bill only from this date (the next period).
    billing_from: date | None = None


@dataclass(frozen=True, slots=True)
class Resumed:
    """Service starts again on the effective date, ending the latest pause begun before it."""

    KIND: ClassVar[EventType] = EventType.RESUMED
    pause_event_id: str | None = None


@dataclass(frozen=True, slots=True)
class CancellationScheduled:
    """The subscription ends on the effective date (the first day not served)."""

    KIND: ClassVar[EventType] = EventType.CANCELLATION_SCHEDULED
    end_date: date | None = None
    mode: CancelMode | None = None
    #: The day notice was given (the contract rules count from it).
    requested_on: date | None = None
    #: Whether a competitor made the customer an offer, and what.
    competitor_offer: bool | None = None
    competitor_details: str | None = None
    #: The manager who approved an end before the contract allows it.
    approved_by: str | None = None
    #: The end date this one replaces (a move).
    previous_end_date: date | None = None
    #: Four eyes: not final, nor billed, until another staff member verifies it.
    requires_verification: bool = False
    unused: Unused | None = None


@dataclass(frozen=True, slots=True)
class CancellationMoved(CancellationScheduled):
    """The end date moves to the effective date (same facts as a cancellation)."""

    KIND: ClassVar[EventType] = EventType.CANCELLATION_MOVED


@dataclass(frozen=True, slots=True)
class CancellationRevoked:
    """Undo: the cancellations in force are revoked; the subscription runs on."""

    KIND: ClassVar[EventType] = EventType.CANCELLATION_REVOKED
    revoked_end_date: date | None = None
    #: Revoked because the customer took a retention offer.
    by_retention_offer: bool = False


@dataclass(frozen=True, slots=True)
class CancellationVerified:
    """Four eyes: a second staff member verifies the pending cancellation ``verifies``."""

    KIND: ClassVar[EventType] = EventType.CANCELLATION_VERIFIED
    verifies: str


@dataclass(frozen=True, slots=True)
class AddonAttached:
    """An add-on of the plan is billed from the effective date on these terms."""

    KIND: ClassVar[EventType] = EventType.ADDON_ATTACHED
    addon_key: str
    unit_amount: int
    code: str | None = None
    name: str | None = None
    quantity: int = 1
    #: None: the months of the main item's price.
    price_months: int | None = None
    #: Included in the plan (a retention offer may attach it at no cost).
    included: bool = False


@dataclass(frozen=True, slots=True)
class AddonDetached:
    """The add-on ``addon_key`` is no longer billed from the effective date."""

    KIND: ClassVar[EventType] = EventType.ADDON_DETACHED
    addon_key: str


@dataclass(frozen=True, slots=True)
class OneOffDelivered:
    """A one-off charge for something delivered on the effective date."""

    KIND: ClassVar[EventType] = EventType.ONE_OFF_DELIVERED
    unit_amount: int
    quantity: int = 1
    description: str = ""
    #: Its VAT category (a health check may be exempt while the licence is not); None: the
    #: plan's.
    tax_category: TaxCategory | None = None


@dataclass(frozen=True, slots=True)
class SetupFeeWaived:
    """The start-up fee is not billed (a retention offer)."""

    KIND: ClassVar[EventType] = EventType.SETUP_FEE_WAIVED


@dataclass(frozen=True, slots=True)
class RetentionOfferMade:
    """What staff offered a leaving customer; its changes follow as their own events."""

    KIND: ClassVar[EventType] = EventType.RETENTION_OFFER_MADE
    offered_by: str
    effective_date: date | None = None
    interval_months: int | None = None
    postpone_start_to: date | None = None
    attach_addon: str | None = None
    waive_setup_fee: bool = False
    unit_amount: int | None = None
    quantity: int | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Terminated:
    """The end date has come: the scheduler notes that the subscription is terminated."""

    KIND: ClassVar[EventType] = EventType.TERMINATED
    by: str = "scheduler"


Payload = (
    Started
    | PriceChanged
    | PlanChanged
    | QuantityChanged
    | IntervalChanged
    | StartPostponed
    | Paused
    | Resumed
    | CancellationScheduled
    | CancellationRevoked
    | CancellationVerified
    | AddonAttached
    | AddonDetached
    | OneOffDelivered
    | SetupFeeWaived
    | RetentionOfferMade
    | Terminated
)

#: Each kind's payload class (CancellationMoved is a CancellationScheduled with its own kind).
PAYLOAD_CLASSES: dict[EventType, type[Payload]] = {
    cls.KIND: cls
    for cls in (
        Started,
        PriceChanged,
        PlanChanged,
        QuantityChanged,
        IntervalChanged,
        StartPostponed,
        Paused,
        Resumed,
        CancellationScheduled,
        CancellationMoved,
        CancellationRevoked,
        CancellationVerified,
        AddonAttached,
        AddonDetached,
        OneOffDelivered,
        SetupFeeWaived,
        RetentionOfferMade,
        Terminated,
    )
}

TermsChange = PriceChanged | PlanChanged | QuantityChanged | IntervalChanged


@dataclass(frozen=True, slots=True)
class Event:
    """One recorded event: its payload, when it takes effect, and who recorded it when and why.

    ``seq`` is the recording order within the subscription; events with the same effective
    date apply in that order.
    """

    id: str
    seq: int
    effective_date: date
    recorded_at: datetime
    recorded_by: str
    payload: Payload
    reason: str | None = None

    @property
    def type(self) -> EventType:
        return self.payload.KIND
