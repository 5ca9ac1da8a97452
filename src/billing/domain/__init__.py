"""The pure domain core: money, calendar, timeline, proration, ledger and contract rules.

Nothing in this package does I/O or imports web or database code; storage, services and
HTTP wrap it from the outside.
"""
