"""What the buttons of the meeting page do: each one calls the very service the API calls."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from flexcare.errors import NotFound

from .lifecycle import meeting_end, meeting_retry_provisioning
from .models import CommandType, Conference
from .services import command_queue


def run_meeting_action(meeting: Conference, user: User, data: dict[str, Any]) -> str:
    """Perform one validated CommandForm action; returns the message for the employee.
    Services raise ServiceError for anything they refuse."""
    action = data["action"]
    if action == "end":
        meeting_end(meeting=meeting, ended_by=user)
        return _("Ending the meeting: every tablet is asked to hang up.")
    if action == "retry":
        meeting_retry_provisioning(meeting=meeting, actor=user)
        return _("Provisioning queued again.")
    if action == "start":
        participants = list(meeting.participants.select_related("device"))
        with transaction.atomic():  # every tablet or none
            for participant in participants:
                command_queue(meeting=meeting, device=participant.device,
                              type=CommandType.START_MEETING, created_by=user)
        return _("Start sent to %(count)d tablet(s).") % {"count": len(participants)}
    participant = meeting.participants.select_related("device").filter(
        device_id=data.get("device")
    ).first()
    if participant is None:
        raise NotFound("device", _("Device not found in meeting"))
    fields: dict[str, Any] = {
        "camera": {"type": CommandType.CAMERA_ON, "value": data.get("value") == "on"},
        "microphone": {"type": CommandType.MICROPHONE_ON, "value": data.get("value") == "on"},
        "volume": {"type": CommandType.SET_VOLUME, "volume": data.get("volume")},
        "quality": {"type": CommandType.SET_QUALITY, "quality": data.get("quality") or None},
    }[action]
    command = command_queue(meeting=meeting, device=participant.device, created_by=user,
                            **fields)
    return _("%(command)s sent to %(tablet)s.") % {
        "command": command.get_type_display(), "tablet": participant.device.name}
