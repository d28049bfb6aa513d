"""Celery tasks of reports: thin, each calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="reports.rollup_usage")
def rollup_usage() -> int:
    from .rollup import usage_rollup

    # A few batches a run: a first rollup of a long history catches up over several runs,
    # each well within the task time limit.
    return usage_rollup(max_batches=4)
