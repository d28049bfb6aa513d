"""Logging filters referenced from settings.LOGGING."""

from __future__ import annotations

import logging


class QuietForbidden(logging.Filter):
    """Django logs every refused request (403) with a full traceback. A refusal is ordinary
    (a viewer opening an add page, a probe): keep the one warning line, drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True


# The periodic jobs (Celery beat): every LIFECYCLE_SWEEP_SECONDS, five of them.
PERIODIC_TASKS = ("conferences.sweep", "accounts.purge_tokens", "devices.purge_tokens")


class QuietPeriodicJobs(logging.Filter):
    """Celery logs "sending / received / succeeded" at INFO for every task: for the periodic
    jobs that is a dozen lines every 15 seconds burying the ones that matter. Those INFO lines
    are dropped; a periodic job's warnings and errors still show."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO:
            return True
        message = record.getMessage()
        return not any(name in message for name in PERIODIC_TASKS)
