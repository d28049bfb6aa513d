"""Writes for meetings and commands. The admin, the API and the tasks call these."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import Customer, User
from accounts.services import require_meeting_customer
from accounts.tablet_settings import Quality
from devices.models import Device
from flexcare.errors import Conflict, Invalid, NotFound, ServiceError, lazy_format

from .guests import NewGuest, guests_invite, guests_validated
from .models import (
    VALUE_TYPES,
    Command,
    CommandType,
    Conference,
    ConferenceDevice,
    MeetingState,
)
from .queueing import enqueue
from .schedule import bookings_refused_as_busy, check_free, lock_devices, meeting_times
from .tasks import provision_meeting

# Each tablet of a new meeting is row-locked while it is created: keep that bounded.
MAX_DEVICES_PER_MEETING = 50


@transaction.atomic
def meeting_create(
    *, customer: Customer, devices: Sequence[Device], employee: User | None,
    actor: User | None = None, start: datetime | None = None, end: datetime | None = None,
    guests: Sequence[NewGuest] = (), language: str | None = None,
) -> Conference:
    """Create a CREATED/PENDING meeting with a settings snapshot of each device, and queue
    the booking of its room (on commit). `employee` is whom the meeting is for (a MANAGER may
    create one for a colleague); `actor`, who asked for it, is whom the audit trail names.

    Without `start` and `end` the meeting is for now; with them it is booked ahead
    (schedule.meeting_times says which times are allowed). A tablet's open meetings may not
    overlap: checked under the tablets' row locks here, and enforced by the exclusion
    constraint `no_overlapping_meetings_per_device` (PostgreSQL) should two requests still
    race. `guests` are invited by e-mail in `language` (default: the portal's).
    """
    require_meeting_customer(customer)
    if not devices:
        raise ServiceError("devices", _("At least one device is required"))
    if len({device.pk for device in devices}) > MAX_DEVICES_PER_MEETING:
        raise ServiceError("devices", lazy_format(
            _("A meeting has at most %(n)d devices"), n=MAX_DEVICES_PER_MEETING))
    now = timezone.now()
    for_now = start is None and end is None
    start, end = meeting_times(start=start, end=end, now=now)
    guests = guests_validated(guests)
    if language is not None and language not in dict(settings.LANGUAGES):
        raise Invalid("language", lazy_format(
            _("language must be one of %(languages)s"), languages=list(dict(settings.LANGUAGES))))
    ids = sorted({device.pk for device in devices})
    locked = lock_devices(ids, customer=customer)
    if len(locked) != len(ids):
        raise NotFound("device", _("Device not found"))
    check_free(device_ids=ids, start=start, end=end, now=now, for_now=for_now)
    meeting = Conference.objects.create(
        customer=customer, employee=employee, created_at=now, start_time=start, end_time=end,
        language=language or settings.LANGUAGE_CODE)
    with bookings_refused_as_busy(for_now=for_now):
        ConferenceDevice.objects.bulk_create(
            ConferenceDevice(conference=meeting, device=device, start_time=start, end_time=end,
                             settings=device.tablet_settings.to_wire())
            for device in locked
        )
    enqueue(provision_meeting, meeting.pk)
    audit_record(actor=actor, action="meeting.create", customer_id=customer.pk,
                 object_id=meeting.pk, target=str(meeting),
                 employee=employee.email if employee else None,
                 devices=[device.pk for device in locked],
                 **({} if for_now else {"start": start.isoformat(), "end": end.isoformat()}))
    guests_invite(meeting=meeting, guests=guests, actor=actor)
    return meeting


def _validated_fields(
    type_: object, value: object, volume: object, quality: object
) -> dict[str, object]:
    """The type-specific fields of a command; fields the type does not use are dropped."""
    if type_ not in CommandType.values:
        raise Invalid("command.type", lazy_format(
            _("Unknown command type; use one of %(types)s"), types=CommandType.values))
    if type_ in VALUE_TYPES:
        if not isinstance(value, bool):
            raise Invalid("command.value", _("value must be true or false"))
        return {"value": value}
    if type_ == CommandType.SET_VOLUME:
        if isinstance(volume, bool) or not isinstance(volume, int):
            raise Invalid("command.volume", _("volume must be a whole number"))
        if not 0 <= volume <= 100:
            raise Invalid("command.volume", _("volume must be between 0 and 100"))
        return {"volume": volume}
    if type_ == CommandType.SET_QUALITY:
        if quality not in Quality.values:
            raise Invalid("command.quality", lazy_format(
                _("quality must be one of %(qualities)s"), qualities=Quality.values))
        return {"quality": quality}
    return {}


@transaction.atomic
def command_queue(
    *,
    meeting: Conference,
    device: Device,
    type: str,
    value: object = None,
    volume: object = None,
    quality: object = None,
    created_by: User | None = None,
) -> Command:
    """Queue a command for one tablet of a meeting (docs/domain.md#command-lifecycle)."""
    fields = _validated_fields(type, value, volume, quality)
    # Lock the meeting: closing takes the same lock, so a command can never be queued on a
    # meeting that is being closed and then be left QUEUED on a CLOSED meeting.
    meeting = Conference.objects.select_for_update().get(pk=meeting.pk)
    participant = ConferenceDevice.objects.filter(conference=meeting, device=device).first()
    if participant is None:
        raise NotFound("device", _("Device not found in meeting"))
    if meeting.state == MeetingState.CLOSED:
        raise Conflict("meeting", _("Meeting is closed"))
    if meeting.end_requested_at is not None and type != CommandType.HANGUP:
        raise Conflict("meeting", _("Meeting is ending"))
    if type == CommandType.START_MEETING:
        if not meeting.is_ready:
            raise Conflict("meeting", _("Meeting is not ready"))
        if not Conference.objects.visible_to_tablets(timezone.now()).filter(
                pk=meeting.pk).exists():
            raise Conflict("meeting", _("Meeting has not begun"))
    if Command.objects.unfinished().filter(
        conference_device__device=device
    ).count() >= settings.COMMAND_QUEUE_LIMIT:
        raise ServiceError("device", _("Too many unfinished commands for this device"),
                           status=429)
    command = Command(conference_device=participant, type=type, created_by=created_by, **fields)
    command.full_clean()
    command.save()
    # Its tablets see the command: either write bumps the meeting's version.
    if type == CommandType.START_MEETING:  # started by hand: the start time queues no other
        Conference.objects.filter(pk=meeting.pk).update(
            start_queued_at=Coalesce("start_queued_at", timezone.now()))
    else:
        Conference.objects.filter(pk=meeting.pk).touch()
    audit_record(actor=created_by, action="command.queue", customer_id=meeting.customer_id,
                 object_id=meeting.pk, target=f"{device.name} ({device.serial})",
                 command=command.pk, type=type, **fields)
    return command
