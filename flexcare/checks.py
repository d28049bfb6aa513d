"""System checks for configuration mistakes a deployment should hear about at start-up."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_broker(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.REDIS_URL:
        return []
    return [
        Warning(
            "REDIS_URL is not set: Celery uses the embedded filesystem broker, which is meant "
            "for the single-machine quickstart only.",
            hint="Set REDIS_URL=redis://host:6379/0 in production.",
            id="flexcare.W001",
        )
    ]
