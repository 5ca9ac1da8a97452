"""Plans: what a subscription costs per interval, how it is billed, and its contract terms."""
