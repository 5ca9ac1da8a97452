"""The one JSON codec of event payloads: what storage keeps, the feed sends and the API shows.

A payload is stored as a JSON object of its fields: dates as ISO strings, choices as their
values, a contract override as an object of its own. Every field is written (``null`` where
unset), so a reader never has to guess a missing key. Decoding is strict: a field the kind
does not have, a missing required field or a value of the wrong shape raises
:class:`~billing.domain.errors.InvalidTimeline` instead of reaching the money silently.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any

from billing.domain.errors import InvalidTimeline
from billing.domain.events import PAYLOAD_CLASSES, EventType, Payload

_MISSING = object()


def encode(payload: Payload) -> dict[str, Any]:
    """The payload as a JSON-ready dict (every field, ``None`` kept)."""
    return {f.name: _plain(getattr(payload, f.name)) for f in dataclasses.fields(payload)}


def decode(kind: EventType | str, data: Mapping[str, Any] | None) -> Payload:
    """The payload of an event of ``kind`` from its stored JSON object."""
    decoder = _BY_KIND.get(kind)
    if decoder is None:
        raise InvalidTimeline(f"unknown event kind {kind!r}")
    return typing.cast(Payload, decoder(data or {}))


def _plain(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


Converter = Callable[[Any], Any]


@cache
def _decoder(cls: type) -> Callable[[Mapping[str, Any]], Any]:
    """A decoder for one dataclass, built once from its annotations."""
    hints = typing.get_type_hints(cls)
    plan: list[tuple[str, Converter, Any]] = []
    for f in dataclasses.fields(cls):
        default: Any = f.default if f.default is not dataclasses.MISSING else _MISSING
        plan.append((f.name, _converter(hints[f.name]), default))
    known = frozenset(name for name, _, _ in plan)
    name = cls.__name__

    def decode_one(data: Mapping[str, Any]) -> Any:
        if not isinstance(data, Mapping):
            raise InvalidTimeline(f"{name}: expected an object, got {data!r}")
        if not known.issuperset(data):
            unknown = ", ".join(sorted(set(data) - known))
            raise InvalidTimeline(f"{name}: unknown field(s) {unknown}")
        values: dict[str, Any] = {}
        for field_name, convert, default in plan:
            raw = data.get(field_name, _MISSING)
            if raw is _MISSING or raw is None:
                if default is _MISSING:
                    raise InvalidTimeline(f"{name}: {field_name} is missing")
                if raw is None and default is not None:
                    raise InvalidTimeline(f"{name}.{field_name}: null is not a value here")
                continue
            try:
                values[field_name] = convert(raw)
            except (TypeError, ValueError) as exc:
                raise InvalidTimeline(f"{name}.{field_name}: {exc}") from None
        return cls(**values)

    return decode_one


def _converter(hint: Any) -> Converter:
    """How to read one field's JSON value as its annotated type."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        # Optional: None never reaches a converter (the decoder keeps the default, None).
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return _converter(inner)
    if hint is bool:
        return _strict(bool)
    if hint is int:
        return _int
    if hint is str:
        return _strict(str)
    if hint is date:
        return lambda v: v if isinstance(v, date) else date.fromisoformat(v)
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        members = {m.value: m for m in hint}  # a lookup: calling the enum is slow

        def member(value: Any) -> Any:
            try:
                return members[value]
            except (KeyError, TypeError):
                raise ValueError(f"{value!r} is not a {hint.__name__}") from None

        return member
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _decoder(hint)
    raise TypeError(f"no codec for {hint!r}")  # a new field type needs a line here


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _strict(kind: type) -> Converter:
    def check(value: Any) -> Any:
        if not isinstance(value, kind):
            raise TypeError(f"expected {kind.__name__}, got {value!r}")
        return value

    return check


#: The decoder of each kind, by its stored name (a StrEnum member finds it too).
_BY_KIND: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    kind.value: _decoder(typing.cast(type, cls)) for kind, cls in PAYLOAD_CLASSES.items()
}
