"""Room-booking providers, chosen by the VDX_PROVIDER setting."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import Booking, BookingState, BookingStatus, Provider, ProviderError
from .fake import FakeProvider, fake_booking

__all__ = [
    "Booking", "BookingState", "BookingStatus", "FakeProvider", "Provider", "ProviderError",
    "fake_booking", "get_provider",
]


def get_provider() -> Provider:
    if settings.VDX_PROVIDER == "fake":
        return FakeProvider()
    if settings.VDX_PROVIDER == "vdx":
        from .vdx import VdxProvider

        return VdxProvider.from_settings()
    raise ImproperlyConfigured(f"Unknown VDX_PROVIDER {settings.VDX_PROVIDER!r}: use fake or vdx.")
