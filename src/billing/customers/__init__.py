"""Customers: who is billed, in which currency, locale and time zone."""
