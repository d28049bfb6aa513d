"""Writes for meetings and commands. The admin, the API and the tasks call these."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import Customer, User
from accounts.services import require_meeting_customer
from accounts.tablet_settings import Quality
from devices.models import Device
from flexcare.errors import Conflict, Invalid, NotFound, ServiceError, lazy_format

from .models import (
    VALUE_TYPES,
    Command,
    CommandType,
    Conference,
    ConferenceDevice,
    MeetingState,
)
from .queueing import enqueue
from .tasks import provision_meeting

# Each tablet of a new meeting is row-locked while it is created: keep that bounded.
MAX_DEVICES_PER_MEETING = 50
DEVICE_BUSY = _("Device is already in an active meeting")


@transaction.atomic
def meeting_create(
    *, customer: Customer, devices: Sequence[Device], employee: User | None,
    actor: User | None = None,
) -> Conference:
    """Create a CREATED/PENDING meeting with a settings snapshot of each device, and queue
    the booking of its room (on commit). `employee` is whom the meeting is for (a MANAGER may
    create one for a colleague); `actor`, who asked for it, is whom the audit trail names.

    A device may be in one open meeting only: checked under row locks here, and enforced by
    the partial unique index `one_open_meeting_per_device` should two requests still race.
    """
    require_meeting_customer(customer)
    if not devices:
        raise ServiceError("devices", _("At least one device is required"))
    if len({device.pk for device in devices}) > MAX_DEVICES_PER_MEETING:
        raise ServiceError("devices", lazy_format(
            _("A meeting has at most %(n)d devices"), n=MAX_DEVICES_PER_MEETING))
    ids = sorted({device.pk for device in devices})
    # Lock in id order so that two overlapping creates cannot deadlock.
    locked = list(
        Device.objects.select_for_update().filter(pk__in=ids, customer=customer).order_by("pk")
    )
    if len(locked) != len(ids):
        raise NotFound("device", _("Device not found"))
    if ConferenceDevice.objects.filter(device_id__in=ids, active=True).exists():
        raise Conflict("device", DEVICE_BUSY)
    meeting = Conference.objects.create(customer=customer, employee=employee)
    try:
        with transaction.atomic():
            ConferenceDevice.objects.bulk_create(
                ConferenceDevice(
                    conference=meeting, device=device, settings=device.tablet_settings.to_wire()
                )
                for device in locked
            )
    except IntegrityError as exc:
        raise Conflict("device", DEVICE_BUSY) from exc
    enqueue(provision_meeting, meeting.pk)
    audit_record(actor=actor, action="meeting.create", customer_id=customer.pk,
                 object_id=meeting.pk, target=str(meeting),
                 employee=employee.email if employee else None,
                 devices=[device.pk for device in locked])
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
    if type == CommandType.START_MEETING and not meeting.is_ready:
        raise Conflict("meeting", _("Meeting is not ready"))
    if Command.objects.unfinished().filter(
        conference_device__device=device
    ).count() >= settings.COMMAND_QUEUE_LIMIT:
        raise ServiceError("device", _("Too many unfinished commands for this device"),
                           status=429)
    command = Command(conference_device=participant, type=type, created_by=created_by, **fields)
    command.full_clean()
    command.save()
    Conference.objects.filter(pk=meeting.pk).touch()  # its tablets see the command
    audit_record(actor=created_by, action="command.queue", customer_id=meeting.customer_id,
                 object_id=meeting.pk, target=f"{device.name} ({device.serial})",
                 command=command.pk, type=type, **fields)
    return command
