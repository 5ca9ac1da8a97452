"""One-off orders, invoiced on delivery (rules in :mod:`billing.domain.orders`)."""
