"""A hand-computed usage world on top of tests.tenants, built through the services with the
clock set: meetings around the end of summer time (Sunday 26 October 2025: Copenhagen's
clocks went from 03:00 CEST back to 02:00 CET at 01:00 UTC, so that day had 25 hours) and
across the month boundary into November.

Reseller A's hospital A1 (tablets T1 T2 T3; employees E1 = MANAGER@A1, E2 = OWNER@A1, R =
RESELLER@Reseller A), times UTC → local day:

  M1 25 Oct 22:30 → 26 Oct  T1+T2  E1  started 22:35, closed 23:05:30 (30.5 → 31 min);
                                       2 START_MEETING + 1 SET_VOLUME
  M2 26 Oct 01:30 → 26 Oct  T3     E2  never started, closed 02:10; its START_MEETING canceled
  M3 26 Oct 22:59 → 26 Oct  T1     E1  started 23:05, closed the next day 00:45 (100 min);
                                       START_MEETING executed, CAMERA_ON and SET_VOLUME FAILED
  M4 26 Oct 23:00 → 27 Oct  T2     E2  provisioning FAILED, then closed: never started
  M5 31 Oct 22:59:59 → 31 Oct T3   R   started 23:10, closed 23:40 (30 min); 1 START_MEETING
  M6 31 Oct 23:00 → 1 Nov   T1     -   started 23:20, still running (no minutes yet)
  M7  2 Nov 10:00 → 2 Nov   T2     E2  still CREATED, provisioning pending (neither held nor
                                       never started; no commands)

A2: N1 27 Oct 09:00, tablet U1, by R, started 09:01, closed 09:11:00.5 (10 min 0.5 s → 11).
B1 (Reseller B, foreign to Reseller A): P1 26 Oct 10:00, by MANAGER@B1, 10:01 → 10:21 (20).
The tenants world's own meetings are created today, outside these ranges.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from conferences.delivery import command_acknowledge
from conferences.lifecycle import (
    meeting_close,
    meeting_mark_provisioned,
    meeting_mark_provisioning_failed,
    meeting_mark_started,
)
from conferences.models import CommandType, Conference
from conferences.providers import fake_booking
from conferences.services import meeting_create
from devices.models import Device
from tests.api.conftest import Api
from tests.factories import DeviceFactory, queue
from tests.tenants import Tenants


@pytest.fixture
def api(client) -> Api:
    return Api(client)


def utc(moment: str) -> datetime:
    return datetime.fromisoformat(moment).replace(tzinfo=UTC)


def meeting(customer, devices, employee, created: str, *, started: str | None = None,
            closed: str | None = None, provisioned: bool = True,
            failed_commands: int = 0, extra_volume: bool = False) -> Conference:
    with time_machine.travel(utc(created), tick=False):
        made = meeting_create(customer=customer, devices=devices, employee=employee)
        if provisioned:
            meeting_mark_provisioned(meeting=made, booking=fake_booking(f"fake-{made.pk}"))
        else:
            meeting_mark_provisioning_failed(meeting_id=made.pk, error="VDX said no")
        if extra_volume:
            queue(made, devices[0])
    if started:
        with time_machine.travel(utc(started), tick=False):
            assert meeting_mark_started(meeting_id=made.pk)
            participant = made.participants.get(device=devices[0])
            start = participant.commands.get(type=CommandType.START_MEETING)
            command_acknowledge(participant=participant,
                                command_id=start.pk)
            for kind in (CommandType.CAMERA_ON, CommandType.SET_VOLUME)[:failed_commands]:
                fields = {"value": False} if kind == CommandType.CAMERA_ON else {}
                failing = queue(made, devices[0], kind, **fields)
                command_acknowledge(participant=participant,
                                    command_id=failing.pk, success=False, error="no camera")
    if closed:
        with time_machine.travel(utc(closed), tick=False):
            assert meeting_close(meeting_id=made.pk)
    made.refresh_from_db()
    return made


@dataclass
class UsageWorld:
    tenants: Tenants
    tablets: dict[str, Device]


@pytest.fixture(scope="module")
def usage_tablets(tenants_world: Tenants, django_db_blocker: Any) -> dict[str, Device]:
    """The usage world's tablets, its meetings made with them: built once per module inside
    the tenants world's transaction (tests/conftest.py), rolled back with it."""
    with django_db_blocker.unblock():
        return _build_usage(tenants_world)


@pytest.fixture
def usage_world(tenants: Tenants, usage_tablets: dict[str, Device]) -> UsageWorld:
    """A copy per test, as `tenants` is: each test runs in a savepoint of the module's world."""
    return UsageWorld(tenants, copy.deepcopy(usage_tablets))


def _build_usage(tenants: Tenants) -> dict[str, Device]:
    a1, a2, b1 = (tenants.customers[name] for name in ("A1", "A2", "B1"))
    t: dict[str, Device] = {name: DeviceFactory.create(customer=a1, name=name)
                            for name in ("T1", "T2", "T3")}
    t["U1"] = DeviceFactory.create(customer=a2, name="U1")
    t["V1"] = DeviceFactory.create(customer=b1, name="V1")
    e1, e2 = tenants.users["MANAGER@A1"], tenants.users["OWNER@A1"]
    reseller = tenants.users["RESELLER@Reseller A"]
    meeting(a1, [t["T1"], t["T2"]], e1, "2025-10-25T22:30:00", started="2025-10-25T22:35:00",
            closed="2025-10-25T23:05:30", extra_volume=True)
    meeting(a1, [t["T3"]], e2, "2025-10-26T01:30:00", closed="2025-10-26T02:10:00")
    meeting(a1, [t["T1"]], e1, "2025-10-26T22:59:00", started="2025-10-26T23:05:00",
            closed="2025-10-27T00:45:00", failed_commands=2)
    meeting(a1, [t["T2"]], e2, "2025-10-26T23:00:00", provisioned=False,
            closed="2025-10-27T00:30:00")
    meeting(a1, [t["T3"]], reseller, "2025-10-31T22:59:59", started="2025-10-31T23:10:00",
            closed="2025-10-31T23:40:00")
    meeting(a1, [t["T1"]], None, "2025-10-31T23:00:00", started="2025-10-31T23:20:00")
    with time_machine.travel(utc("2025-11-02T10:00:00"), tick=False):
        meeting_create(customer=a1, devices=[t["T2"]], employee=e2)
    meeting(a2, [t["U1"]], reseller, "2025-10-27T09:00:00", started="2025-10-27T09:01:00",
            closed="2025-10-27T09:11:00.500000")
    meeting(b1, [t["V1"]], tenants.users["MANAGER@B1"], "2025-10-26T10:00:00",
            started="2025-10-26T10:01:00", closed="2025-10-26T10:21:00")
    return t
