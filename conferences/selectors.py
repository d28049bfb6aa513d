"""Reads for meetings and commands."""

from __future__ import annotations

from django.db.models import Subquery

from devices.models import Device
from flexcare.errors import NotFound

from .models import Command, Conference, ConferenceDevice


def tablet_meeting(
    device: Device,
) -> tuple[Conference, list[ConferenceDevice], list[Command]] | None:
    """The device's ready meeting with every participant and command, in two queries
    whatever the size of the meeting (the newest, if against the rules there were several)."""
    newest_ready = (
        Conference.objects.ready()
        .filter(participants__device=device)
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    participants = list(
        ConferenceDevice.objects.filter(conference_id=Subquery(newest_ready))
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
        raise NotFound("device", "Device not found in meeting")
    raise NotFound("meeting", "Meeting not found")
