"""Failed-login lockout, by django-axes (configured in settings, "Employee API" block).

After LOGIN_FAILURE_LIMIT failed logins for one e-mail address (in the normal form the login
looks accounts up by, accounts.emails) within LOGIN_LOCKOUT_MINUTES, that account's logins are
refused until LOGIN_LOCKOUT_MINUTES after the last counted failure, on the API and in the admin
alike. Failures are kept in the database (axes' AccessAttempt), so every web process sees them.
Per-address flooding is the throttle's job (accounts.throttling, EMPLOYEE_LOGIN_RATE).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_lockout_message
from axes.models import AccessAttempt
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from flexcare.api.errors import is_api_path, json_error
from flexcare.errors import ServiceError

from .emails import email_normal_form


class LockedOut(ServiceError):
    def __init__(self, retry_after: timedelta) -> None:
        super().__init__("rate_limited", str(get_lockout_message()), status=429)
        self.retry_after = retry_after


class LockoutBackend(AxesStandaloneBackend):
    """First in AUTHENTICATION_BACKENDS: refuses a locked-out account before any password
    check. `authenticate()` without a request (shell, management commands) is not an HTTP
    login, so there is nothing to count or lock: it passes to the next backend."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the e-mail's normal form, which the login looks the account up
    by, so that no spelling of an account (case, spaces, look-alike letters) starts a fresh
    count."""
    value = (credentials or {}).get("username")
    if value is None:
        value = getattr(request, "data", request.POST).get("username")
    return email_normal_form(value) if isinstance(value, str) else None


def lockout_remaining(username: str | None) -> timedelta:
    """How long the account stays locked: until the cool-off after its last counted failure
    (failures during a lockout are not counted, so it does not extend itself)."""
    cool_off = get_cool_off() or timedelta(0)
    last = AccessAttempt.objects.filter(username=username).aggregate(
        last=Max("attempt_time"))["last"]
    if last is None:
        return cool_off
    # A failure still counts at the very instant its cool-off ends: retry a second later.
    return max(last + cool_off - timezone.now(), timedelta(0)) + timedelta(seconds=1)


def lockout_response(request: HttpRequest, original_response: HttpResponse | None,
                     credentials: dict[str, Any] | None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE, used by AxesMiddleware once a login was refused for a lockout.
    API views answered the contract's 429 themselves; the admin gets a page."""
    if is_api_path(request.path_info):
        if original_response is not None and original_response.status_code == 429:
            return original_response
        return json_error("rate_limited", get_lockout_message(), 429)  # English: docs/api.md#errors
    context = {"message": get_lockout_message(), "title": _("Login locked")}
    return render(request, "accounts/lockout.html", context, status=429)
