"""Reads for tablets."""

from __future__ import annotations

from .models import Device, DeviceToken
from .services import token_digest


def device_for_token(token: object) -> Device | None:
    """The device an active token belongs to, or None (unknown, revoked, blocked customer)."""
    if not isinstance(token, str) or not token:
        return None
    row = (
        DeviceToken.objects.active()
        .select_related("device__customer")
        .filter(digest=token_digest(token))
        .first()
    )
    if row is None or row.device.customer.is_blocked:
        return None
    return row.device
