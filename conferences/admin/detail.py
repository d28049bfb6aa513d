"""What the live part of a meeting's page shows: its state and room, the controls that can work
in that state, and each tablet's commands with the values its controls start from. Built from
the meeting, `meeting_timeline` and its guests: four queries however many there are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.tablet_settings import Quality, TabletSettings

from ..models import Command, CommandStatus, CommandType, Conference, ConferenceDevice, MeetingState
from ..models import Provisioning as Prov
from ..selectors import meeting_timeline

# A command in one of these is (or is about to be) the tablet's setting; a failed, expired or
# canceled one never took effect.
APPLIED_STATUSES = (CommandStatus.QUEUED, CommandStatus.FETCHED, CommandStatus.EXECUTED)


@dataclass(frozen=True)
class TabletRow:
    participant: ConferenceDevice
    online: bool
    commands: list[Command]
    # What the tablet was last told (its settings snapshot until a command says otherwise).
    camera: bool
    microphone: bool
    volume: int
    quality: str


def tablet_row(participant: ConferenceDevice, commands: list[Command]) -> TabletRow:
    """`commands` oldest first, as meeting_timeline gives them: the newest applied one of each
    type wins over the snapshot."""
    snapshot = TabletSettings.from_wire(participant.settings)
    current: dict[str, Any] = {
        "camera": snapshot.camera_on, "microphone": snapshot.microphone_on,
        "volume": snapshot.volume, "quality": snapshot.quality,
    }
    for command in commands:
        if command.status not in APPLIED_STATUSES:
            continue
        if command.type == CommandType.CAMERA_ON:
            current["camera"] = command.value
        elif command.type == CommandType.MICROPHONE_ON:
            current["microphone"] = command.value
        elif command.type == CommandType.SET_VOLUME:
            current["volume"] = command.volume
        elif command.type == CommandType.SET_QUALITY:
            current["quality"] = command.quality
    return TabletRow(participant=participant, online=participant.device.is_online,
                     commands=commands, **current)


def control_phase(meeting: Conference) -> str:
    """Which controls can work: none once CLOSED or while ending (only HANGUPs are queued
    then); START_MEETING needs the room provisioned; a failed room can be retried."""
    if meeting.state == MeetingState.CLOSED:
        return "closed"
    if meeting.end_requested_at is not None:
        return "ending"
    phases: dict[str, str] = {Prov.OK: "ready", Prov.FAILED: "failed"}
    return phases.get(meeting.provisioning, "pending")


def live_context(meeting: Conference, *, can_run: bool) -> dict[str, Any]:
    """The context of the live fragment (and of the page around it)."""
    return {
        "meeting": meeting,
        "rows": [tablet_row(p, commands) for p, commands in meeting_timeline(meeting)],
        "can_run": can_run,
        "phase": control_phase(meeting),
        "qualities": Quality.choices,
        "guests": list(meeting.guests.all()),
    }
