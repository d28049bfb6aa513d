"""Times as the portal shows them: local, and short when they are today's."""

from __future__ import annotations

from datetime import datetime

from django.utils import formats, timezone


def local_moment(value: datetime) -> str:
    """A local time of day ("15:12"), with its date unless it is today."""
    local = timezone.localtime(value)
    if local.date() == timezone.localdate():
        return formats.time_format(local)
    return formats.date_format(local, "SHORT_DATETIME_FORMAT")
