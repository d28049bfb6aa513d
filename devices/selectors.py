"""Reads for tablets."""

from __future__ import annotations

from accounts.tokens import TokenState, token_check

from .models import Device, DeviceToken


def device_for_token(token: object) -> Device | None:
    """The device of a usable tablet token (accounts.tokens.token_check), or None."""
    state, row = token_check(model=DeviceToken, token=token)
    return row.device if state is TokenState.VALID and row is not None else None
