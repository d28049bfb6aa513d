"""close (idempotent), a device's state in a meeting, and a tablet's token reset."""

from __future__ import annotations

import pytest

from conferences.models import Command, CommandType, Conference
from devices.models import Device, DeviceToken
from tests.api.conftest import error_of, ready_meeting
from tests.api.employee.conftest import MEETING, bearer, free_device
from tests.factories import queue

pytestmark = pytest.mark.django_db

UNKNOWN = "0123456789abcdef01234567"


@pytest.fixture
def manager(tenants) -> dict:
    return bearer(tenants.user_tokens["MANAGER@A1"])


def test_close_ends_the_meeting_once_however_often_it_is_asked(api, tenants, manager):
    devices = [free_device(tenants.customers["A1"]) for _ in range(2)]
    meeting = ready_meeting(devices)
    first = api.post(f"{MEETING}/{meeting.pk}/close", **manager)
    assert first.status_code == 200, first.content
    assert first.json()["_id"] == meeting.pk
    assert "provisioning" in first.json()
    hangups = Command.objects.filter(conference_device__conference=meeting,
                                     type=CommandType.HANGUP).count()
    assert hangups == 2
    again = api.post(f"{MEETING}/{meeting.pk}/close", **manager)
    assert again.status_code == 200
    assert again.json()["state"] == Conference.objects.get(pk=meeting.pk).state
    assert Command.objects.filter(conference_device__conference=meeting,
                                  type=CommandType.HANGUP).count() == hangups
    assert Conference.objects.get(pk=meeting.pk).end_requested_at is not None


@pytest.mark.parametrize(("path", "expected"), [
    (f"{MEETING}/nope/close", (404, "id")),
    (f"{MEETING}/{UNKNOWN}/close", (404, "meeting")),
])
def test_close_errors(api, tenants, manager, path, expected):
    assert error_of(api.post(path, **manager)) == expected


def test_close_is_post_only(api, tenants, manager):
    meeting = Conference.objects.get(customer__name="A1")
    response = api.get(f"{MEETING}/{meeting.pk}/close", **manager)
    assert error_of(response) == (405, "method_not_allowed")


def test_device_state_shows_its_commands_the_state_and_the_snapshot(api, tenants):
    device = free_device(tenants.customers["A1"])
    meeting = ready_meeting([device])
    queue(meeting, device, CommandType.CAMERA_ON, value=False)
    url = f"{MEETING}/{meeting.pk}/devices/{device.pk}"
    response = api.get(url, **bearer(tenants.user_tokens["VIEWER@A1"]))
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"commands", "state", "settings"}
    assert [c["type"] for c in data["commands"]] == ["START_MEETING", "CAMERA_ON"]
    assert data["state"] == "CREATED"
    assert data["settings"] == meeting.participants.get().settings
    assert not Command.objects.filter(delivery_count__gt=0).exists()  # reading fetches nothing


def test_device_state_errors(api, tenants, manager):
    meeting = Conference.objects.get(customer__name="A1")
    device = meeting.participants.get().device
    outsider = free_device(tenants.customers["A1"])
    for path, expected in [
        (f"{MEETING}/nope/devices/{device.pk}", (404, "id")),
        (f"{MEETING}/{meeting.pk}/devices/nope", (404, "id")),
        (f"{MEETING}/{UNKNOWN}/devices/{device.pk}", (404, "meeting")),
        (f"{MEETING}/{meeting.pk}/devices/{outsider.pk}", (404, "device")),
        (f"{MEETING}/{meeting.pk}/devices/{UNKNOWN}", (404, "device")),
    ]:
        assert error_of(api.get(path, **manager)) == expected, path


def test_resettoken_unlocks_the_tablet_and_revokes_its_tokens(api, tenants, manager):
    device = Device.objects.get(customer__name="A1")
    assert device.locked
    response = api.post(f"/iptv/device/{device.pk}/resettoken", **manager)
    assert response.json() == {"success": True}
    assert not Device.objects.get(pk=device.pk).locked
    assert not DeviceToken.objects.active().filter(device=device).exists()
    getmeeting = api.post(f"{MEETING}/device", {"token": tenants.tokens["A1"]})
    assert error_of(getmeeting) == (403, "token")
    assert DeviceToken.objects.active().filter(device__customer__name="A2").exists()


@pytest.mark.parametrize(("device_id", "expected"), [
    ("nope", (404, "id")), (UNKNOWN, (404, "device")),
])
def test_resettoken_errors(api, tenants, manager, device_id, expected):
    assert error_of(api.post(f"/iptv/device/{device_id}/resettoken", **manager)) == expected
