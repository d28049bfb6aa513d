"""Reading query-string parameters the way every endpoint does: a bad one is the contract's
400 with the parameter's name as the code."""

from __future__ import annotations

import re
from datetime import date

from django.http import QueryDict

from flexcare.errors import ServiceError


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
