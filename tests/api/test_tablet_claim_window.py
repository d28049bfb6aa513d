"""The claim window (docs/domain.md#claim-window): a tablet logs in by serial or barcode only within
TABLET_CLAIM_MINUTES of its registration or of a token reset, through the real endpoints."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.services import user_token_issue
from devices.models import Device
from tests.api.conftest import TABLET_LOGINS, error_of
from tests.api.employee.conftest import bearer
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db

REFUSAL = ("Device is not open for login: reset the tablet's token in the portal, then log in "
           "within 30 minutes")


def login(api, path: str, field: str, device: Device):
    value = device.serial if field == "serial" else device.device_id
    return api.post(path, {field: value})


@pytest.mark.parametrize(("path", "field"), TABLET_LOGINS)
def test_a_tablet_logs_in_within_the_window_and_is_refused_after_it(api, clock, path, field):
    in_time, late = DeviceFactory.create(), DeviceFactory.create()
    clock.shift(timedelta(minutes=30) - timedelta(seconds=1))
    assert login(api, path, field, in_time).status_code == 200
    clock.shift(timedelta(seconds=1))
    refused = login(api, path, field, late)
    assert error_of(refused) == (409, "locked")
    assert refused.json()["error"]["message"] == REFUSAL
    assert not Device.objects.get(pk=late.pk).locked


@pytest.mark.parametrize(("path", "field"), TABLET_LOGINS)
def test_with_zero_minutes_every_login_by_serial_or_barcode_is_refused(
        api, tenants, settings, path, field):
    settings.TABLET_CLAIM_MINUTES = 0
    device = DeviceFactory.create(customer=tenants.customers["A1"])
    assert error_of(login(api, path, field, device)) == (409, "locked")
    manager = bearer(tenants.user_tokens["MANAGER@A1"])
    assert api.post(f"/iptv/device/{device.pk}/resettoken", **manager).status_code == 200
    assert error_of(login(api, path, field, device)) == (409, "locked")


def test_a_reset_by_the_api_or_the_admin_opens_the_window_again(api, client, tenants, clock):
    device = DeviceFactory.create(customer=tenants.customers["A1"])
    clock.shift(timedelta(minutes=31))
    assert error_of(login(api, *TABLET_LOGINS[0], device)) == (409, "locked")

    manager = tenants.user("MANAGER@A1")
    token = user_token_issue(user=manager)  # issued now: the fixture's has idled out
    assert api.post(f"/iptv/device/{device.pk}/resettoken", **bearer(token)).status_code == 200
    clock.shift(timedelta(minutes=29))
    assert login(api, *TABLET_LOGINS[0], device).status_code == 200
    assert error_of(login(api, *TABLET_LOGINS[1], device)) == (409, "locked")  # logged in

    clock.shift(timedelta(hours=2))
    client.force_login(manager)
    client.post("/admin/devices/device/", {
        "action": "reset_token", "_selected_action": [device.pk], "confirm": "yes"})
    clock.shift(timedelta(minutes=29))
    assert login(api, *TABLET_LOGINS[1], device).status_code == 200

    clock.shift(timedelta(minutes=1))
    api.post(f"/iptv/device/{device.pk}/resettoken", **bearer(user_token_issue(user=manager)))
    clock.shift(timedelta(minutes=30))  # a reset's window closes like a registration's
    assert error_of(login(api, *TABLET_LOGINS[0], device)) == (409, "locked")


def test_a_tablet_registered_in_the_admin_is_open_for_login(api, client, tenants, clock):
    client.force_login(tenants.user("MANAGER@A1"))
    form = {"customer": tenants.customers["A1"].pk, "name": "Bed 7", "technical_room_number": "7",
            "volume": 50, "quality": "HIGH", "medcom_uri": ""}
    for serial in ("FLXCA1700950", "FLXCA1700951"):
        response = client.post("/admin/devices/device/add/",
                               {**form, "serial": serial, "device_id": serial[5:]})
        assert response.status_code == 302
    in_time, late = (Device.objects.get(serial=s) for s in ("FLXCA1700950", "FLXCA1700951"))
    clock.shift(timedelta(minutes=29))
    assert login(api, *TABLET_LOGINS[1], in_time).status_code == 200
    clock.shift(timedelta(minutes=1))
    assert error_of(login(api, *TABLET_LOGINS[0], late)) == (409, "locked")
