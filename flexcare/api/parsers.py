"""Request body parsers: JSON must be an object; form-encoded bodies are accepted too. Either
way the body must hold only text the database can store, so that a stray NUL byte or an
unpaired surrogate is a 400 here rather than a crash deep in a query."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser


class ObjectJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:  # "[[[[…" nested deeper than the parser goes
            raise ParseError("JSON parse error - nested too deeply") from None
        if not isinstance(data, dict):
            raise ParseError("The JSON body must be an object")
        require_storable(data)
        return data


# How deep a form key may nest (`a[b][c]` is 3). TelecomX's clients send two or three levels;
# thousands would only serve to exhaust the server.
FORM_KEY_MAX_DEPTH = 10


class StorableFormParser(FormParser):
    def parse(self, stream: Any, media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        require_storable([*data.keys(), *(v for _, values in data.lists() for v in values)])
        if any(len(_key_path(key)) > FORM_KEY_MAX_DEPTH for key in data):
            raise ParseError("A form field name is nested too deeply")
        return data


def require_storable(data: Any) -> None:
    """Refuse NUL characters (PostgreSQL text cannot hold them) and unpaired surrogates (not
    encodable as UTF-8) anywhere in the parsed body. Iterative: the body may be deeply nested."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str) and not _storable(item):
            raise ParseError("The body holds a NUL character or an unpaired surrogate")


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def nested_form(data: QueryDict) -> dict[str, Any]:
    """A form body read as the JSON object it stands for, the way TelecomX's clients (qs-style)
    send one: `a[b]=1` or `a.b=1` → {"a": {"b": "1"}}; `a[]=1&a[]=2` or a repeated `a` →
    {"a": ["1", "2"]}; `a[0][b]=1` → {"a": [{"b": "1"}]}. Values stay strings.

    Built without recursion, and StorableFormParser has already capped the nesting, so no key
    can exhaust the stack."""
    root: dict[str, Any] = {}
    for key, values in data.lists():
        path = _key_path(key)
        value: list[str] | str
        if path[-1] == "":
            path, value = path[:-1], list(values)
        else:
            value = values if len(values) > 1 else values[0]
        if not path:  # an empty key (`=1`) names no field: ignored, as qs does
            continue
        node = root
        for part in path[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[path[-1]] = value
    return _numbered_to_lists(root)


def _key_path(key: str) -> list[str]:
    head, _, rest = key.partition("[")
    return head.split(".") + (rest.rstrip("]").split("][") if rest else [])


def _is_index(key: str) -> bool:
    # ASCII digits only: str.isdigit() also accepts "²" or "٣", which int() then refuses.
    return key.isascii() and key.isdigit()


def _numbered_to_lists(root: dict[str, Any]) -> dict[str, Any]:
    """Turn every nested dict whose keys are all indexes into a list in index order, deepest
    first (post-order, with an explicit stack)."""
    # (container, key) pairs of dicts below the root, parents before their children.
    found: list[tuple[dict[str, Any], str]] = []
    pending = [root]
    while pending:
        node = pending.pop()
        for key, value in node.items():
            if isinstance(value, dict):
                found.append((node, key))
                pending.append(value)
    for parent, key in reversed(found):  # children before their parents
        node = parent[key]
        if node and all(_is_index(index) for index in node):
            parent[key] = [node[index] for index in sorted(node, key=int)]
    return root
