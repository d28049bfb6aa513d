"""Reads for tablets."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from flexcare.secrets import secret_digest

from .models import Device, DeviceToken


def token_row(token: object) -> DeviceToken | None:
    """The active token row (with device and customer), or None if unknown, revoked or the
    device's customer is blocked. `row.device` is None when the device was deleted."""
    if not isinstance(token, str) or not token:
        return None
    row = (
        DeviceToken.objects.active()
        .select_related("device__customer")
        .filter(digest=secret_digest(token))
        .first()
    )
    if row is None or (row.device is not None and row.device.customer.is_blocked):
        return None
    return row


def device_for_token(token: object) -> Device | None:
    row = token_row(token)
    return row.device if row else None


def device_is_online(device: Device) -> bool:
    if device.last_seen_at is None:
        return False
    return timezone.now() - device.last_seen_at < timedelta(seconds=settings.DEVICE_ONLINE_SECONDS)
