"""The activity log: who did what through the API, append-only, per customer and overall."""
