"""Money choices: what a change does to the period under way, and what unused paid time becomes.

Both are chosen per change (staff) with a default on the plan, and recorded on the event that
carries them, so that re-deriving the ledger later makes the same choice again.
"""

from __future__ import annotations

from enum import StrEnum


class Proration(StrEnum):
    """How a price, licence, plan or interval change treats the period it falls in."""

    #: New terms from the effective date; the period under way is prorated by day.
    BY_DAY = "by_day"
    #: The change takes effect at the next period start (the timeline keeps the asked date).
    FROM_NEXT_PERIOD = "from_next_period"
    #: New terms from the date, but the period under way is neither charged nor credited:
    #: billing follows from the next period.
    NONE = "none"


class Unused(StrEnum):
    """What paid time that is given back (a cancellation, a pause, a reduction) becomes."""

    #: A credit note against the invoice that billed it; what it gives back beyond what is owed
    #: on that invoice (it was paid) is kept as customer credit, as with ``balance``.
    CREDIT_NOTE = "credit_note"
    #: The credit note, and a refund of what was paid for it (never more than was paid).
    REFUND = "refund"
    #: The credit note, and customer credit that later invoices consume first.
    BALANCE = "balance"
    #: Nothing is given back: the customer keeps paying for the period under way.
    NONE = "none"


class Collect(StrEnum):
    """When a terms change's difference on periods already billed is invoiced."""

    #: At once, on the change's own documents (a credit note per corrected invoice, an
    #: invoice for what is charged anew).
    NOW = "now"
    #: On the next bill run's documents, with the next period and every other change waiting:
    #: many changes in a month make one invoice (and a credit note per corrected invoice)
    #: instead of documents for each (Stripe's ``create_prorations``).
    NEXT_INVOICE = "next_invoice"


class CancelMode(StrEnum):
    """How a cancellation request names its end date (api-contract.md)."""

    IMMEDIATELY = "immediately"
    END_OF_PERIOD = "end_of_period"
    ON_DATE = "on_date"
    EARLIEST_ALLOWED = "earliest_allowed"
