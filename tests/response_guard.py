"""A route's response model must not drop what its handler answers.

FastAPI validates a handler's answer against the route's ``response_model`` and sends what the
model keeps: a key a handler adds to a hand-built dict but the model lacks silently disappears
(it happened once with the cancellation quote). While the tests run (:func:`install`, from
``tests/conftest.py``), every answer a handler builds as a dict or a list is compared with what
the model sends, and a key the model dropped fails the request with :class:`KeyDropped`, so
the test that made the request fails and names the key. Values are not compared: the model
may write a datetime its own way (``Z`` for UTC).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import fastapi.routing
from fastapi.encoders import jsonable_encoder


class KeyDropped(AssertionError):
    """A response model left out keys its handler answered."""


def dropped(answered: Any, sent: Any, where: str = "$") -> Iterator[str]:
    """Where a key of ``answered`` (the handler's JSON) is missing from ``sent`` (the model's)."""
    if isinstance(answered, dict) and isinstance(sent, dict):
        for key, value in answered.items():
            if key not in sent:
                yield f"{where}.{key}"
            else:
                yield from dropped(value, sent[key], f"{where}.{key}")
    elif isinstance(answered, list) and isinstance(sent, list) and len(answered) == len(sent):
        for i, (a, s) in enumerate(zip(answered, sent, strict=True)):
            yield from dropped(a, s, f"{where}[{i}]")


def install() -> None:
    """Wrap FastAPI's response serialization with the check (once per process)."""
    original = fastapi.routing.serialize_response
    if getattr(original, "_guarded", False):
        return

    async def serialize_response(**kw: Any) -> Any:
        result = await original(**kw)
        content = kw.get("response_content")
        if kw.get("field") is not None and isinstance(content, dict | list):
            sent = json.loads(result) if isinstance(result, bytes | str) else result
            missing = list(dropped(jsonable_encoder(content), jsonable_encoder(sent)))
            if missing:
                where = (kw.get("endpoint_ctx") or {}).get("path", "a route")
                raise KeyDropped(f"{where}: its response model drops {missing[:10]}")
        return result

    serialize_response._guarded = True  # type: ignore[attr-defined]
    fastapi.routing.serialize_response = serialize_response  # type: ignore[assignment]
