"""Celery tasks of reports: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="reports.rollup_usage")
def rollup_usage() -> int:
    from .rollup import usage_rollup

    return usage_rollup()
