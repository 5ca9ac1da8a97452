"""Every operation, parameter and field of api/openapi.json has a description, and every 2xx
JSON response a typed schema (a named model, or a list of one), so a reader of ``/docs`` never
meets a bare ``object``. There are no exceptions: a new route, parameter or field fails here
until it is described (``Field(description=...)``, ``Query(description=...)``, the handler's
docstring; path ids are described once in :mod:`billing.http.described`), and a route that
answers JSON needs its ``response_model``. Media other than JSON (HTML, PDF, UBL XML, SIE, CSV)
are typed by their media type.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = ROOT / "api" / "openapi.json"


def typed(schema: dict[str, Any]) -> bool:
    """A named model, a list of one, or a union of them (``anyOf`` with null)."""
    if "$ref" in schema:
        return True
    if schema.get("type") == "array":
        return typed(schema.get("items", {}))
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        return all(typed(o) or o.get("type") == "null" for o in options)
    return False


def missing(document: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for path, item in document["paths"].items():
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            if not op.get("description"):
                out.append(f"operation {where}")
            for parameter in op.get("parameters", []):
                if not parameter.get("description"):
                    out.append(f"parameter {where} {parameter['name']}")
            for status, response in op.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                for media, content in response.get("content", {}).items():
                    if media == "application/json" and not typed(content.get("schema", {})):
                        out.append(f"response {where} {status}")
    for name, schema in document["components"]["schemas"].items():
        for field, spec in schema.get("properties", {}).items():
            if not spec.get("description"):
                out.append(f"field {name}.{field}")
    return sorted(set(out))


def test_the_checker_finds_what_is_undescribed() -> None:
    document = {
        "paths": {
            "/v1/x": {
                "get": {
                    "description": "X.",
                    "parameters": [{"name": "after"}],
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"type": "object"}}}}
                    },
                },
                "post": {"responses": {"201": {"content": {"text/html": {"schema": {}}}}}},
            }
        },
        "components": {"schemas": {"X": {"properties": {"a": {"description": "A."}, "b": {}}}}},
    }
    assert missing(document) == [
        "field X.b",
        "operation POST /v1/x",
        "parameter GET /v1/x after",
        "response GET /v1/x 200",
    ]
    assert typed({"anyOf": [{"$ref": "#/x"}, {"type": "null"}]})
    assert typed({"type": "array", "items": {"$ref": "#/x"}})
    assert not typed({"type": "object", "additionalProperties": True})


def test_every_operation_field_and_response_is_described() -> None:
    found = missing(json.loads(DOCUMENT.read_text(encoding="utf-8")))
    assert found == [], f"undescribed (describe them; see Field(description=...)): {found[:40]}"
