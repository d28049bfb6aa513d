"""Admin sessions fit a shared ward PC: one ends SESSION_IDLE_MINUTES after its last request
(SESSION_COOKIE_AGE) and SESSION_MAX_HOURS after its login, however busy it is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

LOGIN_AT = "flexcare_login_at"
SEEN_AT = "flexcare_seen_at"
# A request saves its session, which pushes the idle expiry on, at most this often: the live
# meeting page polls every few seconds and should not write each time. A session so ends
# between a minute short of the idle limit and the idle limit after its last request.
SESSION_TOUCH_INTERVAL = timedelta(seconds=60)


def _now() -> int:
    return int(timezone.now().timestamp())  # the session serialiser is JSON


def session_login_recorded(sender: Any, request: HttpRequest | None, user: Any,
                           **kwargs: Any) -> None:
    """user_logged_in receiver: a session login (not `/auth/login`, which has no session)
    starts the clock of SESSION_MAX_HOURS, also when the session is reused by a new login."""
    session = getattr(request, "session", None)
    if session is not None and SESSION_KEY in session:
        session[LOGIN_AT] = session[SEEN_AT] = _now()


class SessionLimitsMiddleware:
    """After AuthenticationMiddleware. Logs a session out once SESSION_MAX_HOURS after its
    login have passed, and keeps an active one from idling out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            now = _now()
            # A session from before this limit has no login time: it ends too.
            login_at = session.get(LOGIN_AT, 0)
            if now - login_at >= settings.SESSION_MAX_HOURS * 3600:
                logout(request)
            elif now - session.get(SEEN_AT, 0) >= SESSION_TOUCH_INTERVAL.total_seconds():
                session[SEEN_AT] = now  # saved with a fresh SESSION_COOKIE_AGE
        return self.get_response(request)
