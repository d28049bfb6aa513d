"""The Celery application; tasks live in each app's tasks.py."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flexcare.settings")

app = Celery("flexcare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="flexcare.ping", ignore_result=False)  # its caller waits for the answer
def ping() -> str:
    """Round trip through broker, worker and result backend; used by `healthcheck` and tests."""
    return "pong"
