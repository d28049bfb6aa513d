"""Reads for tablets."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.tokens import TokenState, token_check

from .models import Device, DeviceToken


def device_for_token(token: object) -> Device | None:
    """The device of a usable tablet token (accounts.tokens.token_check), or None."""
    state, row = token_check(model=DeviceToken, token=token)
    return row.device if state is TokenState.VALID and row is not None else None


def device_is_online(device: Device) -> bool:
    if device.last_seen_at is None:
        return False
    return timezone.now() - device.last_seen_at < timedelta(seconds=settings.DEVICE_ONLINE_SECONDS)
