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


@register(Tags.security, deploy=True)
def check_proxy_count(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Trusting the proxy's X-Forwarded-Proto says a proxy is in front; with NUM_PROXIES 0 the
    throttles would then take the proxy's address for every client, and one ward's typos
    would exhaust the login quota of the whole hospital."""
    if not settings.SECURE_PROXY_SSL_HEADER or settings.REST_FRAMEWORK.get("NUM_PROXIES"):
        return []
    return [
        Warning(
            "USE_X_FORWARDED_PROTO is on but NUM_PROXIES is 0: every client would be throttled "
            "as the proxy's address and share one login quota.",
            hint="Set NUM_PROXIES to the number of proxies in front of the portal (usually 1).",
            id="flexcare.W002",
        )
    ]
