"""Usage: events reported by the service the customer uses, aggregated and billed by metric."""
