"""Bodies a client should never send still get a documented 400, never a 500: text the
database cannot store (NUL, unpaired surrogates), nesting deeper than the parser goes, more
form fields than Django accepts, form keys nested thousands deep."""

from __future__ import annotations

import pytest

from conferences.models import Conference
from tests.api.conftest import error_of
from tests.api.employee.conftest import bearer
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db

FIELDS = ("token", "serial", "deviceId", "barcode", "username", "password", "type", "devices")
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def _json_with(value: str) -> str:
    return "{" + ", ".join(f'"{name}": "{value}"' for name in FIELDS) + "}"


BODIES = {
    "unpaired surrogate": (JSON, _json_with("\\ud800")),
    "NUL character": (JSON, _json_with("a\\u0000b")),
    "surrogate in a key": (JSON, '{"\\udfff": 1, "token": "x"}'),
    "NUL deep inside": (JSON, '{"token": "x", "devices": [{"name": ["a\\u0000"]}]}'),
    "nested too deeply": (JSON, "[" * 30000 + "]" * 30000),
    "NUL in a form": (FORM, "&".join(f"{name}=a%00b" for name in FIELDS)),
    "too many form fields": (FORM, "&".join(f"f{i}=1" for i in range(1100))),
    "form key nested too deeply": (FORM, "a" + "[x]" * 3000 + "=1"),
    "dotted form key too deep": (FORM, "a" + ".x" * 3000 + "=1"),
}


def _paths(tenants) -> dict[str, dict]:
    meeting = Conference.objects.filter(customer__name="A1").get()
    employee = bearer(tenants.user_tokens["MANAGER@A1"])
    return {
        "/iptv/flexcareconference/meeting/device": {},
        f"/iptv/flexcareconference/meeting/{meeting.pk}/commands": {},
        "/iptv/app/login/serial": {},
        "/iptv/app/login/deviceid": {},
        "/auth/login": {},
        "/iptv/flexcareconference/meeting": employee,
        f"/iptv/flexcareconference/meeting/{meeting.pk}/createcommand": employee,
    }


@pytest.mark.parametrize("body", list(BODIES))
def test_hostile_bodies_are_400_bad_request_on_every_path_that_reads_one(client, tenants, body):
    content_type, data = BODIES[body]
    answers = {path: error_of(client.post(path, data, content_type=content_type, **extra))
               for path, extra in _paths(tenants).items()}
    assert answers == dict.fromkeys(answers, (400, "bad_request"))


@pytest.mark.parametrize("body", ["[null, null]", "{", '"token"'])
def test_a_malformed_body_is_refused_beside_a_bearer_token(client, tablet, body):
    # The tablet endpoints read the body whichever way the token comes (found by fuzzing: with
    # the token in the header, a body that was not a JSON object used to be ignored).
    paths = ["/iptv/flexcareconference/meeting/device",
             f"/iptv/flexcareconference/meeting/{tablet.meeting.pk}/commands"]
    answers = {path: error_of(client.post(path, body, content_type=JSON,
                                          HTTP_AUTHORIZATION=f"Bearer {tablet.token}"))
               for path in paths}
    assert answers == dict.fromkeys(paths, (400, "bad_request"))


def test_ordinary_unicode_is_still_welcome(api, tenants):
    # Danish letters and emoji are storable text: only NUL and lone surrogates are refused.
    response = api.post("/auth/login", {"username": "ærø😀@a1.test", "password": "x"})
    assert error_of(response)[0] != 400


@pytest.mark.parametrize("key", ["a" + "[x]" * 3000, "a[²]", "devices[²][_id]", "a[٣]", "", "["])
def test_form_keys_never_crash_the_meeting_form_reader(client, tenants, key):
    # Form bodies are read as nested objects (qs-style) before the access check, so even a
    # VIEWER reaches the reader: deep keys were a RecursionError, "²" passed isdigit() but
    # not int(), an empty key (`=1`, found by fuzzing) an IndexError.
    viewer = bearer(tenants.user_tokens["VIEWER@A1"])
    response = client.post("/iptv/flexcareconference/meeting", f"{key}=1", content_type=FORM,
                           **viewer)
    assert error_of(response)[0] == 400


def test_a_form_key_of_ordinary_depth_still_reads_as_nested_lists(client, tenants):
    manager = bearer(tenants.user_tokens["MANAGER@A1"])
    customer = tenants.customers["A1"]
    device = DeviceFactory.create(customer=customer)
    body = f"customer={customer.pk}&devices[0][_id]={device.pk}"
    response = client.post("/iptv/flexcareconference/meeting", body, content_type=FORM,
                           **manager)
    assert response.status_code == 200, response.content
    assert [entry["_id"] for entry in response.json()["devices"]] == [device.pk]
