"""Domain errors: a broken business rule, named by a machine-readable code.

The HTTP layer maps each code to a problem+json response; the code is what integrators match on.
"""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the request. ``code`` names the rule."""

    code = "domain_error"
    status = 422

    def __init__(self, detail: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class InvalidInput(DomainError):
    code = "validation_error"
    status = 422


class UnknownCurrency(InvalidInput):
    code = "unknown_currency"


class AlreadyEnded(DomainError):
    code = "already_ended"
    status = 409


class InvalidTimeline(DomainError):
    """The requested event does not fit the timeline (e.g. resume without a pause)."""

    code = "invalid_timeline"
    status = 409
