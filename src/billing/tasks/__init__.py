"""Follow-up tasks: opened by the termination routine and onboarding, closed by staff."""
