"""Admins of records that only services and the tablets change: read-only, and the technical
ones kept out of a ward's navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .access import AccessLevel
from .authentication import request_employee


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TechnicalListMixin:
    """A list for those who look after the system (OWNER and above): it stays reachable by
    its URL and from the pages that link to it, but leaves the navigation of a ward's
    VIEWERs and MANAGERs, who work from the front page and the meeting pages."""

    def get_model_perms(self, request: HttpRequest) -> dict[str, bool]:
        perms = super().get_model_perms(request)  # type: ignore[misc]
        if not request_employee(request).at_least(AccessLevel.OWNER):
            return {name: False for name in perms}
        return perms
