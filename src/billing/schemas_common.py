"""Strict field types shared by every request schema (api-contract.md, "Bounds").

Integers are strict: ``"12"``, ``12.5``, ``1e3`` and ``true`` are not amounts. Dates are real
calendar dates between 1900-01-01 and 2199-12-31. Unknown fields are refused.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    model_validator,
)

from billing.domain.bounds import MAX_QUANTITY
from billing.domain.calendar import MAX_DATE, MIN_DATE, validate_timezone
from billing.domain.errors import DomainError
from billing.domain.money import MAX_AMOUNT, validate_currency


def _day(value: object) -> object:
    """Only ``YYYY-MM-DD`` strings are dates (no timestamps, no datetimes, no numbers)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise ValueError("dates are YYYY-MM-DD strings")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value} is not a calendar date") from exc


#: ISO 4217 codes that are not money anyone is billed in: "no currency" and testing (XXX, XTS),
#: precious metals, bond-market and fund units. Babel knows them, so they pass its check.
NOT_BILLABLE = frozenset("XXX XTS XAU XAG XPD XPT XBA XBB XBC XBD XDR XSU XUA XFO XFU XRE".split())


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return _no_control(value)


@lru_cache(maxsize=16)
def _controls(allowed: str) -> re.Pattern[str]:
    """One character class of the control characters (C0, DEL, C1) but ``allowed``."""
    chars = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if chr(c) not in allowed]
    return re.compile("[" + "".join(re.escape(ch) for ch in chars) + "]")


def has_control(value: str, *, allowed: str = "") -> bool:
    """Whether ``value`` holds a control character (C0, DEL or C1) other than ``allowed``."""
    return _controls(allowed).search(value) is not None


def _no_control(value: str) -> str:
    """api-contract.md: no string holds NUL or another control character."""
    if has_control(value):
        raise ValueError("must not contain control characters")
    return value


def _free_text(value: str) -> str:
    """Free text may hold tabs and line breaks, nothing else of the control characters."""
    if has_control(value, allowed="\t\n"):
        raise ValueError("must not contain control characters other than tab and newline")
    return value


def _currency(value: str) -> str:
    if value in NOT_BILLABLE:
        raise ValueError(f"{value!r} is not a currency anyone is billed in")
    try:
        return validate_currency(value)
    except DomainError as exc:
        raise ValueError(exc.detail) from exc


def _timezone(value: str) -> str:
    try:
        return validate_timezone(value)
    except DomainError as exc:
        raise ValueError(exc.detail) from exc


def _locale(value: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(value)
    except (ValueError, UnknownLocaleError) as exc:
        raise ValueError(f"{value!r} is not a known locale") from exc
    return value


Amount = Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT)]
Quantity = Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)]
Name = Annotated[StrictStr, Field(min_length=1, max_length=200), AfterValidator(_not_blank)]
PositiveAmount = Annotated[StrictInt, Field(ge=1, le=MAX_AMOUNT)]
Text = Annotated[StrictStr, Field(max_length=2000), AfterValidator(_free_text)]
Currency = Annotated[StrictStr, AfterValidator(_currency)]
Timezone = Annotated[StrictStr, Field(max_length=64), AfterValidator(_timezone)]
LocaleName = Annotated[StrictStr, Field(max_length=20), AfterValidator(_locale)]
Day = Annotated[date, BeforeValidator(_day), Field(ge=MIN_DATE, le=MAX_DATE)]
Months = Annotated[StrictInt, Field(ge=1, le=120)]


class Request(BaseModel):
    """Base of request bodies: strict, unknown fields refused."""

    # Strictness is per field (StrictInt, StrictStr, StrictBool, Day): model-wide strict mode
    # would refuse ISO date strings, since FastAPI validates decoded JSON in Python mode.
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_control_anywhere(cls, data: object) -> object:
        """Every string of a body, at any depth and keys included, is free of control
        characters but tab and newline: the floor under the stricter field types (Name), so
        that no field typed plain ``str`` lets NUL reach the database."""
        bad = _first_control(data)
        if bad is not None:
            raise ValueError(f"{bad} must not contain control characters")
        return data


def _first_control(value: object, where: str = "a string") -> str | None:
    """Where in decoded JSON ``value`` a string holds a control character other than tab and
    newline, if one does."""
    if isinstance(value, str):
        return where if has_control(value, allowed="\t\n") else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _first_control(key, "a key") or _first_control(item, f"{key!s:.40}")
            if found is not None:
                return found
    elif isinstance(value, list):
        for item in value:
            found = _first_control(item, where)
            if found is not None:
                return found
    return None


class Response(BaseModel):
    model_config = ConfigDict(from_attributes=True)
