"""System checks of the meeting lifecycle's configuration, heard at start-up rather than when
the first room is booked."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from .providers.links import LinkTemplates


@register()
def check_link_templates(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    try:
        LinkTemplates.from_settings()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="conferences.E001")]
    return []
