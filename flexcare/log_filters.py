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
