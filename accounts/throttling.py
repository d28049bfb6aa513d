"""Employee logins per client address, on the API (`/auth/login`) and in the admin alike: one
rate (EMPLOYEE_LOGIN_RATE) and one count in the cache DRF's throttles use, so that spreading a
password spray over both gains nothing. The per-account lockout is accounts.lockout's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from rest_framework.throttling import SimpleRateThrottle


class EmployeeLoginThrottle(SimpleRateThrottle):
    """DRF's client address (X-Forwarded-For trusted NUM_PROXIES deep), as its throttles
    take it."""

    scope = "employee_login"

    def get_cache_key(self, request: Any, view: Any) -> str:
        # Signed in or not (unlike AnonRateThrottle): a session must not lift the limit on
        # the admin's login form.
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def login_throttle_wait(request: HttpRequest) -> timedelta | None:
    """Count a login attempt from the request's client address; None if it is allowed, else
    how long until the next one is."""
    throttle = EmployeeLoginThrottle()
    # Any Django request will do: the throttle reads only its headers and META, and no view.
    if throttle.allow_request(request, None):  # type: ignore[arg-type]  # see above
        return None
    return timedelta(seconds=throttle.wait() or 0)
