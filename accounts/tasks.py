"""Celery tasks of accounts: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="accounts.purge_tokens")
def purge_tokens() -> int:
    from accounts.tokens import tokens_purge

    from .models import UserToken

    return tokens_purge(model=UserToken)
