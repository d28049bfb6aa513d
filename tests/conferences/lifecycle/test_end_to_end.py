"""The whole meeting lifecycle with a real Redis, a real Celery worker and beat, PostgreSQL
and the fake VDX over HTTP. Windows are shortened through the worker's environment."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from conferences.guests import NewGuest
from conferences.lifecycle import meeting_end
from conferences.models import Command, Conference, Guest
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

    def getmeeting(self) -> int:
        return self.client.post(f"{BASE}/device", {"token": self.token},
                                content_type="application/json").status_code

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
    first = DeviceFactory.create()
    return [Tablet(first), Tablet(DeviceFactory.create(customer=first.customer))]


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


def test_a_meeting_booked_ahead_is_shown_at_the_lead_then_started_and_closed_on_time(
        tmp_path, settings):
    # Short, so the suite stays quick: booked 12 s ahead, shown 6 s before, 4 s long.
    ahead, lead, length = 12, 6, 4
    settings.MEETING_TABLET_LEAD_SECONDS = lead  # this process answers getmeeting
    tablet = Tablet(DeviceFactory.create())
    mail = tmp_path / "mail"
    with lifecycle(tmp_path, MEETING_TABLET_LEAD_SECONDS=str(lead),
                   MEETING_CLOSE_GRACE_SECONDS="60", EMAIL_URL=f"filemail:///{mail}"):
        start = timezone.now() + timedelta(seconds=ahead)
        end = start + timedelta(seconds=length)
        meeting = meeting_create(customer=tablet.device.customer, devices=[tablet.device],
                                 employee=None, start=start, end=end,
                                 guests=[NewGuest(email="anna@example.test")])
        wait_for(lambda: Guest.objects.filter(status="SENT").exists(), what="invitation sent")
        assert state(meeting) == "CREATED"
        assert tablet.getmeeting() == 404  # provisioned, but not shown before the lead
        wait_for(lambda: tablet.getmeeting() == 200, timeout=30, what="shown at the lead")
        assert timezone.now() >= start - timedelta(seconds=lead)
        assert not Command.objects.exists()
        wait_for(lambda: Command.objects.filter(type="START_MEETING").exists(), timeout=30,
                 what="START_MEETING at the start")
        assert Command.objects.get(type="START_MEETING").created_at >= start
        assert tablet.execute_all(meeting, {"START_MEETING"}) == ["START_MEETING"]
        wait_for(lambda: state(meeting) == "STARTED", what="STARTED")
        wait_for(lambda: Command.objects.filter(type="HANGUP").exists(), timeout=30,
                 what="HANGUP at the end")
        assert tablet.execute_all(meeting, {"HANGUP"}) == ["HANGUP"]
        wait_for(lambda: state(meeting) == "CLOSED", what="CLOSED")
    meeting.refresh_from_db()
    assert meeting.end_requested_at is not None
    assert meeting.end_requested_at >= end
    assert [path.suffix for path in mail.iterdir()] == [".log"]  # the invitation, as a file
