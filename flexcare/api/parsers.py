"""Request body parsers: JSON must be an object; form-encoded bodies are accepted too."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class ObjectJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None,
              parser_context: dict[str, Any] | None = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ParseError("The JSON body must be an object")
        return data


def nested_form(data: QueryDict) -> dict[str, Any]:
    """A form body read as the JSON object it stands for, the way TelecomX's clients (qs-style)
    send one: `a[b]=1` or `a.b=1` → {"a": {"b": "1"}}; `a[]=1&a[]=2` or a repeated `a` →
    {"a": ["1", "2"]}; `a[0][b]=1` → {"a": [{"b": "1"}]}. Values stay strings."""
    root: dict[str, Any] = {}
    for key, values in data.lists():
        path = _key_path(key)
        if path[-1] == "":
            path, value = path[:-1], list(values)
        else:
            value = values if len(values) > 1 else values[0]
        node = root
        for part in path[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[path[-1]] = value
    return {key: _numbered_to_list(value) for key, value in root.items()}


def _key_path(key: str) -> list[str]:
    head, _, rest = key.partition("[")
    return head.split(".") + (rest.rstrip("]").split("][") if rest else [])


def _numbered_to_list(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    node = {key: _numbered_to_list(value) for key, value in node.items()}
    if node and all(key.isdigit() for key in node):
        return [node[key] for key in sorted(node, key=int)]
    return node
