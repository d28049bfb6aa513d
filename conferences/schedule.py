"""When meetings are, and that a tablet's meetings never overlap (docs/domain.md#booked-ahead):
the times a meeting may be booked for, the check under the tablets' row locks that creating
and moving a meeting share, and moving a meeting that has not begun."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import User
from devices.models import Device
from flexcare.errors import Conflict, Invalid, lazy_format

from . import tasks
from .guests import guests_meeting_changed
from .models import Conference, ConferenceDevice, MeetingState
from .queueing import enqueue

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_DAYS_AHEAD = 90  # the contract's limit (docs/api.md#meetings-booked-ahead)
DEFAULT_LENGTH = timedelta(hours=1)
DEVICE_BUSY = _("Device is already in an active meeting")
DEVICE_BOOKED = _("Device is already booked at that time")


def max_duration() -> timedelta:
    return timedelta(seconds=settings.MEETING_MAX_DURATION_SECONDS)


def meeting_times(
    *, start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    """The (start, end) a meeting is booked for, or the contract's 422. Neither given: a
    meeting for now, which may last the maximum duration. A start without an end lasts an
    hour (or the maximum duration, if shorter)."""
    if start is None:
        if end is not None:
            raise Invalid("startTime", _("startTime is required with endTime"))
        return now, now + max_duration()
    if start <= now:
        raise Invalid("startTime", _("startTime must be in the future"))
    if start > now + timedelta(days=MAX_DAYS_AHEAD):
        raise Invalid("startTime", lazy_format(
            _("startTime may be at most %(days)d days ahead"), days=MAX_DAYS_AHEAD))
    if end is None:
        end = start + min(DEFAULT_LENGTH, max_duration())
    if end <= start:
        raise Invalid("endTime", _("endTime must be after startTime"))
    if end - start > max_duration():
        raise Invalid("endTime", lazy_format(
            _("A meeting lasts at most %(minutes)d minutes"),
            minutes=settings.MEETING_MAX_DURATION_SECONDS // 60))
    return start, end


def lock_devices(ids: Sequence[str], **filters: object) -> list[Device]:
    """Row-lock the tablets, in id order so that two requests locking overlapping sets cannot
    deadlock. Creating a meeting and moving one both hold these locks while they check and
    write the tablets' bookings."""
    return list(Device.objects.select_for_update().filter(pk__in=sorted(set(ids)), **filters)
                .order_by("pk"))


def check_free(*, device_ids: Sequence[str], start: datetime, end: datetime, now: datetime,
               for_now: bool, moving: Conference | None = None) -> None:
    """409 `device` if a tablet has an open meeting overlapping [start, end) (besides
    `moving`). Call it holding lock_devices' locks: the database's exclusion constraint
    (PostgreSQL) only backs it up."""
    clashes = ConferenceDevice.objects.filter(
        device_id__in=device_ids, active=True, start_time__lt=end, end_time__gt=start)
    if moving is not None:
        clashes = clashes.exclude(conference=moving)
    clash = clashes.order_by("start_time").first()
    if clash is not None:
        raise Conflict("device", busy_message(for_now=for_now, clash_begun=clash.start_time <= now))


def busy_message(*, for_now: bool, clash_begun: bool = False) -> StrOrPromise:
    """A meeting for now that finds its tablet in a meeting under way says so as it always
    has; anything else clashes with a booking."""
    return DEVICE_BUSY if for_now and clash_begun else DEVICE_BOOKED


@contextmanager
def bookings_refused_as_busy(*, for_now: bool) -> Iterator[None]:
    """The exclusion constraint's refusal, should two writers still race past check_free, as
    the same 409."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise Conflict("device", busy_message(for_now=for_now, clash_begun=for_now)) from exc


@transaction.atomic
def meeting_reschedule(*, meeting: Conference, start: datetime | None, end: datetime | None,
                       actor: User | None) -> Conference:
    """Move a meeting that has not begun (PATCH startTime/endTime). Only `end`: the start
    stays; only `start`: the length stays. The VDX booking follows (conferences.tasks
    reschedule_at_vdx), and guests get the changed invitation once it has."""
    now = timezone.now()
    if start is None and end is None:
        raise Invalid("startTime", _("Give startTime, endTime or both"))
    ids = list(meeting.participants.values_list("device_id", flat=True))
    lock_devices(ids)
    meeting = Conference.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state == MeetingState.CLOSED:
        raise Conflict("meeting", _("Meeting is closed"))
    if meeting.has_begun(now):
        raise Conflict("meeting", _("Meeting has already begun"))
    start = start or meeting.start_time
    if end is None:
        end = start + (meeting.end_time - meeting.start_time)
    start, end = meeting_times(start=start, end=end, now=now)
    if (start, end) == (meeting.start_time, meeting.end_time):
        return meeting
    check_free(device_ids=ids, start=start, end=end, now=now, for_now=False, moving=meeting)
    with bookings_refused_as_busy(for_now=False):
        ConferenceDevice.objects.filter(conference=meeting).update(start_time=start, end_time=end)
    before = (meeting.start_time, meeting.end_time)
    # Checked "now": the lost-work job leaves the move to the task queued here for a while.
    Conference.objects.filter(pk=meeting.pk).update(start_time=start, end_time=end,
                                                    provisioning_checked_at=now)
    if meeting.vdx_booking_id:
        enqueue(tasks.reschedule_at_vdx, meeting.pk)
    meeting.refresh_from_db()
    guests_meeting_changed(meeting=meeting)
    audit_record(actor=actor, action="meeting.reschedule", customer_id=meeting.customer_id,
                 object_id=meeting.pk, target=str(meeting),
                 start=[before[0].isoformat(), start.isoformat()],
                 end=[before[1].isoformat(), end.isoformat()])
    return meeting
