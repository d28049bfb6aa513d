"""What the buttons of the meeting page do: each one calls the very service the API calls."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from flexcare.errors import NotFound

from ..guests import guest_resend
from ..lifecycle import EndOutcome, meeting_end, meeting_retry_provisioning
from ..models import CommandType, Conference
from ..services import command_queue


def run_meeting_action(meeting: Conference, user: User, data: dict[str, Any]) -> tuple[int, str]:
    """Perform one validated CommandForm action; returns the message level and the message for
    the employee, which says what really happened. Services raise ServiceError for anything
    they refuse."""
    action = data["action"]
    if action == "end":
        outcome = meeting_end(meeting=meeting, ended_by=user).outcome
        return {
            EndOutcome.ALREADY_CLOSED: (messages.WARNING, _("The meeting is already closed.")),
            EndOutcome.ALREADY_ENDING: (
                messages.WARNING,
                _("The meeting is already ending: its tablets have been asked to hang up.")),
            EndOutcome.CLOSED: (
                messages.SUCCESS,
                _("The meeting is closed. Its room was never ready, so no tablet had joined.")),
            EndOutcome.CANCELLED: (
                messages.SUCCESS,
                _("The meeting is cancelled: it had not begun. Its guests are told.")),
            EndOutcome.ENDING: (
                messages.SUCCESS, _("Ending the meeting: every tablet is asked to hang up.")),
        }[outcome]
    if action == "retry":
        if not meeting_retry_provisioning(meeting=meeting, actor=user):
            return messages.WARNING, _("Provisioning has not failed: there is nothing to retry.")
        return messages.SUCCESS, _("Provisioning queued again.")
    if action == "resend":
        guest = meeting.guests.filter(pk=data.get("guest")).first()
        if guest is None:
            raise NotFound("guest", _("Guest not found in meeting"))
        guest_resend(guest=guest, actor=user)
        return messages.SUCCESS, _("The invitation is being sent to %(email)s again.") % {
            "email": guest.email}
    if action == "start":
        participants = list(meeting.participants.select_related("device"))
        with transaction.atomic():  # every tablet or none
            for participant in participants:
                command_queue(meeting=meeting, device=participant.device,
                              type=CommandType.START_MEETING, created_by=user)
        return messages.SUCCESS, _("Start sent to %(count)d tablet(s).") % {
            "count": len(participants)}
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
    return messages.SUCCESS, _("%(command)s sent to %(tablet)s.") % {
        "command": command.describe(), "tablet": participant.device.name}
