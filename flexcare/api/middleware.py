"""Request ids for every request, the API's guarantees that hold before any view runs, and
the language of each request."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation

from .errors import API_LANGUAGE, is_api_path, json_error, replace_html_error

logger = logging.getLogger(__name__)

MAX_API_BODY = 64 * 1024
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class ApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        # Our own attribute on Django's request, read back by the API's error handler.
        request.request_id = request_id  # type: ignore[attr-defined]  # not in HttpRequest
        api = is_api_path(request.path_info)
        if api and _content_length(request) > MAX_API_BODY:
            response: HttpResponse = json_error(
                "too_large", f"Request body is larger than {MAX_API_BODY // 1024} KiB", 413
            )
        else:
            response = self.get_response(request)
            content_type = response.get("Content-Type", "")
            if api and response.status_code >= 400 and "json" not in content_type:
                if response.status_code >= 500:
                    logger.error("request id %s: %s on %s", request_id,
                                 response.status_code, request.path_info)
                response = replace_html_error(request, response.status_code)
        response["X-Request-ID"] = request_id
        return response


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware (the admin speaks the browser's or the chosen language),
    except that API paths always run in English: the wire contract's messages
    (docs/api.md#errors), DRF's validation messages included, never follow the client's
    Accept-Language."""

    def process_request(self, request: HttpRequest) -> None:
        if is_api_path(request.path_info):
            translation.activate(API_LANGUAGE)
            request.LANGUAGE_CODE = API_LANGUAGE
            return
        super().process_request(request)
