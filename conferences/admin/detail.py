"""What the live part of a meeting's page shows: where the meeting stands, its room, the
controls that can work in that state, and each tablet's commands. Built from the meeting,
`meeting_timeline` and its guests: four queries however many tablets, commands and guests.

A control tells the truth about the tablet: its value is the one the tablet last *executed*
(its settings snapshot until it executed one); a value sent but not yet executed shows as
pending; one that failed or expired since the last executed one shows why."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from accounts.tablet_settings import Quality, TabletSettings

from ..models import (
    UNFINISHED_STATUSES,
    Command,
    CommandStatus,
    CommandType,
    Conference,
    ConferenceDevice,
    MeetingState,
)
from ..models import Provisioning as Prov
from ..selectors import meeting_timeline
from .standing import (
    NOT_EXECUTED,
    Standing,
    TabletPresence,
    command_not_done,
    meeting_standing,
    meeting_title,
    tablet_presence,
)

# The control of each command type, and the snapshot's name for its value.
CONTROLS = {
    CommandType.CAMERA_ON: ("camera", "camera_on"),
    CommandType.MICROPHONE_ON: ("microphone", "microphone_on"),
    CommandType.SET_VOLUME: ("volume", "volume"),
    CommandType.SET_QUALITY: ("quality", "quality"),
}


def command_value(command: Command) -> Any:
    values: dict[str, Any] = {CommandType.SET_VOLUME: command.volume,
                              CommandType.SET_QUALITY: command.quality}
    return values.get(command.type, command.value)


def _doing(command: Command) -> str:
    """What the tablet is being asked to do, as it happens: "Turning the camera off…"."""
    quality = command.get_quality_display() if command.quality else ""
    doing: dict[tuple[str, bool | None], Any] = {
        (CommandType.CAMERA_ON, True): _("Turning the camera on…"),
        (CommandType.CAMERA_ON, False): _("Turning the camera off…"),
        (CommandType.MICROPHONE_ON, True): _("Turning the microphone on…"),
        (CommandType.MICROPHONE_ON, False): _("Turning the microphone off…"),
    }
    return doing.get((command.type, command.value)) or (
        _("Setting the volume to %(volume)s…") % {"volume": command.volume}
        if command.type == CommandType.SET_VOLUME
        else _("Setting the quality to %(quality)s…") % {"quality": quality})


@dataclass(frozen=True)
class Control:
    value: Any  # what the tablet last executed (its snapshot until then)
    pending: str = ""  # "Turning the camera off…" while a command is on its way
    failure: str = ""  # why the latest command did not take effect


def controls_of(participant: ConferenceDevice, commands: list[Command]) -> dict[str, Control]:
    """Each control of one tablet, from its commands oldest first."""
    snapshot = TabletSettings.from_wire(participant.settings)
    tablet = participant.device.name
    controls = {}
    for type_, (name, setting) in CONTROLS.items():
        value: Any = getattr(snapshot, setting)
        pending = failure = ""
        for command in (c for c in commands if c.type == type_):
            if command.status == CommandStatus.EXECUTED:
                value, failure = command_value(command), ""
            elif command.status in UNFINISHED_STATUSES:
                # Sent again after a failure: the new attempt is what the nurse waits for.
                pending, failure = _doing(command), ""
            elif command.status in NOT_EXECUTED:
                failure = command_not_done(command, tablet)
        controls[name] = Control(value=value, pending=pending, failure=failure)
    return controls


@dataclass(frozen=True)
class TabletRow:
    participant: ConferenceDevice
    online: bool
    last_seen_at: datetime | None
    commands: list[Command]
    presence: TabletPresence
    camera: Control
    microphone: Control
    volume: Control
    quality: Control

    @property
    def failures(self) -> list[str]:
        return [c.failure for c in (self.camera, self.microphone, self.volume, self.quality)
                if c.failure]


def tablet_row(participant: ConferenceDevice, commands: list[Command]) -> TabletRow:
    device = participant.device
    return TabletRow(participant=participant, online=device.is_online,
                     last_seen_at=device.last_seen_at, commands=commands,
                     presence=tablet_presence(device.name, commands),
                     **controls_of(participant, commands))


def control_phase(meeting: Conference) -> str:
    """Which controls can work: none once CLOSED or while ending (only HANGUPs are queued
    then); START_MEETING needs the room provisioned; a failed room can be retried."""
    if meeting.state == MeetingState.CLOSED:
        return "closed"
    if meeting.end_requested_at is not None:
        return "ending"
    phases: dict[str, str] = {Prov.OK: "ready", Prov.FAILED: "failed"}
    return phases.get(meeting.provisioning, "pending")


def _controls_key(phase: str, rows: list[TabletRow]) -> str:
    """Changes whenever what the controls show changes, and only then: live.js swaps them
    then (a value being typed is kept while nothing changed)."""
    state = repr([phase] + [(r.online, r.camera, r.microphone, r.volume, r.quality)
                            for r in rows])
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def live_context(meeting: Conference, *, can_run: bool) -> dict[str, Any]:
    """The context of the live fragment (and of the page around it)."""
    rows = [tablet_row(p, commands) for p, commands in meeting_timeline(meeting)]
    phase = control_phase(meeting)
    standing: Standing = meeting_standing(meeting, [row.presence for row in rows])
    return {
        "meeting": meeting,
        "meeting_title": meeting_title(meeting, [r.participant.device.name for r in rows]),
        "standing": standing,
        "rows": rows,
        "can_run": can_run,
        "phase": phase,
        "controls_key": _controls_key(phase, rows),
        "qualities": Quality.choices,
        "guests": list(meeting.guests.all()),
    }
