"""Tablet login by serial or barcode, validate and logout (`/iptv/app/*`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import CustomerState
from devices.models import Device, DeviceToken
from devices.services import device_token_reset
from tests.api.conftest import error_of
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db

DEVICE_KEYS = {"_id", "deviceId", "serial", "name", "technicalRoomNumber", "customer"}


@pytest.fixture
def device():
    return DeviceFactory.create(serial="FLXCA1700937", device_id="1700937")


@pytest.mark.parametrize(("path", "body"), [
    ("/iptv/app/login/serial", {"serial": "FLXCA1700937"}),
    ("/iptv/app/login/deviceid", {"deviceId": "1700937"}),
])
def test_login_returns_a_token_once_and_locks_the_device(api, device, path, body):
    response = api.post(path, body)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == DEVICE_KEYS | {"token"}
    assert (data["_id"], data["serial"], data["deviceId"]) == (
        device.pk, "FLXCA1700937", "1700937")
    assert Device.objects.get(pk=device.pk).locked
    assert error_of(api.post(path, body)) == (409, "locked")
    validate = api.get("/iptv/app/validate", {"token": data["token"]})
    assert validate.json() == {k: v for k, v in data.items() if k != "token"}


def test_a_reset_unlocks_and_revokes_the_old_token_at_once(api, device):
    token = api.post("/iptv/app/login/serial", {"serial": device.serial}).json()["token"]
    device_token_reset(device=device)
    assert error_of(api.get("/iptv/app/validate", {"token": token})) == (403, "token")
    assert api.post("/iptv/app/login/serial", {"serial": device.serial}).status_code == 200


def test_logout_revokes_the_token_at_once(api, device):
    token = api.post("/iptv/app/login/serial", {"serial": device.serial}).json()["token"]
    assert api.get("/iptv/app/logout", {"token": token}).json() == {"success": True}
    assert error_of(api.get("/iptv/app/validate", {"token": token})) == (403, "token")
    assert error_of(api.get("/iptv/app/logout", {"token": token})) == (403, "token")
    assert DeviceToken.objects.get().revoked_at is not None


@pytest.mark.parametrize(("path", "body", "expected"), [
    ("/iptv/app/login/serial", {"serial": "UNKNOWN"}, (404, "device")),
    ("/iptv/app/login/deviceid", {"deviceId": "0"}, (404, "device")),
    ("/iptv/app/login/serial", {}, (422, "serial")),
    ("/iptv/app/login/serial", {"serial": 17}, (422, "serial")),
    ("/iptv/app/login/serial", {"serial": "  "}, (422, "serial")),
    ("/iptv/app/login/deviceid", {"serial": "FLXCA1700937"}, (422, "deviceId")),
    ("/iptv/app/login/serial", "[]", (400, "bad_request")),
])
def test_login_errors(api, device, path, body, expected):
    assert error_of(api.post(path, body)) == expected
    assert not Device.objects.get(pk=device.pk).locked


def test_a_blocked_customers_device_cannot_log_in(api, device):
    type(device.customer).objects.update(state=CustomerState.BLOCKED)
    assert error_of(api.post("/iptv/app/login/serial", {"serial": device.serial})) == (
        403, "access_denied")


def test_validate_and_logout_need_the_query_token(api, device):
    assert error_of(api.get("/iptv/app/validate")) == (403, "token")
    assert error_of(api.post("/iptv/app/logout", {})) == (405, "method_not_allowed")


def test_login_is_throttled_per_client_address(api, device, settings):
    from rest_framework.settings import api_settings

    rate = api_settings.DEFAULT_THROTTLE_RATES["tablet_login"]
    allowed = int(str(rate).split("/")[0])  # DRF's stubs type a rate as a number
    for n in range(allowed):  # a new serial each, so no serial reaches its own limit
        api.post("/iptv/app/login/serial", {"serial": f"UNKNOWN{n}"}, REMOTE_ADDR="10.0.0.1")
    refused = api.post("/iptv/app/login/serial", {"serial": "UNKNOWN"}, REMOTE_ADDR="10.0.0.1")
    assert error_of(refused) == (429, "rate_limited")
    assert int(refused["Retry-After"]) > 0
    other = api.post("/iptv/app/login/serial", {"serial": "UNKNOWN"}, REMOTE_ADDR="10.0.0.2")
    assert error_of(other) == (404, "device")


def test_last_seen_is_written_at_most_once_a_minute(api, device, django_assert_num_queries):
    token = api.post("/iptv/app/login/serial", {"serial": device.serial}).json()["token"]
    with time_machine.travel(timezone.now(), tick=False) as clock:
        with django_assert_num_queries(2):  # token lookup, last-seen write
            api.get("/iptv/app/validate", {"token": token})
        seen = Device.objects.get(pk=device.pk).last_seen_at
        assert seen == timezone.now()
        clock.shift(timedelta(seconds=59))
        with django_assert_num_queries(1):  # token lookup only
            api.get("/iptv/app/validate", {"token": token})
        assert Device.objects.get(pk=device.pk).last_seen_at == seen
        clock.shift(timedelta(seconds=2))
        api.get("/iptv/app/validate", {"token": token})
        assert Device.objects.get(pk=device.pk).last_seen_at == timezone.now()
