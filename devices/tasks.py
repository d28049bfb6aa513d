"""Celery tasks of devices: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from accounts.tokens import tokens_purge

from .models import DeviceToken


@shared_task(name="devices.purge_tokens")
def purge_tokens() -> int:
    return tokens_purge(model=DeviceToken)
