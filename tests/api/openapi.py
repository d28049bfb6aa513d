"""Validate real responses against the served OpenAPI schema, so docs and code cannot drift."""

from __future__ import annotations

from typing import Any

import jsonschema
from django.test import Client


def load_schema(client: Client) -> dict[str, Any]:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _to_json_schema(node: Any, components: dict[str, Any]) -> Any:
    """OpenAPI 3.0 → JSON Schema: resolve $ref, turn `nullable` into a null type."""
    if isinstance(node, list):
        return [_to_json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _to_json_schema(components[node["$ref"].rsplit("/", 1)[1]], components)
    out = {key: _to_json_schema(value, components) for key, value in node.items()
           if key not in {"nullable", "readOnly", "writeOnly", "example", "format"}}
    if node.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def assert_matches_schema(schema: dict[str, Any], path: str, method: str, status: int,
                          body: Any) -> None:
    operation = schema["paths"][path][method]
    documented = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    json_schema = _to_json_schema(documented, schema["components"]["schemas"])
    _forbid_extra_keys(json_schema)
    jsonschema.validate(body, json_schema)


def _forbid_extra_keys(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node.setdefault("additionalProperties", False)
        for value in node.values():
            _forbid_extra_keys(value)
    elif isinstance(node, list):
        for value in node:
            _forbid_extra_keys(value)
