"""Where a meeting stands, in the words a nurse uses: one sentence for the meeting page
("Room ready; waiting for Bed 2 to join"), a short line for the front page ("Bed 2 in meeting"),
and the title that names a meeting by its beds and time ("Bed 2 · 15:12").

Built from what the tablets did, not from what was sent: a tablet is in the meeting once it
executed its START_MEETING and until it executed a HANGUP."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from flexcare.moments import local_moment

from ..models import (
    UNFINISHED_STATUSES,
    Command,
    CommandStatus,
    CommandType,
    Conference,
    MeetingState,
    Provisioning,
)

# A command in one of these never took effect (CANCELED ones were withdrawn, not refused).
NOT_EXECUTED = (CommandStatus.FAILED, CommandStatus.EXPIRED)

# The one thing about a tablet the meeting's standing needs.
WAITING, JOINED, LEFT, NOT_JOINED, NOT_CALLED = "waiting", "joined", "left", "not_joined", "idle"


@dataclass(frozen=True)
class TabletPresence:
    name: str
    presence: str  # WAITING, JOINED, LEFT, NOT_JOINED (its START failed) or NOT_CALLED
    error: str = ""


def tablet_presence(name: str, commands: Iterable[Command]) -> TabletPresence:
    """From one tablet's START_MEETING and HANGUP commands in a meeting, oldest first."""
    presence, error = NOT_CALLED, ""
    for command in commands:
        if command.type == CommandType.START_MEETING:
            if command.status in UNFINISHED_STATUSES:
                presence, error = WAITING, ""
            elif command.status == CommandStatus.EXECUTED:
                presence, error = JOINED, ""
            elif command.status in NOT_EXECUTED:
                presence, error = NOT_JOINED, command_not_done(command, name)
        elif command.type == CommandType.HANGUP and command.status == CommandStatus.EXECUTED:
            presence, error = LEFT, ""
    return TabletPresence(name=name, presence=presence, error=error)


def command_not_done(command: Command, tablet: str) -> str:
    """Why a command did not take effect, naming the tablet: "Bed 2 did not turn its camera
    off: <error>" (FAILED: the tablet's error; EXPIRED: it never fetched it in time)."""
    did_not = {
        (CommandType.CAMERA_ON, True): _("%(tablet)s did not turn its camera on"),
        (CommandType.CAMERA_ON, False): _("%(tablet)s did not turn its camera off"),
        (CommandType.MICROPHONE_ON, True): _("%(tablet)s did not turn its microphone on"),
        (CommandType.MICROPHONE_ON, False): _("%(tablet)s did not turn its microphone off"),
        (CommandType.SET_VOLUME, None): _("%(tablet)s did not set its volume to %(volume)s"),
        (CommandType.SET_QUALITY, None): _("%(tablet)s did not set its quality to %(quality)s"),
        (CommandType.START_MEETING, None): _("%(tablet)s did not join"),
        (CommandType.HANGUP, None): _("%(tablet)s did not hang up"),
    }[(CommandType(command.type), command.value)]
    what = did_not % {"tablet": tablet, "volume": command.volume,
                      "quality": command.get_quality_display() if command.quality else ""}
    reason = command.error if command.status == CommandStatus.FAILED else ""
    return _("%(what)s: %(reason)s") % {
        "what": what, "reason": reason or _("it did not fetch the command in time")}


def _names(tablets: Sequence[TabletPresence]) -> str:
    return str(get_text_list([t.name for t in tablets], _("and")))


def meeting_title(meeting: Conference, bed_names: Sequence[str]) -> str:
    """"Bed 2 · 15:12": the beds, then when it began (its start, else its creation)."""
    beds = ", ".join(bed_names) or _("No tablets")
    return f"{beds} · {local_moment(meeting.started_at or meeting.created_at)}"


@dataclass(frozen=True)
class Standing:
    kind: str  # booking, failed, ready, live, ending, closed: the CSS and the tests read it
    short: str  # the front page's line
    sentence: str  # the meeting page's
    since: datetime | None  # what the front page's "· 3 min" counts from


def meeting_standing(meeting: Conference, tablets: Sequence[TabletPresence]) -> Standing:
    if meeting.state == MeetingState.CLOSED:
        closed = meeting.closed_at or meeting.created_at
        return Standing("closed", _("Closed"),
                        _("Closed at %(time)s.") % {"time": local_moment(closed)}, None)
    if meeting.end_requested_at is not None:
        still = [t for t in tablets if t.presence == JOINED]
        sentence = (_("Ending: waiting for %(beds)s to hang up.") % {"beds": _names(still)}
                    if still else _("Ending…"))
        return Standing("ending", _("Ending…"), sentence, meeting.end_requested_at)
    if meeting.provisioning == Provisioning.FAILED:
        return Standing("failed", _("Room could not be booked"),
                        _("The room could not be booked: %(error)s")
                        % {"error": meeting.provisioning_error}, None)
    if meeting.provisioning != Provisioning.OK:
        return Standing("booking", _("Booking the room…"), _("Booking the room…"),
                        meeting.created_at)
    joined = [t for t in tablets if t.presence == JOINED]
    waiting = [t for t in tablets if t.presence == WAITING]
    parts = []
    if joined:
        parts.append(_("%(beds)s in meeting") % {"beds": _names(joined)})
    if waiting:
        parts.append(_("waiting for %(beds)s to join") % {"beds": _names(waiting)})
    parts += [t.error for t in tablets if t.presence == NOT_JOINED]
    if not joined:
        parts.insert(0, _("Room ready"))
    line = "; ".join(parts)
    sentence = line[:1].upper() + line[1:]
    if joined:
        short = _("%(beds)s in meeting") % {"beds": _names(joined)}
        since = meeting.started_at
    elif waiting:
        short = _("Waiting for %(beds)s to join") % {"beds": _names(waiting)}
        since = meeting.provisioned_at
    else:
        short, since = _("Room ready"), meeting.provisioned_at
    return Standing("live" if joined else "ready", short, f"{sentence}.", since)
