"""POST /iptv/flexcareconference/meeting: the meeting object, every error row of
docs/api.md#create-a-meeting, form bodies, and the `employee` field."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from accounts.models import Customer
from conferences.models import Conference
from devices.models import Device
from tests.api.conftest import error_of
from tests.api.employee.conftest import MEETING, bearer, free_device

pytestmark = pytest.mark.django_db

MEETING_KEYS = {"_id", "customer", "employee", "uri", "pin", "desktopLink", "clinicalLink",
                "mobileLink", "state", "created", "devices", "provisioning", "startTime",
                "endTime", "language", "guests"}
UNKNOWN = "0123456789abcdef01234567"


def create(api, tenants, body, key="MANAGER@A1"):
    return api.post(MEETING, body, **bearer(tenants.user_tokens[key]))


def test_the_new_meeting_is_answered_with_its_devices_and_provisioning(api, tenants):
    a1 = tenants.customers["A1"]
    first, second = free_device(a1), free_device(a1)
    body = {"customer": a1.pk, "devices": [
        {"_id": first.pk, "name": "ignored", "settings": {"volume": 1}, "commands": []},
        second.pk,
    ]}
    response = create(api, tenants, body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert set(data) == MEETING_KEYS
    assert (data["customer"], data["employee"], data["state"], data["provisioning"]) == (
        a1.pk, tenants.user("MANAGER@A1").pk, "CREATED", "PENDING")
    assert {d["_id"] for d in data["devices"]} == {first.pk, second.pk}
    assert all(d["settings"]["volume"] == 50 and d["commands"] == [] for d in data["devices"])
    assert Conference.objects.get(pk=data["_id"]).participants.count() == 2


@pytest.mark.parametrize("body", [
    "customer={customer}&devices={device}",
    "customer={customer}&devices[]={device}",
    "customer={customer}&devices[0][_id]={device}&devices[0][name]=Bed",
])
def test_form_encoded_bodies_are_accepted(client, tenants, body):
    a1 = tenants.customers["A1"]
    device = free_device(a1)
    response = client.post(
        MEETING, body.format(customer=a1.pk, device=device.pk),
        content_type="application/x-www-form-urlencoded",
        **bearer(tenants.user_tokens["MANAGER@A1"]))
    assert response.status_code == 200, response.content
    assert [d["_id"] for d in response.json()["devices"]] == [device.pk]


def _bodies(world) -> dict[str, object]:
    a1, a2 = world.customers["A1"], world.customers["A2"]
    busy, foreign = (Device.objects.get(customer__name=name).pk for name in ("A1", "B1"))
    free = free_device(a1).pk
    return {
        "no customer": {"devices": [free]},
        "malformed customer": {"customer": "A1", "devices": [free]},
        "customer not a string": {"customer": 17, "devices": [free]},
        "no devices": {"customer": a1.pk},
        "empty devices": {"customer": a1.pk, "devices": []},
        "devices not a list": {"customer": a1.pk, "devices": free},
        "device not an id": {"customer": a1.pk, "devices": [17]},
        "device without _id": {"customer": a1.pk, "devices": [{"name": "Bed"}]},
        "unknown customer": {"customer": UNKNOWN, "devices": [free]},
        "customer out of scope": {"customer": world.customers["B1"].pk, "devices": [free]},
        "unknown device": {"customer": a1.pk, "devices": [free, UNKNOWN]},
        "malformed device": {"customer": a1.pk, "devices": ["bed-1"]},
        "device out of scope": {"customer": a1.pk, "devices": [foreign]},
        "sibling's device": {"customer": a1.pk, "devices": [free_device(a2).pk]},
        "device in an open meeting": {"customer": a1.pk, "devices": [busy]},
        "employee malformed": {"customer": a1.pk, "devices": [free], "employee": "x"},
        "employee of another customer": {"customer": a1.pk, "devices": [free],
                                         "employee": world.user("MANAGER@B1").pk},
    }


ERRORS = [
    ("no customer", (400, "customer")),
    ("malformed customer", (400, "customer")),
    ("customer not a string", (400, "customer")),
    ("no devices", (400, "devices")),
    ("empty devices", (400, "devices")),
    ("devices not a list", (400, "devices")),
    ("device not an id", (400, "devices")),
    ("device without _id", (400, "devices")),
    ("unknown customer", (404, "customer")),
    ("customer out of scope", (404, "customer")),
    ("unknown device", (404, "device")),
    ("malformed device", (400, "devices")),
    ("device out of scope", (404, "device")),
    ("sibling's device", (404, "device")),
    ("device in an open meeting", (409, "device")),
    ("employee malformed", (400, "employee")),
    ("employee of another customer", (400, "employee")),
]


@pytest.mark.parametrize(("case", "expected"), ERRORS, ids=[case for case, _ in ERRORS])
def test_create_errors(api, tenants, case, expected):
    before = Conference.objects.count()
    # A reseller sees A1's sibling A2 too: its device is still not A1's.
    response = create(api, tenants, _bodies(tenants)[case], key="RESELLER@Reseller A")
    assert error_of(response) == expected
    assert Conference.objects.count() == before


def test_a_busy_device_is_refused_with_the_contracts_message(api, tenants):
    a1 = tenants.customers["A1"]
    response = create(api, tenants, {"customer": a1.pk,
                                     "devices": [Device.objects.get(customer=a1).pk]})
    assert response.json()["error"]["message"] == "Device is already in an active meeting"


def test_a_customer_without_iptv_is_409(api, tenants):
    a1 = tenants.customers["A1"]
    device = free_device(a1)
    Customer.objects.filter(pk=a1.pk).update(features=[])
    response = create(api, tenants, {"customer": a1.pk, "devices": [device.pk]})
    assert error_of(response) == (409, "customer")
    assert response.json()["error"]["message"] == "Customer does not have IPTV"


def test_the_meeting_can_be_for_another_employee_of_the_customer(api, tenants):
    a1 = tenants.customers["A1"]
    viewer = tenants.user("VIEWER@A1")
    body = {"customer": a1.pk, "devices": [free_device(a1).pk], "employee": viewer.pk}
    response = create(api, tenants, body, key="RESELLER@Reseller A")
    assert response.json()["employee"] == viewer.pk
    body = {"customer": a1.pk, "devices": [free_device(a1).pk], "employee": None}
    assert create(api, tenants, body).json()["employee"] == tenants.user("MANAGER@A1").pk


def test_a_form_body_reports_the_same_errors(client, tenants):
    response = client.post(MEETING, urlencode({"customer": tenants.customers["A1"].pk}),
                           content_type="application/x-www-form-urlencoded",
                           **bearer(tenants.user_tokens["MANAGER@A1"]))
    assert error_of(response) == (400, "devices")


# docs/api.md#create-a-meeting, the order of checks: each row holds two faults at once, and
# the check that comes first answers. (customer without IPTV?, body, expected)
ORDER: dict[str, tuple[bool, dict[str, Any], tuple[int, str]]] = {
    "400 customer before 400 devices": (False, {"customer": "bed-1"}, (400, "customer")),
    "400 devices before 404 customer": (False, {"customer": UNKNOWN, "devices": []},
                                        (400, "devices")),
    "more than 50 devices before 404 customer": (
        False, {"customer": UNKNOWN, "devices": [UNKNOWN] * 51}, (400, "devices")),
    "malformed device before 404 customer": (False, {"customer": UNKNOWN, "devices": ["bed-1"]},
                                             (400, "devices")),
    "404 customer before 409 customer": (True, {"customer": "B1", "devices": [UNKNOWN]},
                                         (404, "customer")),
    "409 customer before 404 device": (True, {"customer": "A1", "devices": [UNKNOWN]},
                                       (409, "customer")),
    "409 customer before 409 device": (True, {"customer": "A1", "devices": ["busy"]},
                                       (409, "customer")),
    "409 customer before 400 employee": (True, {"customer": "A1", "devices": [UNKNOWN],
                                                "employee": "x"}, (409, "customer")),
    "400 employee before 404 device": (False, {"customer": "A1", "devices": [UNKNOWN],
                                               "employee": "x"}, (400, "employee")),
    "404 device before 409 device": (False, {"customer": "A1", "devices": ["busy", UNKNOWN]},
                                     (404, "device")),
}


@pytest.mark.parametrize("case", list(ORDER))
def test_the_checks_come_in_the_contracts_order(api, tenants, case):
    without_iptv, body, expected = ORDER[case]
    if without_iptv:
        Customer.objects.filter(name__in=["A1", "B1"]).update(features=[])
    busy = Device.objects.get(customer__name="A1").pk  # in A1's open meeting
    names = {"A1": tenants.customers["A1"].pk, "B1": tenants.customers["B1"].pk, "busy": busy}
    body = {key: [names.get(v, v) for v in value] if isinstance(value, list)
            else names.get(value, value) for key, value in body.items()}
    assert error_of(create(api, tenants, body)) == expected
