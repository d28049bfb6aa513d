"""The whole meeting lifecycle with a real Redis, a real Celery worker and beat, PostgreSQL
and the fake VDX over HTTP. Windows are shortened through the worker's environment."""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.test import Client

from conferences.lifecycle import meeting_end
from conferences.models import Command, Conference
from conferences.services import meeting_create
from devices.services import device_token_issue
from flexcare.celery import app
from tests.celery_worker import lifecycle, wait_for
from tests.factories import DeviceFactory

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BASE = "/iptv/flexcareconference/meeting"


class Tablet:
    def __init__(self, device) -> None:
        self.device = device
        self.token = device_token_issue(device=device)
        self.client = Client()

    def execute_all(self, meeting: Conference, types: set[str]) -> list[str]:
        """Claim this tablet's commands and acknowledge those of `types`."""
        answer = self.client.post(f"{BASE}/{meeting.pk}/commands", {"token": self.token},
                                  content_type="application/json").json()
        done = []
        for command in answer["commands"]:
            if command["type"] in types:
                url = f"{BASE}/{meeting.pk}/commands/{command['_id']}/executed"
                response = self.client.post(url, {"token": self.token},
                                            content_type="application/json")
                assert response.status_code == 200
                done.append(command["type"])
        return done


def state(meeting: Conference) -> str:
    meeting.refresh_from_db()
    return meeting.state


def new_meeting(tablets: list[Tablet]) -> Conference:
    devices = [t.device for t in tablets]
    return meeting_create(customer=devices[0].customer, devices=devices, employee=None)


def two_tablets() -> list[Tablet]:
    first = DeviceFactory()
    return [Tablet(first), Tablet(DeviceFactory(customer=first.customer))]


def test_create_provision_start_end_close_and_end_the_room(tmp_path):
    tablets = two_tablets()
    with lifecycle(tmp_path, MEETING_CLOSE_GRACE_SECONDS="60") as fake:
        meeting = new_meeting(tablets)
        wait_for(lambda: Command.objects.filter(type="START_MEETING").count() == 2,
                 what="provisioning and START_MEETING per tablet")
        meeting.refresh_from_db()
        assert meeting.provisioning == "OK"
        assert meeting.uri
        assert tablets[0].execute_all(meeting, {"START_MEETING"}) == ["START_MEETING"]
        wait_for(lambda: state(meeting) == "STARTED", what="STARTED")
        meeting_end(meeting=meeting, ended_by=None)
        for tablet in tablets:
            assert tablet.execute_all(meeting, {"HANGUP"}) == ["HANGUP"]
        # Closed by the last HANGUP, long before the 60 s grace period.
        wait_for(lambda: state(meeting) == "CLOSED", timeout=20, what="CLOSED")
        meeting.refresh_from_db()
        wait_for(lambda: fake.state()["ended"] == [meeting.vdx_booking_id], what="room ended")
        assert fake.state()["bookings_created"] == 1


def test_a_tablet_that_never_answers_is_closed_after_the_grace_period(tmp_path):
    tablets = two_tablets()
    with lifecycle(tmp_path, MEETING_CLOSE_GRACE_SECONDS="3"):
        meeting = new_meeting(tablets)
        wait_for(lambda: Command.objects.filter(type="START_MEETING").count() == 2)
        tablets[0].execute_all(meeting, {"START_MEETING"})
        wait_for(lambda: state(meeting) == "STARTED")
        meeting_end(meeting=meeting, ended_by=None)
        tablets[0].execute_all(meeting, {"HANGUP"})  # the second tablet stays silent
        wait_for(lambda: state(meeting) == "CLOSED", timeout=20, what="closed after grace")
    silent = Command.objects.get(type="HANGUP", conference_device__device=tablets[1].device)
    assert silent.status == "CANCELED"


def test_a_meeting_nobody_starts_is_closed_after_the_start_window(tmp_path):
    tablets = two_tablets()
    with lifecycle(tmp_path, MEETING_START_WINDOW_SECONDS="3") as fake:
        meeting = new_meeting(tablets)
        wait_for(lambda: state(meeting) == "CLOSED", timeout=30, what="closed unstarted")
        meeting.refresh_from_db()
        assert meeting.provisioning == "OK"
        assert meeting.started_at is None
        wait_for(lambda: fake.state()["ended"] == [meeting.vdx_booking_id], what="room ended")
    assert set(Command.objects.values_list("status", flat=True)) == {"CANCELED"}


def test_a_worker_killed_mid_task_runs_it_again_and_nothing_happens_twice(tmp_path):
    tablets = two_tablets()
    with lifecycle(tmp_path) as fake:
        fake.set_faults(latency=1.5)  # every VDX call is slow: the task is caught mid-way
        meeting = new_meeting(tablets)
        active = wait_for(lambda: [
            task for tasks in (app.control.inspect(timeout=1).active() or {}).values()
            for task in tasks if task["name"] == "conferences.provision_meeting"
        ], what="the provisioning task running")
        os.kill(active[0]["worker_pid"], signal.SIGKILL)
        wait_for(lambda: Command.objects.filter(type="START_MEETING").count() == 2,
                 timeout=60, what="provisioned after the kill")
        time.sleep(2)  # let any duplicate run finish
        assert fake.state()["bookings_created"] == 1
        assert Command.objects.filter(type="START_MEETING").count() == 2
        meeting.refresh_from_db()
        assert meeting.provisioning == "OK"
    assert "signal 9" in (tmp_path / "worker.log").read_text()  # the kill really happened
