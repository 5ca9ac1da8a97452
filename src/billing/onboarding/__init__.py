"""The onboarding pipeline per subscription (rules in :mod:`billing.domain.onboarding`)."""
