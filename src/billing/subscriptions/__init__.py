"""Subscriptions: their timelines, and every change staff and the portal make to them."""
