"""Reads for meetings and commands."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from devices.models import Device
from flexcare.errors import NotFound

from .models import Command, Conference, ConferenceDevice, Guest

MeetingDocument = tuple[Conference, list[ConferenceDevice], list[Command]]


def tablet_meeting(meeting_id: str) -> MeetingDocument | None:
    """The meeting a tablet's poll found ready (conferences.polling) with every participant
    and command, for its document: two queries whatever the size of the meeting."""
    participants = list(
        ConferenceDevice.objects.filter(conference_id=meeting_id)
        .select_related("conference", "device")
        .order_by("added_at", "pk")
    )
    if not participants:
        return None
    commands = list(
        Command.objects.filter(conference_device__in=[p.pk for p in participants]).order_by(
            "created_at", "pk"
        )
    )
    return participants[0].conference, participants, commands


def tablet_participation(
    device: Device, meeting_id: str, *, include_closed: bool = False
) -> ConferenceDevice:
    """The device's place in a meeting, or the contract's 404 (`meeting` or `device`).

    A meeting of another customer is "not found", exactly like one that does not exist; so
    is a CLOSED one unless `include_closed` (acknowledgements of canceled commands)."""
    meetings = Conference.objects.all() if include_closed else Conference.objects.open()
    participant = (
        ConferenceDevice.objects.select_related("conference")
        .filter(conference__in=meetings.filter(pk=meeting_id), device=device)
        .first()
    )
    if participant is not None:
        return participant
    if meetings.filter(pk=meeting_id, customer_id=device.customer_id).exists():
        raise NotFound("device", _("Device not found in meeting"))
    raise NotFound("meeting", _("Meeting not found"))


def meeting_documents(meetings: QuerySet[Conference]) -> list[MeetingDocument]:
    """Each meeting with its participants (and devices) and their commands, oldest first, and
    its guests (`meeting.guests.all()`), in four queries however many meetings and devices:
    the employee API's meeting objects."""
    commands = Prefetch("commands", queryset=Command.objects.order_by("created_at", "pk"))
    participants = Prefetch(
        "participants",
        queryset=ConferenceDevice.objects.select_related("device")
        .order_by("added_at", "pk")
        .prefetch_related(commands),
    )
    guests = Prefetch("guests", queryset=Guest.objects.order_by("created_at", "pk"))
    documents = []
    for meeting in meetings.prefetch_related(participants, guests):
        joined = list(meeting.participants.all())
        documents.append(
            (meeting, joined, [command for p in joined for command in p.commands.all()])
        )
    return documents


def meeting_document(meeting: Conference) -> MeetingDocument:
    return meeting_documents(Conference.objects.filter(pk=meeting.pk))[0]


def meeting_participant(
    meeting: Conference, device_id: str
) -> tuple[ConferenceDevice, list[Command]]:
    """A device's place in the meeting and its commands there, oldest first."""
    participant = meeting.participants.filter(device_id=device_id).first()
    if participant is None:
        raise NotFound("device", _("Device not found in meeting"))
    return participant, list(participant.commands.order_by("created_at", "pk"))


def meeting_timeline(meeting: Conference) -> list[tuple[ConferenceDevice, list[Command]]]:
    """Each tablet of the meeting with its commands, oldest first (two queries)."""
    participants = list(
        ConferenceDevice.objects.filter(conference=meeting).select_related("device")
        .order_by("added_at", "pk")
    )
    by_participant: dict[str, list[Command]] = {p.pk: [] for p in participants}
    for command in (
        Command.objects.filter(conference_device__in=participants)
        .select_related("created_by").order_by("created_at", "pk")
    ):
        by_participant[command.conference_device_id].append(command)
    return [(p, by_participant[p.pk]) for p in participants]


def devices_for_new_meeting(
    customer_id: str, user: object, *, start: datetime | None = None,
    end: datetime | None = None,
) -> list[tuple[Device, str | None]]:
    """The customer's tablets the user may see, each with the open meeting (its id) that
    overlaps `start` to `end`, or None (default: a meeting for now, which may last the maximum
    duration)."""
    start = start or timezone.now()
    end = end or start + timedelta(seconds=settings.MEETING_MAX_DURATION_SECONDS)
    busy = dict(
        ConferenceDevice.objects.filter(active=True, device__customer_id=customer_id,
                                        start_time__lt=end, end_time__gt=start)
        .values_list("device_id", "conference_id")
    )
    devices = Device.objects.for_user(user).filter(customer_id=customer_id).order_by("name")
    return [(device, busy.get(device.pk)) for device in devices]


def meetings_between(
    user: object, first: date, last: date, zone: tzinfo, *, customer: Customer | None = None
) -> QuerySet[Conference]:
    """The user's meetings created on the days `first`..`last` (inclusive, whole days in
    `zone`, so a DST change makes a day 23 or 25 hours long), newest first."""
    meetings = Conference.objects.for_user(user).filter(
        created_at__gte=datetime.combine(first, time.min, tzinfo=zone),
        created_at__lt=datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
    )
    if customer is not None:
        meetings = meetings.filter(customer=customer)
    return meetings.order_by("-created_at", "-pk")
