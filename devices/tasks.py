"""Celery tasks of devices: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from .services import device_tokens_purge


@shared_task(name="devices.purge_tokens")
def purge_tokens() -> int:
    return device_tokens_purge()
