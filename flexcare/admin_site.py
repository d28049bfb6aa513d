"""Hardening of the admin site itself (its login page is accounts.admin_login's)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext_lazy as _


class AutocompleteView(AutocompleteJsonView):
    def process_request(self, request: HttpRequest) -> Any:
        try:
            return super().process_request(request)  # type: ignore[misc]  # missing in the stubs
        except (AttributeError, LookupError) as exc:
            # Django's view crashes (a 500) when `field_name` names a reverse relation; a
            # malformed request is a 403, as Django answers other bad field names.
            raise PermissionDenied from exc


def autocomplete_view(request: HttpRequest) -> HttpResponseBase:
    return AutocompleteView.as_view(admin_site=admin.site)(request)


def install() -> None:
    # A function in place of the site's method; it answers Django's JsonResponse, typed as the
    # HttpResponseBase that as_view() returns.
    admin.site.autocomplete_view = autocomplete_view  # type: ignore[method-assign, assignment]  # see above
    admin.site.site_url = None  # no "View site" link: the portal is the site ("/" leads here)
    # The front page's title (a ward's page shows its customer's name instead), in the
    # portal's words and catalogue rather than Django's "Site administration".
    admin.site.index_title = _("Overview")
    admin.site.site_title = _("FlexCare Conference")
    admin.site.site_header = _("FlexCare Conference")
