"""Reads for employees: which user an API token stands for."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

from django.conf import settings
from django.utils import timezone

from flexcare.secrets import secret_digest

from .models import UserToken


class TokenState(Enum):
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"


def user_token_expires_at(token: UserToken) -> datetime | None:
    """None for a persistent token. The expiry slides with use, but `last_used_at` is written
    at most once a minute, so a token expires between one minute short of the idle limit and
    the idle limit after its real last use (never later)."""
    if token.persistent:
        return None
    return token.last_used_at + timedelta(minutes=settings.EMPLOYEE_TOKEN_IDLE_MINUTES)


def user_token_check(token: object) -> tuple[TokenState, UserToken | None]:
    """The active token row (with user and customer) and whether it may be used. A token of a
    disabled employee or of a blocked customer is INVALID, as is an unknown or revoked one."""
    if not isinstance(token, str) or not token:
        return TokenState.INVALID, None
    row = (
        UserToken.objects.active()
        .select_related("user__customer")
        .filter(digest=secret_digest(token))
        .first()
    )
    if row is None or not row.user.is_active:
        return TokenState.INVALID, None
    if row.user.customer is not None and row.user.customer.is_blocked:
        return TokenState.INVALID, None
    expires_at = user_token_expires_at(row)
    if expires_at is not None and timezone.now() >= expires_at:
        return TokenState.EXPIRED, row
    return TokenState.VALID, row
