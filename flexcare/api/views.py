"""The base class of every API view."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import MethodNotAllowed
from rest_framework.request import Request
from rest_framework.views import APIView


class ApiView(APIView):
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # A wrong method is a 405 even without credentials: DRF would authenticate first
        # and answer a GET on a POST endpoint with 403.
        if not hasattr(self, request.method.lower()):
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)
