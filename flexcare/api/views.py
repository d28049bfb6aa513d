"""The base class of every API view."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import MethodNotAllowed
from rest_framework.request import Request
from rest_framework.views import APIView

from flexcare.errors import NotFound
from flexcare.ids import is_object_id


def require_object_id(value: str) -> str:
    """A path id: malformed is the contract's 404 `id`."""
    if not is_object_id(value):
        raise NotFound("id", "ID not found")
    return value


class ApiView(APIView):
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # A wrong method is a 405 even without credentials: DRF would authenticate first
        # and answer a GET on a POST endpoint with 403.
        method = request.method or ""  # always set on a request that reached a view
        if not hasattr(self, method.lower()):
            raise MethodNotAllowed(method)
        super().initial(request, *args, **kwargs)
