"""Serializers that document the wire shapes in OpenAPI. The responses themselves are built by
conferences.wire; tests validate real responses against this schema so the two cannot drift."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.tablet_settings import Quality

from ..models import CommandType, MeetingState, Provisioning

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


class EmployeeMeetingOut(MeetingOut):
    provisioning = serializers.ChoiceField(Provisioning.choices)


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


class CreateMeetingIn(serializers.Serializer):
    customer = serializers.CharField(help_text="The customer's id")
    devices = serializers.ListField(child=DeviceRefField(), min_length=1,
                                    help_text="The tablets: ids, or objects with `_id`")
    employee = serializers.CharField(
        required=False, allow_null=True,
        help_text="Who the meeting is for: an employee of the customer that the caller may "
        "see. Default: the caller.",
    )


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
