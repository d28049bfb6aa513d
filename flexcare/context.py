"""Template context every page gets."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def vdx_mode(request: HttpRequest) -> dict[str, bool]:
    # Staff must never mistake a fake room for a real one.
    return {"fake_vdx": settings.VDX_PROVIDER == "fake"}
