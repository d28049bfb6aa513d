"""Every employee endpoint, for every access level, on its own, a sibling and another
reseller's customer: allowed, 404 (outside scope, exactly like a missing object) or 403 (a
VIEWER's write), and a refusal changes nothing. Generated from the tables below."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Customer
from conferences.models import Command, Conference, Guest
from devices.models import Device
from tests.api.conftest import error_of
from tests.api.employee.conftest import MEETING, bearer, free_device
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

TARGETS = ["A1", "A2", "A3", "B1"]  # A2 is A1's sibling, A3 below a sub-reseller, B1 elsewhere

# The hospitals each user may see, written out by hand rather than derived.
SEES = {
    "ADMIN": {"A1", "A2", "A3", "B1"},
    "RESELLER@Reseller A": {"A1", "A2", "A3"},
    "RESELLER@A-sub": {"A3"},
    "RESELLER@Reseller B": {"B1"},
    "VIEWER@A1": {"A1"},
    "MANAGER@A1": {"A1"},
    "OWNER@A1": {"A1"},
    "VIEWER@B1": {"B1"},
    "MANAGER@B1": {"B1"},
    "OWNER@B1": {"B1"},
}
READ_ONLY = {"VIEWER@A1", "VIEWER@B1"}


def _meeting(customer: Customer) -> Conference:
    """The customer's meeting for now (build_tenants')."""
    return Conference.objects.filter(customer=customer).earliest("created_at")


def _device(customer: Customer) -> Device:
    return _meeting(customer).participants.get().device


def _booked(customer: Customer) -> Conference:
    """The customer's meeting booked for tomorrow (made the first time it is asked for)."""
    tomorrow = timezone.now() + timedelta(days=1)
    booked = Conference.objects.filter(customer=customer, start_time__gt=timezone.now()).first()
    return booked or MeetingFactory.create(customer=customer, start=tomorrow,
                                           end=tomorrow + timedelta(hours=1))


@dataclass(frozen=True)
class Endpoint:
    call: Callable[[Any, Customer, dict[str, Any]], Any]
    write: bool
    not_found: str  # the 404 code outside the caller's scope
    effect: Callable[[Customer], object] = lambda customer: None  # changes only when allowed


ENDPOINTS = {
    "create meeting": Endpoint(
        lambda api, c, auth: api.post(
            MEETING, {"customer": c.pk, "devices": [free_device(c).pk]}, **auth),
        write=True, not_found="customer",
        effect=lambda c: Conference.objects.filter(customer=c).count(),
    ),
    "createcommand": Endpoint(
        lambda api, c, auth: api.post(
            f"{MEETING}/{_meeting(c).pk}/createcommand",
            {"deviceId": _device(c).pk, "command": {"type": "CAMERA_ON", "value": False}},
            **auth),
        write=True, not_found="meeting",
        effect=lambda c: Command.objects.filter(
            conference_device__conference__customer=c).count(),
    ),
    "close": Endpoint(
        lambda api, c, auth: api.post(f"{MEETING}/{_meeting(c).pk}/close", **auth),
        write=True, not_found="meeting",
        effect=lambda c: list(Conference.objects.filter(customer=c).values_list(
            "state", "end_requested_at")),
    ),
    "move meeting": Endpoint(
        lambda api, c, auth: api.patch(
            f"{MEETING}/{_booked(c).pk}",
            {"startTime": (_booked(c).start_time + timedelta(hours=2)).isoformat()}, **auth),
        write=True, not_found="meeting", effect=lambda c: _booked(c).start_time,
    ),
    "add guests": Endpoint(
        lambda api, c, auth: api.post(f"{MEETING}/{_meeting(c).pk}/guests",
                                      {"guests": [{"email": "anna@example.test"}]}, **auth),
        write=True, not_found="meeting",
        effect=lambda c: Guest.objects.filter(conference__customer=c).count(),
    ),
    "resettoken": Endpoint(
        lambda api, c, auth: api.post(f"/iptv/device/{_device(c).pk}/resettoken", **auth),
        write=True, not_found="device",
        effect=lambda c: Device.objects.get(customer=c).locked,
    ),
    "device state": Endpoint(
        lambda api, c, auth: api.get(f"{MEETING}/{_meeting(c).pk}/devices/{_device(c).pk}",
                                     **auth),
        write=False, not_found="meeting",
    ),
    "meeting list": Endpoint(
        lambda api, c, auth: api.get("/flexcare/videochat/meetings", {"customer": c.pk}, **auth),
        write=False, not_found="customer",
    ),
}


def expected(endpoint: Endpoint, user_key: str, target: str) -> tuple[int, str | None]:
    if target not in SEES[user_key]:
        return 404, endpoint.not_found
    if endpoint.write and user_key in READ_ONLY:
        return 403, "access_denied"
    return 200, None


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("user_key", sorted(SEES))
@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_access(api, tenants, name, user_key, target):
    endpoint = ENDPOINTS[name]
    customer = tenants.customers[target]
    before = endpoint.effect(customer)
    response = endpoint.call(api, customer, bearer(tenants.user_tokens[user_key]))
    status, code = expected(endpoint, user_key, target)
    if status == 200:
        assert response.status_code == 200, response.content
    else:
        assert error_of(response) == (status, code)
    changed = endpoint.effect(customer) != before
    assert changed == (endpoint.write and status == 200)


def test_the_table_covers_every_scoped_employee_route():
    from django.urls import get_resolver

    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    session = {"employee-login", "employee-logout", "employee-validate-token"}
    assert len({n for n in names if n.startswith("employee-")} - session) == len(ENDPOINTS)


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_without_a_token_every_endpoint_is_401(api, tenants, name):
    response = ENDPOINTS[name].call(api, tenants.customers["A1"], {})
    assert error_of(response) == (401, "invalid_token")
    assert response["WWW-Authenticate"].startswith("Bearer")
