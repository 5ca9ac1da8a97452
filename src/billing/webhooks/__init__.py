"""Webhooks: the event feed pushed to registered endpoints, signed, in order, at least once."""
