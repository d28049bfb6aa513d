"""Logging filters referenced from settings.LOGGING."""

from __future__ import annotations

import logging
import re
from functools import cache

# A token in a query string (`?token=…`, `&access_token=…`: the contract's /iptv/app/* and
# validateToken calls carry one) or in an Authorization header value.
_SECRETS = re.compile(r"(?i)((?:^|[?&;])[\w.-]*token=)[^&\s\"';]*|\b(bearer\s+)\S+")


def redact_tokens(text: str) -> str:
    """`text` with every token value replaced by "[redacted]"."""
    return _SECRETS.sub(lambda m: f"{m.group(1) or m.group(2)}[redacted]", text)


class RedactTokens(logging.Filter):
    """For access logs (the development server's `django.server`): a request line keeps its
    path and parameters but not the token a tablet or an employee put in its query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_tokens(arg) if isinstance(arg, str) else arg
                                for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = redact_tokens(record.msg)
        return True


class QuietForbidden(logging.Filter):
    """Django logs every refused request (403) with a full traceback. A refusal is ordinary
    (a viewer opening an add page, a probe): keep the one warning line, drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True


class QuietPeriodicJobs(logging.Filter):
    """Celery logs "sending / received / succeeded" at INFO for every task: for the periodic
    jobs (the tasks of CELERY_BEAT_SCHEDULE) that is a dozen lines every 15 seconds burying the
    ones that matter. Those INFO lines are dropped; their warnings and errors still show."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO:
            return True
        message = record.getMessage()
        return not any(task in message for task in _periodic_tasks())


@cache
def _periodic_tasks() -> frozenset[str]:
    # Read when the first line is logged, not when logging is configured: settings are still
    # being loaded then.
    from django.conf import settings

    return frozenset(entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values())


class ToDebug(logging.Filter):
    """A handler's filter that logs a chatty library's INFO lines (loggers `prefix` and below)
    at DEBUG: shown only when DEBUG is logged (LOG_LEVEL), and then as what they are. Its
    warnings and errors keep their level."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        if record.levelno != logging.INFO or not (
                name == self.prefix or name.startswith(f"{self.prefix}.")):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
