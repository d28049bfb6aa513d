"""Billing periods: whole days, weeks (from Monday) or months in the portal's time zone
(Europe/Copenhagen), over a range of at most MAX_DAYS days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models.functions import Trunc
from django.utils.translation import gettext_lazy as _

from flexcare.api.query import bad_request

MAX_DAYS = 366


class Granularity(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def today() -> date:
    return datetime.now(local_zone()).date()


def check_range(first: date, last: date) -> None:
    """The contract's 400 `to` for a range that ends before it starts or is too long."""
    if last < first:
        raise bad_request("to", "to is before from")
    if (last - first).days + 1 > MAX_DAYS:
        raise bad_request("to", f"The range is longer than {MAX_DAYS} days")


def period_start(day: date, granularity: str) -> date:
    if granularity == Granularity.WEEK:
        return day - timedelta(days=day.weekday())
    if granularity == Granularity.MONTH:
        return day.replace(day=1)
    return day


def next_period(start: date, granularity: str) -> date:
    if granularity == Granularity.MONTH:
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=7 if granularity == Granularity.WEEK else 1)


def period_end(start: date, granularity: str) -> date:
    """The last day of the period that begins on `start`."""
    return next_period(start, granularity) - timedelta(days=1)


def periods(first: date, last: date, granularity: str) -> list[date]:
    """The first day of every period that `first`..`last` touches, in order. The first and
    last period may stick out of the range: they then count only the days inside it."""
    starts, day = [], period_start(first, granularity)
    while day <= last:
        starts.append(day)
        day = next_period(day, granularity)
    return starts


def whole_periods(first: date, last: date, granularity: str) -> list[date]:
    """The periods that lie wholly inside `first`..`last` (a run without gaps)."""
    return [start for start in periods(first, last, granularity)
            if start >= first and period_end(start, granularity) <= last]


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The range as [start, end) instants: local midnights, so a DST change makes a day 23
    or 25 hours long."""
    zone = local_zone()
    return (datetime.combine(first, time.min, tzinfo=zone),
            datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone))


def truncated(field: str, granularity: str) -> Trunc:
    """The database expression for the local first day of the period a time falls in."""
    return Trunc(field, granularity, output_field=models.DateField(), tzinfo=local_zone())
