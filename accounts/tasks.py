"""Celery tasks of accounts: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task

from .models import UserToken
from .tokens import tokens_purge


@shared_task(name="accounts.purge_tokens")
def purge_tokens() -> int:
    return tokens_purge(model=UserToken)
