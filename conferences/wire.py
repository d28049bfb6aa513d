"""The TelecomX wire shapes of meetings and commands (docs/api.md#the-meeting-document). Plain
dicts, built in one pass: the tablets poll these, so no serializer machinery on the hot path."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from .models import Command, Conference, ConferenceDevice, Guest


def wire_time(value: datetime | None) -> str | None:
    """`2016-01-01T00:00:00.000Z`: UTC with milliseconds."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


def command_wire(command: Command) -> dict[str, Any]:
    return {
        "_id": command.pk,
        "type": command.type,
        "value": command.value,
        "volume": command.volume,
        "quality": command.quality,
        "fetched": command.fetched,
        "executed": command.executed,
    }


# The tablet's own fields a meeting document shows, live (its settings are a snapshot).
DEVICE_WIRE_FIELDS = frozenset({"technical_room_number", "serial", "name", "device_id"})


def participant_wire(participant: ConferenceDevice, commands: Iterable[Command]) -> dict[str, Any]:
    device = participant.device
    return {
        "_id": device.pk,
        "technicalRoomNumber": device.technical_room_number,
        "serial": device.serial,
        "name": device.name,
        "deviceId": device.device_id,
        "settings": participant.settings,
        "commands": [command_wire(command) for command in commands],
    }


def meeting_wire(
    meeting: Conference,
    participants: Iterable[ConferenceDevice],
    commands: Iterable[Command],
    *,
    with_provisioning: bool = False,
) -> dict[str, Any]:
    """The meeting document; `commands` of all participants, oldest first."""
    by_participant: dict[str, list[Command]] = {}
    for command in commands:
        by_participant.setdefault(command.conference_device_id, []).append(command)
    body: dict[str, Any] = {
        "_id": meeting.pk,
        "customer": meeting.customer_id,
        "employee": meeting.employee_id,
        "uri": meeting.uri,
        "pin": meeting.pin,
        "desktopLink": meeting.desktop_link,
        "clinicalLink": meeting.clinical_link,
        "mobileLink": meeting.mobile_link,
        "state": meeting.state,
        "created": wire_time(meeting.created_at),
        "devices": [
            participant_wire(participant, by_participant.get(participant.pk, ()))
            for participant in participants
        ],
    }
    if with_provisioning:
        body["provisioning"] = meeting.provisioning
    return body


def guest_wire(guest: Guest) -> dict[str, Any]:
    return {
        "_id": guest.pk,
        "email": guest.email,
        "name": guest.name,
        "status": guest.status,
        "reason": guest.reason,
        "sentAt": wire_time(guest.sent_at),
    }


def employee_meeting_wire(
    meeting: Conference, participants: Iterable[ConferenceDevice], commands: Iterable[Command],
) -> dict[str, Any]:
    """The employees' meeting object: the meeting document with its provisioning, its times,
    language and guests (`meeting.guests` prefetched: selectors.meeting_documents). Tablets
    never see these keys."""
    return meeting_wire(meeting, participants, commands, with_provisioning=True) | {
        "startTime": wire_time(meeting.start_time),
        "endTime": wire_time(meeting.end_time),
        "language": meeting.language,
        "guests": [guest_wire(guest) for guest in meeting.guests.all()],
    }
