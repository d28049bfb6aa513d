"""OpenAPI helpers: the error envelope, documented once for every endpoint, and the shapes of
values the views check by hand (ids, dates), so that the schema is as strict as they are."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers

from flexcare.ids import OBJECT_ID_RE

from .middleware import MAX_API_BODY
from .query import FIRST_DAY, LAST_DAY

OBJECT_ID: dict[str, Any] = {"type": "string", "pattern": OBJECT_ID_RE.pattern}
# flexcare.api.query.query_date: ASCII digits, a real day from FIRST_DAY to LAST_DAY (the
# pattern keeps generated dates within those years; `format` rules out February 30th).
DATE: dict[str, Any] = {
    "type": "string", "format": "date", "pattern": r"^[12][0-9]{3}-[0-9]{2}-[0-9]{2}$",
    "description": f"`YYYY-MM-DD`, from {FIRST_DAY} to {LAST_DAY}",
}
# Whole numbers in a query have at most nine digits (conferences.api.employee._int).
MAX_QUERY_INT = 999_999_999


def _any_case(words: list[str]) -> str:
    return "^({})$".format("|".join(
        "".join(f"[{c.upper()}{c}]" if c.isalpha() else c for c in word) for word in words))


# DRF's BooleanField takes JSON booleans, 0 and 1, and a few words for them in any case.
@extend_schema_field({"anyOf": [
    {"type": "boolean"}, {"enum": [0, 1]},
    {"type": "string", "pattern": _any_case(sorted(
        value for value in serializers.BooleanField.TRUE_VALUES
        | serializers.BooleanField.FALSE_VALUES if isinstance(value, str)))},
]})
class WireBooleanField(serializers.BooleanField):
    pass


# What any endpoint that reads a body may answer for the body as a whole
# (flexcare.api.parsers, flexcare.api.middleware).
BODY_ERRORS = (
    (400, "bad_request", "Malformed JSON, a JSON body that is not an object, nesting too deep, "
     "a NUL character or an unpaired surrogate, too many form fields"),
    (413, "too_large", f"A body over {MAX_API_BODY // 1024} KiB"),
    (415, "unsupported_media_type", "Neither JSON nor form-encoded"),
)

ErrorSerializer = inline_serializer(
    "Error",
    {
        "error": inline_serializer(
            "ErrorDetail",
            {
                "code": serializers.CharField(
                    help_text="The error's key (listed with each response), or the path of "
                    "an invalid field (`command.volume`)"
                ),
                "message": serializers.CharField(),
                "status": serializers.IntegerField(),
            },
        )
    },
)

Success = inline_serializer("Success", {"success": serializers.BooleanField()})


def errors(*rows: tuple[int, str, str]) -> dict[int, OpenApiResponse]:
    """OpenAPI responses for (status, code, when) rows; rows sharing a status are merged."""
    by_status: dict[int, list[tuple[str, str]]] = {}
    for status, code, when in rows:
        by_status.setdefault(status, []).append((code, when))
    return {
        status: OpenApiResponse(
            ErrorSerializer,
            description="; ".join(f"`{code}`: {when}" for code, when in entries),
            examples=[
                OpenApiExample(
                    f"{status} {code}",
                    value={"error": {"code": code, "message": when, "status": status}},
                    response_only=True,
                    status_codes=[str(status)],
                )
                for code, when in entries
            ],
        )
        for status, entries in by_status.items()
    }


def query(name: str, schema: dict[str, Any], description: str) -> OpenApiParameter:
    """An optional query parameter described by a JSON schema."""
    return OpenApiParameter(name, schema, OpenApiParameter.QUERY, description=description)


def object_id_path_parameters(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: every id in a path is an ObjectId (a malformed one is the
    contract's 404 `id`, flexcare.api.views.require_object_id)."""
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"].endswith("_id"):
                    parameter["schema"] = dict(OBJECT_ID)
    return result


def body_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: every operation that reads a body lists BODY_ERRORS, merged into
    the responses it already documents for those statuses."""
    error_ref = {"$ref": "#/components/schemas/Error"}
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if "requestBody" not in operation:
                continue
            for status, code, when in BODY_ERRORS:
                response = operation["responses"].setdefault(str(status), {
                    "content": {"application/json": {"schema": error_ref, "examples": {}}},
                    "description": "",
                })
                content = response["content"]["application/json"]
                name = f"{status}{code.title().replace('_', '')}"
                content.setdefault("examples", {})[name] = {
                    "value": {"error": {"code": code, "message": when, "status": status}},
                    "summary": f"{status} {code}",
                }
                response["description"] = "; ".join(
                    part for part in (response["description"], f"`{code}`: {when}") if part)
    return result


def _needs_fields(schema: dict[str, Any]) -> bool:
    """Whether every body the schema allows has at least one field: it requires some, or each
    of its alternatives (anyOf/oneOf) does."""
    if schema.get("required"):
        return True
    alternatives: list[dict[str, Any]] = schema.get("anyOf") or schema.get("oneOf") or []
    return bool(alternatives) and all(_needs_fields(each) for each in alternatives)


def required_request_bodies(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: a body whose every media type needs fields is required, as
    drf-spectacular already decides for serializers but not for schemas given as dicts."""
    components = result.get("components", {}).get("schemas", {})
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            body = operation.get("requestBody")
            if body is None:
                continue
            schemas = [media["schema"] for media in body["content"].values()]
            schemas = [components[s["$ref"].rsplit("/", 1)[1]] if "$ref" in s else s
                       for s in schemas]
            if all(_needs_fields(schema) for schema in schemas):
                body["required"] = True
    return result
