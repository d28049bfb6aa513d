"""getmeeting (POST /iptv/flexcareconference/meeting/device): the seed endpoint, to contract."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from accounts.models import CustomerState
from conferences.lifecycle import meeting_end
from conferences.models import CommandStatus, Conference, MeetingState
from devices.services import device_token_issue, device_token_revoke
from tests.api.conftest import error_of, ready_meeting
from tests.factories import DeviceFactory, MeetingFactory, queue

URL = "/iptv/flexcareconference/meeting/device"
OID = re.compile(r"^[0-9a-f]{24}$")
WIRE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

# The contract, from docs/api.md#the-meeting-document, written out: keys and their JSON types.
MEETING_KEYS = {"_id": str, "customer": str, "employee": (str, type(None)), "uri": str,
                "pin": str, "desktopLink": str, "clinicalLink": str, "mobileLink": str,
                "state": str, "created": str, "devices": list}
DEVICE_KEYS = {"_id": str, "technicalRoomNumber": str, "serial": str, "name": str,
               "deviceId": str, "settings": dict, "commands": list}
SETTINGS_KEYS = {"medcomUri": str, "cameraOn": bool, "microphoneOn": bool, "setVolume": bool,
                 "addParticipant": bool, "volume": int, "quality": str}
COMMAND_KEYS = {"_id": str, "type": str, "volume": (int, type(None)),
                "value": (bool, type(None)), "quality": (str, type(None)), "fetched": bool,
                "executed": bool}


def assert_shape(obj: dict, keys: dict) -> None:
    assert set(obj) == set(keys)
    for key, kind in keys.items():
        assert isinstance(obj[key], kind), (key, obj[key])


@pytest.fixture
def big_meeting(db):
    """Two tablets; commands of every type in several statuses."""
    first = DeviceFactory.create(name="Room 50")
    devices = [first, DeviceFactory.create(customer=first.customer)]
    token = device_token_issue(device=devices[0])
    meeting = ready_meeting(devices)
    queue(meeting, devices[0], "SET_VOLUME", volume=60)
    queue(meeting, devices[0], "CAMERA_ON", value=False)
    queue(meeting, devices[1], "SET_QUALITY", quality="HIGH")
    queue(meeting, devices[1], "MICROPHONE_ON", value=True)
    queue(meeting, devices[1], "HANGUP")
    return meeting, devices, token


def test_the_answer_has_exactly_the_documented_keys_and_types(api, big_meeting):
    meeting, devices, token = big_meeting
    response = api.post(URL, {"token": token})
    assert response.status_code == 200
    body = response.json()
    assert_shape(body, MEETING_KEYS)
    assert body["_id"] == meeting.pk
    assert OID.match(body["customer"])
    assert WIRE_TIME.match(body["created"])
    assert body["state"] == "CREATED"
    assert [d["_id"] for d in body["devices"]] == [d.pk for d in devices]
    types = []
    for device in body["devices"]:
        assert_shape(device, DEVICE_KEYS)
        assert_shape(device["settings"], SETTINGS_KEYS)
        for command in device["commands"]:
            assert_shape(command, COMMAND_KEYS)
            assert OID.match(command["_id"])
            types.append(command["type"])
    assert sorted(set(types)) == sorted(
        ["START_MEETING", "SET_VOLUME", "CAMERA_ON", "SET_QUALITY", "MICROPHONE_ON", "HANGUP"]
    )


def test_fields_a_command_type_does_not_use_are_null(api, big_meeting):
    _, _, token = big_meeting
    body = api.post(URL, {"token": token}).json()
    commands = {c["type"]: c for d in body["devices"] for c in d["commands"]}
    assert (commands["SET_VOLUME"]["volume"], commands["SET_VOLUME"]["value"]) == (60, None)
    assert commands["CAMERA_ON"]["value"] is False
    assert commands["CAMERA_ON"]["quality"] is None
    assert commands["SET_QUALITY"]["quality"] == "HIGH"
    assert (commands["HANGUP"]["value"], commands["HANGUP"]["volume"]) == (None, None)


def test_commands_are_listed_oldest_first_and_reading_does_not_fetch(api, big_meeting):
    meeting, _, token = big_meeting
    body = api.post(URL, {"token": token}).json()
    first = body["devices"][0]["commands"]
    assert [c["type"] for c in first] == ["START_MEETING", "SET_VOLUME", "CAMERA_ON"]
    assert not any(c["fetched"] for d in body["devices"] for c in d["commands"])
    assert not meeting.participants.filter(commands__status=CommandStatus.FETCHED).exists()


def test_the_settings_are_the_snapshot_not_the_current_device(api, tablet):
    from accounts.tablet_settings import TabletSettings
    from devices.services import device_update_settings

    before = tablet.device.volume
    device_update_settings(device=tablet.device, tablet_settings=TabletSettings(volume=3))
    body = api.post(URL, {"token": tablet.token}).json()
    assert body["devices"][0]["settings"]["volume"] == before


def test_the_token_is_also_accepted_as_a_bearer_header(api, tablet):
    response = api.post(URL, {}, HTTP_AUTHORIZATION=f"Bearer {tablet.token}")
    assert response.status_code == 200


def test_form_encoded_bodies_are_accepted(client, tablet):
    from urllib.parse import urlencode

    response = client.post(URL, urlencode({"token": tablet.token}),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200


def test_a_matching_etag_gives_304_without_a_body(api, tablet):
    first = api.post(URL, {"token": tablet.token})
    etag = first["ETag"]
    again = api.post(URL, {"token": tablet.token}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    queue(tablet.meeting, tablet.device, "HANGUP")
    changed = api.post(URL, {"token": tablet.token}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (None, (403, "token")),  # empty body
        ({}, (403, "token")),
        ({"token": 42}, (403, "token")),
        ({"token": ["x"]}, (403, "token")),
        ({"token": "fct_not-a-real-token"}, (403, "token")),
        ("[1, 2]", (400, "bad_request")),
        ('{"token": ', (400, "bad_request")),
        ('"just a string"', (400, "bad_request")),
    ],
)
def test_bad_requests_get_documented_errors(api, tablet, body, expected):
    assert error_of(api.post(URL, body)) == expected


def test_a_revoked_token_is_refused(api, tablet):
    device_token_revoke(token=tablet.token)
    assert error_of(api.post(URL, {"token": tablet.token})) == (403, "token")


def test_a_blocked_customers_tablet_is_refused(api, tablet):
    type(tablet.device.customer).objects.update(state=CustomerState.BLOCKED)
    assert error_of(api.post(URL, {"token": tablet.token})) == (403, "token")


def test_a_deleted_device_is_not_found(api, tablet):
    Conference.objects.all().delete()
    tablet.device.delete()
    assert error_of(api.post(URL, {"token": tablet.token})) == (404, "device")


def test_no_ready_meeting_is_not_found(api, db):
    device = DeviceFactory.create()
    token = device_token_issue(device=device)
    assert error_of(api.post(URL, {"token": token})) == (404, "meeting")
    MeetingFactory.create(customer=device.customer, devices=[device])  # provisioning still PENDING
    assert error_of(api.post(URL, {"token": token})) == (404, "meeting")


def test_a_closed_meeting_is_not_served(api, tablet):
    Conference.objects.filter(pk=tablet.meeting.pk).update(
        state=MeetingState.CLOSED, closed_at=timezone.now()
    )
    assert error_of(api.post(URL, {"token": tablet.token})) == (404, "meeting")


def test_a_meeting_being_ended_is_served_with_its_hangup(api, tablet):
    meeting_end(meeting=tablet.meeting, ended_by=None)
    (device,) = api.post(URL, {"token": tablet.token}).json()["devices"]
    assert [(c["type"], c["executed"]) for c in device["commands"]][-1] == ("HANGUP", False)


def test_a_started_meeting_is_served(api, tablet):
    Conference.objects.filter(pk=tablet.meeting.pk).update(
        state=MeetingState.STARTED, started_at=timezone.now()
    )
    assert api.post(URL, {"token": tablet.token}).json()["state"] == "STARTED"


def test_another_tablets_meeting_is_never_shown(api, tablet):
    other = DeviceFactory.create(customer=tablet.device.customer)
    other_token = device_token_issue(device=other)
    assert error_of(api.post(URL, {"token": other_token})) == (404, "meeting")


def test_get_on_the_post_endpoint_is_405(api, tablet):
    assert error_of(api.get(URL)) == (405, "method_not_allowed")


@pytest.mark.parametrize(("devices", "commands"), [(1, 0), (20, 200)])
def test_a_constant_number_of_queries_whatever_the_size(
    api, db, django_assert_max_num_queries, devices, commands
):
    tablets = [DeviceFactory.create()]
    tablets += [DeviceFactory.create(customer=tablets[0].customer) for _ in range(devices - 1)]
    token = device_token_issue(device=tablets[0])
    meeting = ready_meeting(tablets)
    for index in range(commands):
        queue(meeting, tablets[index % devices], "SET_VOLUME", volume=index % 100)
    with django_assert_max_num_queries(4):  # token, last seen, participants, commands
        response = api.post(URL, {"token": token})
    assert len(response.json()["devices"]) == devices
    with django_assert_max_num_queries(3):  # the 304 path does no write
        assert api.post(URL, {"token": token}, HTTP_IF_NONE_MATCH=response["ETag"]).status_code \
            == 304
