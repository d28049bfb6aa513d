"""Serializers that document the wire shapes in OpenAPI. The responses themselves are built by
conferences.wire; tests validate real responses against this schema so the two cannot drift."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.tablet_settings import Quality

from ..guests import MAX_GUESTS, NAME_MAX
from ..models import CommandType, GuestStatus, MeetingState, Provisioning

# Wire names are camelCase.


class CommandOut(serializers.Serializer):
    _id = serializers.CharField()
    type = serializers.ChoiceField(CommandType.choices)
    value = serializers.BooleanField(allow_null=True, help_text="CAMERA_ON/MICROPHONE_ON only")
    volume = serializers.IntegerField(allow_null=True, help_text="SET_VOLUME only, 0 to 100")
    quality = serializers.ChoiceField(Quality.choices, allow_null=True,
                                      help_text="SET_QUALITY only")
    fetched = serializers.BooleanField(help_text="Delivered to the tablet at least once")
    executed = serializers.BooleanField(help_text="Acknowledged as executed by the tablet")


class SettingsOut(serializers.Serializer):
    medcomUri = serializers.CharField()
    cameraOn = serializers.BooleanField()
    microphoneOn = serializers.BooleanField()
    setVolume = serializers.BooleanField()
    addParticipant = serializers.BooleanField()
    volume = serializers.IntegerField(min_value=0, max_value=100)
    quality = serializers.ChoiceField(Quality.choices)


class MeetingDeviceOut(serializers.Serializer):
    _id = serializers.CharField()
    technicalRoomNumber = serializers.CharField()
    serial = serializers.CharField()
    name = serializers.CharField()
    deviceId = serializers.CharField()
    settings = SettingsOut(help_text="Snapshot taken when the device joined the meeting")
    commands = CommandOut(many=True)


class MeetingOut(serializers.Serializer):
    _id = serializers.CharField()
    customer = serializers.CharField()
    employee = serializers.CharField(allow_null=True)
    uri = serializers.CharField()
    pin = serializers.CharField()
    desktopLink = serializers.CharField()
    clinicalLink = serializers.CharField()
    mobileLink = serializers.CharField()
    state = serializers.ChoiceField(MeetingState.choices)
    created = serializers.DateTimeField(help_text="UTC, `2016-01-01T00:00:00.000Z`")
    devices = MeetingDeviceOut(many=True)


class GuestOut(serializers.Serializer):
    _id = serializers.CharField()
    email = serializers.EmailField()
    name = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(GuestStatus.choices, help_text="Of the newest e-mail due "
                                     "to the guest: PENDING until sent, or FAILED")
    reason = serializers.CharField(allow_blank=True, help_text="Why the last sending failed")
    sentAt = serializers.DateTimeField(allow_null=True, help_text="When the guest was last "
                                       "sent an e-mail; UTC, `2016-01-01T00:00:00.000Z`")


class EmployeeMeetingOut(MeetingOut):
    provisioning = serializers.ChoiceField(Provisioning.choices)
    startTime = serializers.DateTimeField(help_text="UTC. A meeting for now: when it was created")
    endTime = serializers.DateTimeField(help_text="UTC. A meeting for now: after the maximum "
                                        "duration")
    language = serializers.ChoiceField(settings.LANGUAGES,
                                       help_text="The language of the guests' e-mails")
    guests = GuestOut(many=True, help_text="In the order they were invited")


class CommandsOut(serializers.Serializer):
    commands = CommandOut(many=True)


class AckOut(serializers.Serializer):
    success = serializers.BooleanField()
    command = CommandOut()


class TokenIn(serializers.Serializer):
    token = serializers.CharField(help_text="The device token (or `Authorization: Bearer`)")


class AckIn(TokenIn):
    success = serializers.BooleanField(default=True)
    error = serializers.CharField(required=False, allow_blank=True, max_length=2000)


# Employee requests and answers.


@extend_schema_field({
    "oneOf": [
        {"type": "string", "description": "The device id"},
        {"type": "object", "properties": {"_id": {"type": "string"}}, "required": ["_id"],
         "description": "A device object; only `_id` is read"},
    ]
})
class DeviceRefField(serializers.JSONField):
    pass


_TIME_IN = ("the wire format (`2016-01-01T00:00:00.000Z`) or ISO 8601 with an offset "
            "(`2026-03-03T10:00:00+01:00`)")


class GuestIn(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField(required=False, allow_null=True, allow_blank=True,
                                 max_length=NAME_MAX)


class CreateMeetingIn(serializers.Serializer):
    customer = serializers.CharField(help_text="The customer's id")
    devices = serializers.ListField(child=DeviceRefField(), min_length=1,
                                    help_text="The tablets: ids, or objects with `_id`")
    employee = serializers.CharField(
        required=False, allow_null=True,
        help_text="Who the meeting is for: an employee of the customer that the caller may "
        "see. Default: the caller.",
    )
    startTime = serializers.DateTimeField(
        required=False, allow_null=True,
        help_text=f"Book the meeting ahead: its start, {_TIME_IN}; in the future, at most 90 "
        "days ahead. Without it (and `endTime`) the meeting is for now.")
    endTime = serializers.DateTimeField(
        required=False, allow_null=True,
        help_text=f"Its end, {_TIME_IN}; after `startTime`, within the maximum duration. "
        "Default: an hour after the start.")
    # many=True hands max_length to the ListSerializer; the stubs type the child's __init__.
    guests = GuestIn(many=True, required=False, allow_null=True,  # type: ignore[call-arg]
                     max_length=MAX_GUESTS, help_text="Invited by e-mail")
    language = serializers.ChoiceField(
        settings.LANGUAGES, required=False, allow_null=True,
        help_text="The language of the guests' e-mails. Default: the caller's "
        "(`Accept-Language`), else English.")


class RescheduleIn(serializers.Serializer):
    startTime = serializers.DateTimeField(required=False, allow_null=True,
                                          help_text=f"The new start, {_TIME_IN}")
    endTime = serializers.DateTimeField(required=False, allow_null=True,
                                        help_text=f"The new end, {_TIME_IN}")


class AddGuestsIn(serializers.Serializer):
    guests = GuestIn(many=True, max_length=MAX_GUESTS)  # type: ignore[call-arg]  # as above


class CommandIn(serializers.Serializer):
    type = serializers.ChoiceField(CommandType.choices)
    value = serializers.BooleanField(required=False, allow_null=True,
                                     help_text="CAMERA_ON/MICROPHONE_ON only: a JSON boolean")
    volume = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                      max_value=100, help_text="SET_VOLUME only")
    quality = serializers.ChoiceField(Quality.choices, required=False, allow_null=True,
                                      help_text="SET_QUALITY only")


class CreateCommandIn(serializers.Serializer):
    deviceId = serializers.CharField(help_text="The id of a device in the meeting")
    command = CommandIn()


class DeviceStateOut(serializers.Serializer):
    commands = CommandOut(many=True, help_text="The device's commands here, oldest first")
    state = serializers.ChoiceField(MeetingState.choices, help_text="The meeting's state")
    settings = SettingsOut(help_text="Snapshot taken when the device joined the meeting")


class MeetingListOut(serializers.Serializer):
    offset = serializers.IntegerField()
    limit = serializers.IntegerField()
    total = serializers.IntegerField(help_text="Meetings matching, over all pages")
    meetings = EmployeeMeetingOut(many=True, help_text="Newest first")
