"""Celery tasks of accounts: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from .services import user_tokens_purge


@shared_task(name="accounts.purge_tokens")
def purge_tokens() -> int:
    return user_tokens_purge()
