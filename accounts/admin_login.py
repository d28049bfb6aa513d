"""The admin's login page, throttled per client address like `/auth/login`
(accounts.throttling): a refused attempt shows the page again with when to retry, as a 429."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext

from .throttling import login_throttle_wait


class AdminLoginForm(AdminAuthenticationForm):
    request: HttpRequest  # AdminSite.login always passes it (the base allows None)
    retry_after_seconds: int | None = None

    def clean(self) -> dict[str, Any]:
        # Before the password is checked: a refused attempt costs no hashing, and is not
        # counted as a failure against the account either.
        wait = login_throttle_wait(self.request)
        if wait is not None:
            self.retry_after_seconds = max(1, math.ceil(wait.total_seconds()))
            minutes = math.ceil(self.retry_after_seconds / 60)
            raise ValidationError(ngettext(
                "Too many login attempts from your address. Try again in %(minutes)d minute.",
                "Too many login attempts from your address. Try again in %(minutes)d minutes.",
                minutes) % {"minutes": minutes}, code="throttled")
        return super().clean()


def throttled_login(login: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wraps AdminSite.login (whose login_form is AdminLoginForm) to answer a refused attempt
    with 429 and Retry-After."""

    @wraps(login)
    def view(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        seconds = getattr(form, "retry_after_seconds", None)
        if seconds is not None:
            response.status_code = 429
            response["Retry-After"] = str(seconds)
        return response

    return view


def install() -> None:
    """Throttle the admin site's login page (AccountsConfig.ready calls this)."""
    admin.site.login_form = AdminLoginForm
    admin.site.login = throttled_login(admin.site.login)  # type: ignore[method-assign]  # wrapped on the site instance
