"""The per-serial limit on tablet logins: after 10 refused or failed logins with one serial or
barcode within 15 minutes, logins with it are refused (429 with Retry-After), from any address,
until 15 minutes after the first; other serials are unaffected."""

from __future__ import annotations

from datetime import timedelta

import pytest

from devices.services import device_token_reset
from tests.api.conftest import TABLET_LOGINS, error_of
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db


def attempt(api, path: str, field: str, value: str, n: int = 0):
    # A new client address each time: the per-address throttle is not what refuses.
    return api.post(path, {field: value}, REMOTE_ADDR=f"10.0.{n}.1")


@pytest.mark.parametrize(("path", "field"), TABLET_LOGINS)
def test_the_eleventh_refused_login_for_one_serial_or_barcode_is_rate_limited(
        api, clock, path, field):
    device, neighbour = DeviceFactory.create(), DeviceFactory.create()
    value = device.serial if field == "serial" else device.device_id
    assert attempt(api, path, field, value).status_code == 200  # a success does not count
    for n in range(10):
        assert error_of(attempt(api, path, field, value, n)) == (409, "locked"), n
        clock.shift(timedelta(minutes=1))
    limited = attempt(api, path, field, value, 99)
    assert error_of(limited) == (429, "rate_limited")
    assert limited["Retry-After"] == "300"  # 15 minutes after the first refusal
    assert limited.json()["error"]["message"] == (
        "Too many refused logins for this serial or barcode. Expected available in 300 seconds.")
    other = neighbour.serial if field == "serial" else neighbour.device_id
    assert attempt(api, path, field, other).status_code == 200

    # The tablet itself is refused too while the limit lasts, even once reset: tries meanwhile
    # do not extend it.
    device_token_reset(device=device)
    clock.shift(timedelta(minutes=4, seconds=59))
    assert attempt(api, path, field, value, 100)["Retry-After"] == "1"
    clock.shift(timedelta(seconds=1))
    assert attempt(api, path, field, value).status_code == 200


def test_failed_logins_with_an_unknown_value_count_too(api):
    for n in range(10):
        assert error_of(attempt(api, *TABLET_LOGINS[0], "FLXCA9999999", n)) == (404, "device")
    assert error_of(attempt(api, *TABLET_LOGINS[0], "FLXCA9999999", 10)) == (429, "rate_limited")
    assert error_of(attempt(api, *TABLET_LOGINS[0], " FLXCA9999999 ", 11)) == (429, "rate_limited")
    assert error_of(attempt(api, *TABLET_LOGINS[0], "FLXCA9999998", 12)) == (404, "device")
    # A serial and a barcode are different values, even when spelled alike.
    assert error_of(attempt(api, *TABLET_LOGINS[1], "FLXCA9999999", 13)) == (404, "device")
