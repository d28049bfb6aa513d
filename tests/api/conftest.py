"""Fixtures for API tests: a JSON client and a tablet in a ready meeting."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from conferences.lifecycle import meeting_mark_provisioned
from conferences.models import Conference
from conferences.providers import fake_booking
from devices.models import Device
from devices.services import device_token_issue
from tests.factories import DeviceFactory, MeetingFactory

# The two tablet logins: path and body field.
TABLET_LOGINS = [("/iptv/app/login/serial", "serial"), ("/iptv/app/login/deviceid", "deviceId")]


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """Time stands still until the test shifts it."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


class Api:
    """A test client speaking JSON; `post(path, body)` returns (status, json or None)."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def post(self, path: str, body: Any = None, **extra: Any) -> Any:
        data = json.dumps(body) if body is not None and not isinstance(body, str | bytes) else body
        return self.client.post(path, data=data or b"", content_type="application/json",
                                **extra)

    def patch(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self.client.patch(path, data=json.dumps(body) if body is not None else b"",
                                 content_type="application/json", **extra)

    def get(self, path: str, query: dict[str, str] | None = None, **extra: Any) -> Any:
        return self.client.get(path, query, **extra)


@pytest.fixture
def api(client: Client) -> Api:
    return Api(client)


@dataclass
class TabletInMeeting:
    device: Device
    token: str
    meeting: Conference


def ready_meeting(devices: list[Device]) -> Conference:
    meeting = MeetingFactory.create(customer=devices[0].customer, devices=devices)
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(f"fake-{meeting.pk}"))
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def tablet(db: None) -> TabletInMeeting:
    device = DeviceFactory.create()
    token = device_token_issue(device=device)
    return TabletInMeeting(device, token, ready_meeting([device]))


def error_of(response: Any) -> tuple[int, str]:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "status"}
    assert body["error"]["status"] == response.status_code
    return response.status_code, body["error"]["code"]
