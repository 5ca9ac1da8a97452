"""Answers validated and serialized once, in the handler's own worker thread.

FastAPI answers a sync route's return value by validating it against the route's response
model and dumping that to JSON, the validation in one more worker-thread hop after the
handler's (``fastapi.routing.serialize_response``). The hot reads (``GET`` subscription,
timeline, ledger, invoice, the document feeds) return :func:`encoded` instead: the same
validation (``from_attributes``, as FastAPI's) and the same serializer (pydantic's
``dump_json`` with ``by_alias``), so the same bytes, but in the thread the handler already
runs in. The route keeps its ``response_model`` for the OpenAPI document; FastAPI sends a
returned :class:`~starlette.responses.Response` as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter
from starlette.responses import Response


@lru_cache(maxsize=64)
def _adapter(model: Any) -> TypeAdapter[Any]:
    return TypeAdapter(model)


def encoded(model: Any, content: Any, *, headers: Mapping[str, str] | None = None) -> Response:
    """``content`` validated as ``model`` (a pydantic model or a type such as
    ``dict[str, Any]``) and answered as JSON, 200, as FastAPI would for a route whose
    response model it is."""
    adapter = _adapter(model)
    value = adapter.validate_python(content, from_attributes=True)
    return Response(
        adapter.dump_json(value, by_alias=True), media_type="application/json", headers=headers
    )
