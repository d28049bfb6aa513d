"""Queueing Celery tasks from services: after commit, and never at the cost of the request."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)

# Give up publishing quickly: a broker that is down must not hold the employee's request.
_PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}


def enqueue(task: Task, *args: Any, countdown: float | None = None) -> None:
    """Queue `task(*args)` once the current transaction commits.

    If the broker is unreachable the work is not lost: what the task would do is recorded in
    the database state, and the periodic sweeps (conferences.sweeps) queue it again.
    """

    def publish() -> None:
        try:
            task.apply_async(args, countdown=countdown,  # type: ignore[arg-type]  # Celery takes None (no delay)
                             retry=True, retry_policy=_PUBLISH_RETRY)
        except Exception:  # the broker's many failure types; the sweeps cover for all of them
            logger.warning("could not queue %s%r; a periodic sweep will pick it up",
                           task.name, args, exc_info=True)

    transaction.on_commit(publish)
