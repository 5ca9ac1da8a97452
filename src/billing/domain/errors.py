"""Domain errors: a broken business rule, named by a machine-readable code.

The HTTP layer maps each code to a problem+json response; the code is what integrators match on.

An error is declared once, its code and HTTP status as class keywords:
``class AlreadyEnded(DomainError, code="already_ended", status=409): ...``. A subclass names
its own code and keeps its parent's status unless it names another. Declaring them any other
way (class attributes) is refused when the class is defined, as are a code that is not
``snake_case`` and a status outside 400-499. One raise may name a more precise code than its
class's (``Conflict("...", code="task_closed")``).
"""

from __future__ import annotations

import re
from typing import Any

_CODE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


class DomainError(Exception):
    """A business rule refused the request. ``code`` names the rule; ``status`` is the HTTP
    status the API answers with."""

    code = "domain_error"
    status = 422

    def __init_subclass__(cls, *, code: str, status: int | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__ or "status" in cls.__dict__:
            raise TypeError(f"{cls.__name__}: declare code and status as class keywords")
        cls.code = _checked_code(code)
        if status is not None:
            cls.status = _checked_status(status)

    def __init__(self, detail: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = _checked_code(code)
        if status is not None:
            self.status = _checked_status(status)


def _checked_code(code: str) -> str:
    if not _CODE.fullmatch(code):
        raise ValueError(f"an error code is snake_case, not {code!r}")
    return code


def _checked_status(status: int) -> int:
    if not 400 <= status <= 499:
        raise ValueError(f"a refused request is answered with a 4xx status, not {status}")
    return status


class InvalidInput(DomainError, code="validation_error", status=422): ...


class UnknownCurrency(InvalidInput, code="unknown_currency"): ...


class AlreadyEnded(DomainError, code="already_ended", status=409): ...


class InvalidTimeline(DomainError, code="invalid_timeline", status=409):
    """The requested event does not fit the timeline (e.g. resume without a pause)."""
