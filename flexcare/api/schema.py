"""OpenAPI helpers: the error envelope, documented once for every endpoint."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import serializers

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
