"""What is on for a ward: its tablets' open meetings from now on, day by day and bed by bed
(the portal's agenda page and the front page's next meeting; docs/domain.md#booked-ahead)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from itertools import groupby

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Customer

from .models import ConferenceDevice


@dataclass(frozen=True)
class AgendaBed:
    device_name: str
    bookings: list[ConferenceDevice] = field(default_factory=list)


@dataclass(frozen=True)
class AgendaDay:
    day: date
    beds: list[AgendaBed]


def _bookings(user: object, *, now: datetime, until: datetime | None = None,
              customer: Customer | None = None) -> QuerySet[ConferenceDevice]:
    """The user's tablets' bookings in open meetings that have not ended by `now`."""
    bookings = ConferenceDevice.objects.for_user(user).filter(active=True, end_time__gt=now)
    if until is not None:
        bookings = bookings.filter(start_time__lt=until)
    if customer is not None:
        bookings = bookings.filter(device__customer=customer)
    return bookings.select_related("device", "conference")


def agenda_days(user: object, *, first: date, days: int, zone: tzinfo,
                customer: Customer | None = None) -> list[AgendaDay]:
    """The days `first` .. `first + days - 1` (whole days in `zone`) that have meetings, each
    with its beds (tablets, by name) and their meetings in order. A meeting under way counts
    on the day it started only if that is in the range; otherwise on `first`."""
    now = timezone.now()
    until = datetime.combine(first + timedelta(days=days), time.min, tzinfo=zone)
    bookings = _bookings(user, now=now, until=until, customer=customer)

    def day_of(booking: ConferenceDevice) -> date:
        return max(timezone.localtime(booking.start_time, zone).date(), first)

    ordered = sorted(bookings, key=lambda b: (day_of(b), b.device.name, b.device_id,
                                              b.start_time))
    return [
        AgendaDay(day=day, beds=[
            AgendaBed(device_name=name, bookings=list(on_bed))
            for (name, _id), on_bed in groupby(list(on_day),
                                               key=lambda b: (b.device.name, b.device_id))
        ])
        for day, on_day in groupby(ordered, key=day_of)
    ]


def next_booking(user: object) -> ConferenceDevice | None:
    """The user's tablets' next meeting that has not begun yet (the front page's "next")."""
    now = timezone.now()
    return _bookings(user, now=now).filter(start_time__gt=now).order_by(
        "start_time", "device__name").first()
