"""Reading query-string parameters the way every endpoint does: a bad one is the contract's
400 with the parameter's name as the code. And times in request bodies (a bad one: 422)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from django.http import QueryDict

from flexcare.errors import Invalid, ServiceError

# A date and a time of day (fromisoformat also takes bare dates and week dates).
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def bad_request(code: str, message: str) -> ServiceError:
    return ServiceError(code, message, status=400)


def query_date(query: QueryDict, name: str, default: date) -> date:
    """`name` as a `YYYY-MM-DD` date, `default` when absent."""
    raw = query.get(name)
    if raw is None:
        return default
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            day = date.fromisoformat(raw)
            # Whole days are turned into times with a day's margin each way: stay clear of
            # the calendar's ends, where that overflows.
            if date.min < day < date.max:
                return day
    except ValueError:
        pass
    raise bad_request(name, f"{name} must be a date, YYYY-MM-DD")


def body_time(value: object, name: str) -> datetime | None:
    """A time in a request body: the wire format (`2016-01-01T00:00:00.000Z`) or any ISO 8601
    time with an offset; None when absent (or null). Anything else is the contract's 422 with
    the field's name as the code: a time without an offset would be guessed at."""
    if value is None:
        return None
    parsed = None
    if isinstance(value, str) and len(value) <= 40 and _DATE_TIME.match(value):
        try:
            parsed = datetime.fromisoformat(value)
            # In UTC, as it is compared and stored; the calendar's ends overflow there.
            parsed = parsed.astimezone(UTC) if parsed.tzinfo is not None else None
        except (ValueError, OverflowError):
            parsed = None
    if parsed is None:
        raise Invalid(name, f"{name} must be a time with an offset, e.g. "
                            "2026-03-03T09:00:00.000Z or 2026-03-03T10:00:00+01:00")
    return parsed
