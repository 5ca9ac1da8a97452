"""Bill runs: bring every subscription's ledger in line with its timeline up to a date."""
