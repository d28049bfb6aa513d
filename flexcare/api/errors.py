"""The error contract (docs/api.md#errors): `{"error": {"code", "message", "status"}}` for every
failure on an API path — DRF exceptions, service refusals, unknown paths, crashes. Never HTML.

Messages are always English, whatever Accept-Language says: API paths run in English
(flexcare.api.middleware.LocaleMiddleware), and a service's lazily translated message is
rendered here under English too."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import translation
from rest_framework import exceptions
from rest_framework.response import Response

from flexcare.errors import ServiceError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)

API_PREFIXES = ("/iptv/", "/auth/", "/flexcare/", "/api/")
# The wire contract's language (docs/api.md#errors): messages never follow the client's
# Accept-Language.
API_LANGUAGE = "en"

# The code for a status when nothing more specific is known.
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "access_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "internal_error",
}


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def error_body(code: str, message: str, status: int) -> dict[str, Any]:
    with translation.override(API_LANGUAGE):
        message = str(message)
    return {"error": {"code": code, "message": message, "status": status}}


def json_error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse(error_body(code, message, status), status=status)


class ContractCode:
    """Mixin for DRF exceptions whose `default_code` is the contract's error code as it is,
    rather than the generic code of their status."""


class TokenInvalid(ContractCode, exceptions.APIException):
    """A tablet's token is missing, unknown or revoked, or its customer is blocked."""

    status_code = 403
    default_code = "token"
    default_detail = "Access denied"


def _first_validation_error(detail: Any, path: str = "") -> tuple[str, str]:
    """The dotted path of the first invalid field and its message (`command.volume`)."""
    if isinstance(detail, dict):
        key, value = next(iter(detail.items()))
        sub = path if key == "non_field_errors" else f"{path}.{key}" if path else str(key)
        return _first_validation_error(value, sub)
    if isinstance(detail, list) and detail:
        return _first_validation_error(detail[0], path)
    return path or "bad_request", str(detail)


def _describe(exc: Exception) -> tuple[str, StrOrPromise, int]:
    if isinstance(exc, ServiceError):
        return exc.code, exc.message, exc.status
    if isinstance(exc, Http404 | exceptions.NotFound):
        return "not_found", "Not found", 404
    if isinstance(exc, RequestDataTooBig):
        return "too_large", "Request body too large", 413
    if isinstance(exc, SuspiciousOperation):  # too many form fields, say
        return "bad_request", "Malformed request", 400
    if isinstance(exc, DjangoPermissionDenied):
        return "access_denied", "Access denied", 403
    if isinstance(exc, exceptions.ValidationError):
        code, message = _first_validation_error(exc.detail)
        return code, message, 422
    if isinstance(exc, exceptions.APIException):
        status = exc.status_code
        code = exc.default_code if isinstance(exc, ContractCode) else STATUS_CODES.get(
            status, str(exc.default_code)
        )
        detail = exc.detail if isinstance(exc.detail, str) else exc.default_detail
        return code, str(detail), status
    return "internal_error", "Internal error", 500


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's EXCEPTION_HANDLER: every exception of an API view becomes a contract error."""
    with translation.override(API_LANGUAGE):
        code, message, status = _describe(exc)
        message = str(message)  # a lazy translation becomes its English text here
    headers = {}
    wait = getattr(exc, "wait", None)  # Throttled's seconds to wait (DRF's stubs omit it)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        headers["Retry-After"] = str(max(1, int(wait + 0.999)))
    auth_header = getattr(exc, "auth_header", None)  # set by DRF on a 401: how to authenticate
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    if status >= 500:
        request = context.get("request")
        request_id = getattr(request, "request_id", "-")
        logger.error("API error (request id %s)", request_id, exc_info=exc)
        message = f"Internal error (request id {request_id})"
    return Response(error_body(code, message, status), status=status, headers=headers)


def replace_html_error(request: HttpRequest, status: int) -> JsonResponse:
    """For an error response Django produced outside a DRF view (unknown path, crash)."""
    code = STATUS_CODES.get(status, "error")
    message = {404: "Not found", 405: "Method not allowed"}.get(status, code.replace("_", " "))
    if status >= 500:
        message = f"Internal error (request id {getattr(request, 'request_id', '-')})"
    return json_error(code, message.capitalize() if status < 500 else message, status)
