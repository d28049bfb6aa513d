"""Reading query-string parameters the way every endpoint does: a bad one is the contract's
400 with the parameter's name as the code."""

from __future__ import annotations

import re
from datetime import date

from django.http import QueryDict

from flexcare.errors import ServiceError


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
