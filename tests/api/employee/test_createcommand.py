"""POST …/meeting/{id}/createcommand: every command type with missing, wrong-typed and
out-of-range fields, the 404/409/429 rows, and the coercion of form-encoded bodies."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import timezone

from conferences.models import Command, Conference, MeetingState
from devices.models import Device
from tests.api.conftest import error_of, ready_meeting
from tests.api.employee.conftest import MEETING, bearer, free_device

pytestmark = pytest.mark.django_db

COMMAND_KEYS = {"_id", "type", "value", "volume", "quality", "fetched", "executed"}


@dataclass
class Target:
    meeting: Conference
    device: Device
    auth: dict

    @property
    def url(self) -> str:
        return f"{MEETING}/{self.meeting.pk}/createcommand"


@pytest.fixture
def target(tenants) -> Target:
    meeting = Conference.objects.get(customer__name="A1")
    return Target(meeting, meeting.participants.get().device,
                  bearer(tenants.user_tokens["MANAGER@A1"]))


def queue(api, target: Target, command: object, device_id: object = None):
    body = {"deviceId": device_id or target.device.pk, "command": command}
    return api.post(target.url, body, **target.auth)


ACCEPTED = [
    ({"type": "CAMERA_ON", "value": False}, {"value": False}),
    ({"type": "MICROPHONE_ON", "value": True, "volume": 3}, {"value": True, "volume": None}),
    ({"type": "SET_VOLUME", "volume": 0}, {"volume": 0}),
    ({"type": "SET_VOLUME", "volume": 100, "quality": "LOW"}, {"volume": 100, "quality": None}),
    ({"type": "SET_QUALITY", "quality": "VERY_HIGH"}, {"quality": "VERY_HIGH"}),
    ({"type": "HANGUP", "value": True}, {"value": None}),
]


@pytest.mark.parametrize(("command", "expected"), ACCEPTED)
def test_valid_commands_are_queued(api, target, command, expected):
    response = queue(api, target, command)
    assert response.status_code == 200, response.content
    data = response.json()
    assert set(data) == COMMAND_KEYS
    assert (data["type"], data["fetched"], data["executed"]) == (command["type"], False, False)
    assert {key: data[key] for key in expected} == expected
    created_by = Command.objects.get(pk=data["_id"]).created_by
    assert created_by is not None
    assert created_by.email == "manager@a1.test"


REFUSED = [
    *[({"type": kind, **fields}, "command.value")
      for kind in ("CAMERA_ON", "MICROPHONE_ON")
      for fields in ({}, {"value": None}, {"value": "true"}, {"value": 1}, {"value": [True]})],
    *[({"type": "SET_VOLUME", **fields}, "command.volume")
      for fields in ({}, {"volume": None}, {"volume": "40"}, {"volume": 40.5}, {"volume": True},
                     {"volume": -1}, {"volume": 101})],
    *[({"type": "SET_QUALITY", **fields}, "command.quality")
      for fields in ({}, {"quality": None}, {"quality": "high"}, {"quality": 3},
                     {"quality": "ULTRA"})],
    *[(command, "command.type")
      for command in ({}, {"type": "REBOOT"}, {"type": 5}, {"type": None},
                      {"type": "set_volume", "volume": 4})],
]


@pytest.mark.parametrize(("command", "field"), REFUSED)
def test_invalid_commands_are_422_with_the_field_path(api, target, command, field):
    before = Command.objects.count()
    assert error_of(queue(api, target, command)) == (422, field)
    assert Command.objects.count() == before


@pytest.mark.parametrize(("body", "expected"), [
    ({"command": {"type": "HANGUP"}}, (422, "deviceId")),
    ({"deviceId": 5, "command": {"type": "HANGUP"}}, (422, "deviceId")),
    ({"deviceId": "DEVICE"}, (422, "command")),
    ({"deviceId": "DEVICE", "command": "HANGUP"}, (422, "command")),
    ({"deviceId": "0123456789abcdef01234567", "command": {"type": "HANGUP"}}, (404, "device")),
    ({"deviceId": "bed-1", "command": {"type": "HANGUP"}}, (404, "device")),
])
def test_body_errors(api, target, body, expected):
    if body.get("deviceId") == "DEVICE":
        body["deviceId"] = target.device.pk
    assert error_of(api.post(target.url, body, **target.auth)) == expected


def test_path_and_meeting_errors(api, target, tenants):
    hangup = {"deviceId": target.device.pk, "command": {"type": "HANGUP"}}
    for path, expected in [
        (f"{MEETING}/nope/createcommand", (404, "id")),
        (f"{MEETING}/0123456789abcdef01234567/createcommand", (404, "meeting")),
    ]:
        assert error_of(api.post(path, hangup, **target.auth)) == expected
    outsider = free_device(tenants.customers["A1"])
    assert error_of(queue(api, target, {"type": "HANGUP"}, outsider.pk)) == (404, "device")


def test_a_closed_meeting_is_409(api, target):
    Conference.objects.filter(pk=target.meeting.pk).update(
        state=MeetingState.CLOSED, closed_at=timezone.now())
    assert error_of(queue(api, target, {"type": "HANGUP"})) == (409, "meeting")


def test_start_meeting_needs_a_ready_meeting(api, target):
    assert error_of(queue(api, target, {"type": "START_MEETING"})) == (409, "meeting")
    device = free_device(target.device.customer)
    target.meeting, target.device = ready_meeting([device]), device
    assert queue(api, target, {"type": "START_MEETING"}).status_code == 200


def test_a_full_queue_is_429(api, target, settings):
    settings.COMMAND_QUEUE_LIMIT = Command.objects.unfinished().filter(
        conference_device__device=target.device).count()
    assert error_of(queue(api, target, {"type": "HANGUP"})) == (429, "device")


@pytest.mark.parametrize(("form", "expected"), [
    ("command[type]=CAMERA_ON&command[value]=false", {"value": False}),
    ("command[type]=CAMERA_ON&command[value]=TRUE", {"value": True}),
    ("command.type=MICROPHONE_ON&command.value=0", {"value": False}),
    ("command[type]=SET_VOLUME&command[volume]=40", {"volume": 40}),
    ("command.type=SET_QUALITY&command.quality=LOW", {"quality": "LOW"}),
    ("command[type]=CAMERA_ON&command[value]=yes", (422, "command.value")),
    ("command[type]=SET_VOLUME&command[volume]=4O", (422, "command.volume")),
    ("command[type]=SET_VOLUME&command[volume]=-1", (422, "command.volume")),
    ("command[type]=SET_VOLUME&command[volume]=101", (422, "command.volume")),
    ("command[type]=SET_VOLUME&command[volume]=", (422, "command.volume")),
    ("command=HANGUP", (422, "command")),
])
def test_form_bodies_coerce_booleans_and_whole_numbers(client, target, form, expected):
    response = client.post(target.url, f"deviceId={target.device.pk}&{form}",
                           content_type="application/x-www-form-urlencoded", **target.auth)
    if isinstance(expected, tuple):
        assert error_of(response) == expected
    else:
        assert response.status_code == 200, response.content
        data = response.json()
        assert {key: data[key] for key in expected} == expected
