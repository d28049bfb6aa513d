"""Reading query-string parameters the way every endpoint does: a bad one is the contract's
400 with the parameter's name as the code. And times in request bodies (a bad one: 422)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from django.http import QueryDict

from flexcare.errors import Invalid, ServiceError

# A date and a time of day (fromisoformat also takes bare dates and week dates).
_DATE_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}")  # ASCII digits only


def bad_request(code: str, message: str) -> ServiceError:
    return ServiceError(code, message, status=400)


# The days a query may name. Far wider than any meeting or report needs, and far enough from
# the calendar's ends that a range's margins (a day each way, a month's end) cannot overflow.
FIRST_DAY, LAST_DAY = date(1000, 1, 1), date(2999, 12, 31)


def query_date(query: QueryDict, name: str, default: date) -> date:
    """`name` as a `YYYY-MM-DD` date between FIRST_DAY and LAST_DAY, `default` when absent."""
    raw = query.get(name)
    if raw is None:
        return default
    try:
        # [0-9], not \d: \d also matches other scripts' digits.
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
            day = date.fromisoformat(raw)
            if FIRST_DAY <= day <= LAST_DAY:
                return day
    except ValueError:
        pass
    raise bad_request(name, f"{name} must be a date, YYYY-MM-DD, from {FIRST_DAY} to {LAST_DAY}")


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
