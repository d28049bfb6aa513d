"""Serializers that document the wire shapes in OpenAPI. The responses themselves are built by
conferences.wire; tests validate real responses against this schema so the two cannot drift."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.tablet_settings import Quality
from flexcare.api.schema import OBJECT_ID, WireBooleanField

from ..guests import MAX_GUESTS, NAME_MAX
from ..models import VALUE_TYPES, CommandType, GuestStatus, MeetingState, Provisioning
from ..services import MAX_DEVICES_PER_MEETING

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


@extend_schema_field({
    "description": "The device token, unless it is sent as `Authorization: Bearer` (which "
    "wins). Text; any other value counts as no token (`403 token`).",
})
class TokenField(serializers.JSONField):
    pass


class TokenIn(serializers.Serializer):
    # Not required: the token may come as a bearer header instead.
    token = TokenField(required=False)


ACK_ERROR_MAX = 2000


# DRF's CharField also takes a number, as its text.
@extend_schema_field({"anyOf": [{"type": "string", "maxLength": ACK_ERROR_MAX},
                                {"type": "number"}]})
class AckErrorField(serializers.CharField):
    pass


class AckIn(TokenIn):
    success = WireBooleanField(default=True, help_text="Default true")
    error = AckErrorField(required=False, allow_blank=True, max_length=ACK_ERROR_MAX,
                          help_text="Why the command failed (a number is read as its text)")


# Employee requests and answers.


@extend_schema_field({
    "oneOf": [
        {**OBJECT_ID, "description": "The tablet's id"},
        {"type": "object", "properties": {"_id": OBJECT_ID}, "required": ["_id"],
         "description": "A tablet object; only `_id` is read"},
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


_EMPLOYEE_HELP = (
    "Whom the meeting is for: an enabled employee of the customer whom the caller may see. "
    "Absent, null or empty: the caller."
)
_OPTIONAL_ID = r"^([0-9a-f]{24})?$"


class CreateMeetingIn(serializers.Serializer):
    customer = serializers.RegexField(OBJECT_ID["pattern"], help_text="The customer's id")
    devices = serializers.ListField(
        child=DeviceRefField(), min_length=1, max_length=MAX_DEVICES_PER_MEETING,
        help_text=f"The tablets, 1 to {MAX_DEVICES_PER_MEETING}: ids, or objects with `_id`",
    )
    employee = serializers.RegexField(_OPTIONAL_ID, required=False, allow_null=True,
                                      allow_blank=True, help_text=_EMPLOYEE_HELP)
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


class AddGuestsIn(serializers.Serializer):
    guests = GuestIn(many=True, max_length=MAX_GUESTS)  # type: ignore[call-arg]  # as above


# A move names a new start, a new end or both (an empty one is 422 `startTime`); the same
# fields in JSON and in a form.
RESCHEDULE = {
    "type": "object",
    "properties": {
        "startTime": {"type": "string", "format": "date-time",
                      "description": f"The new start, {_TIME_IN}"},
        "endTime": {"type": "string", "format": "date-time",
                    "description": f"The new end, {_TIME_IN}"},
    },
    "anyOf": [{"required": ["startTime"]}, {"required": ["endTime"]}],
}
# Guests in a form: one index per guest (flexcare.api.parsers.nested_form).
ADD_GUESTS_FORM = {
    "type": "object",
    "description": "`guests[0][email]=…&guests[0][name]=…`, then `guests[1][…]` and so on.",
    "properties": {
        "guests[0][email]": {"type": "string", "format": "email"},
        "guests[0][name]": {"type": "string", "maxLength": NAME_MAX},
        "guests": {"not": {}},  # a plain `guests=…` is no guest: 422 guests
    },
    "required": ["guests[0][email]"],
}


# The same request form-encoded: strings only (conferences.api.employee._device_ids).
CREATE_MEETING_FORM = {
    "type": "object",
    "description": "`devices` repeated, one field per tablet (`devices[]=…` and "
    "`devices[0][_id]=…` work too).",
    "properties": {
        "customer": OBJECT_ID,
        "devices": {"type": "array", "items": OBJECT_ID, "minItems": 1,
                    "maxItems": MAX_DEVICES_PER_MEETING},
        "employee": {"type": "string", "pattern": _OPTIONAL_ID, "description": _EMPLOYEE_HELP},
        "startTime": {"type": "string", "format": "date-time",
                      "description": f"Book the meeting ahead: its start, {_TIME_IN}"},
        "endTime": {"type": "string", "format": "date-time",
                    "description": f"Its end, {_TIME_IN}"},
        "language": {"type": "string", "enum": [code for code, _name in settings.LANGUAGES],
                     "description": "The language of the guests' e-mails"},
    },
    "required": ["customer", "devices"],
}

_QUALITIES = {"type": "string", "enum": Quality.values}
# Each command type with the one field it needs (conferences.services._validated_fields).
_COMMAND_FIELDS: list[tuple[str, list[str], str | None, dict[str, Any] | None]] = [
    ("CAMERA_ON or MICROPHONE_ON", list(VALUE_TYPES), "value", {"type": "boolean"}),
    ("SET_VOLUME", [CommandType.SET_VOLUME], "volume",
     {"type": "integer", "minimum": 0, "maximum": 100}),
    ("SET_QUALITY", [CommandType.SET_QUALITY], "quality", _QUALITIES),
    ("START_MEETING or HANGUP", [CommandType.START_MEETING, CommandType.HANGUP], None, None),
]
# A form carries text: conferences.api.employee._form_command reads these as booleans.
_FORM_BOOLEAN = {"type": "string", "pattern": "^(0|1|[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$"}
_DEVICE_ID = {**OBJECT_ID, "description": "The id of a tablet in the meeting"}


def _command_variant(title: str, types: list[str], field: str | None,
                     schema: dict[str, Any] | None, key: Callable[[str], str]) -> dict[str, Any]:
    properties = {key("type"): {"type": "string", "enum": [str(t) for t in types]}}
    if field is not None and schema is not None:
        properties[key(field)] = schema
    return {"type": "object", "title": title, "properties": properties,
            "required": list(properties)}


CREATE_COMMAND_JSON = {
    "type": "object",
    "properties": {
        "deviceId": _DEVICE_ID,
        "command": {"oneOf": [
            _command_variant(*fields, key=lambda name: name) for fields in _COMMAND_FIELDS
        ]},
    },
    "required": ["deviceId", "command"],
}
CREATE_COMMAND_FORM = {
    "type": "object",
    "description": "The command's fields as `command[type]`, … (`command.type` works too).",
    "properties": {"deviceId": _DEVICE_ID},
    "required": ["deviceId"],
    "oneOf": [
        _command_variant(title, types, field,
                         _FORM_BOOLEAN if field == "value" else schema,
                         key=lambda name: f"command[{name}]")
        for title, types, field, schema in _COMMAND_FIELDS
    ],
}


class DeviceStateOut(serializers.Serializer):
    commands = CommandOut(many=True, help_text="The device's commands here, oldest first")
    state = serializers.ChoiceField(MeetingState.choices, help_text="The meeting's state")
    settings = SettingsOut(help_text="Snapshot taken when the device joined the meeting")


class MeetingListOut(serializers.Serializer):
    offset = serializers.IntegerField()
    limit = serializers.IntegerField()
    total = serializers.IntegerField(help_text="Meetings matching, over all pages")
    meetings = EmployeeMeetingOut(many=True, help_text="Newest first")
