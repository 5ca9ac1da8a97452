"""billing: subscription billing and proration on one timeline and one append-only ledger."""

__version__ = "0.1.0"
