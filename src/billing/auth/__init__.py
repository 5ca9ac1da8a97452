"""API keys and the three roles: staff, integration, portal (bound to one customer)."""
