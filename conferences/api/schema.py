"""Serializers that document the wire shapes in OpenAPI. The responses themselves are built by
conferences.wire; tests validate real responses against this schema so the two cannot drift."""

from __future__ import annotations

from rest_framework import serializers

from devices.tablet_settings import Quality

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
