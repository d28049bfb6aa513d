"""Stopping a process with SIGTERM, as a supervisor or a deployment does, loses nothing: a
Celery worker finishes the task it is running and hands back those it holds for later;
gunicorn finishes the requests in flight. Real processes, on the test database."""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

import pytest
from django.db import connection, transaction

from conferences.models import Command, CommandStatus, Conference
from conferences.services import meeting_create
from devices.services import device_token_issue
from devtools.httpjson import request_json
from devtools.vdx_fake_server import running_fake_vdx
from flexcare.celery import app
from tests.api.conftest import ready_meeting
from tests.celery_worker import running_worker, vdx_env, wait_for
from tests.factories import DeviceFactory
from tests.web_server import running_web

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def inspect(kind: str, task: str) -> list[dict[str, Any]]:
    """The workers' tasks of one kind ("active", "scheduled") with this name."""
    found = getattr(app.control.inspect(timeout=1), kind)() or {}
    return [t for tasks in found.values() for t in tasks
            if (t.get("request") or t)["name"] == task]


def provisioning(meeting: Conference) -> str:
    meeting.refresh_from_db()
    return meeting.provisioning


@pytest.mark.redis
def test_a_worker_told_to_stop_finishes_the_task_it_is_running(tmp_path):
    device = DeviceFactory.create()
    # Every VDX call takes a second: the provisioning step is caught half-way.
    with running_fake_vdx(latency=1.0) as fake, running_worker(
            tmp_path / "worker.log", extra_env=vdx_env(fake)) as worker:
        meeting = meeting_create(customer=device.customer, devices=[device], employee=None)
        wait_for(lambda: inspect("active", "conferences.provision_meeting"),
                 what="provisioning under way")
        os.kill(worker.pid, signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
        bookings = fake.state()["bookings_created"]
    assert provisioning(meeting) == "OK"  # the step it was in went through to the end
    assert bookings == 1
    assert Command.objects.filter(type="START_MEETING").count() == 1


@pytest.mark.redis
def test_a_worker_told_to_stop_hands_back_the_task_it_holds_for_later(tmp_path):
    device = DeviceFactory.create()
    # VDX provisions the room on the second look: the task books, looks, and is held by the
    # worker for its next look, PROVISION_POLL_SECONDS later.
    with running_fake_vdx(provision_after_reads=1) as fake:
        env = vdx_env(fake, PROVISION_POLL_SECONDS="5")
        with running_worker(tmp_path / "first.log", extra_env=env) as first:
            meeting = meeting_create(customer=device.customer, devices=[device], employee=None)
            wait_for(lambda: inspect("scheduled", "conferences.provision_meeting"),
                     what="the next provisioning step held for later")
            os.kill(first.pid, signal.SIGTERM)
            assert first.wait(timeout=30) == 0  # without waiting for the step it held
        assert provisioning(meeting) == "PENDING"
        # No beat: only the handed-back message can finish the provisioning.
        with running_worker(tmp_path / "second.log", extra_env=env, purge=False):
            wait_for(lambda: provisioning(meeting) == "OK", timeout=60,
                     what="provisioned by the next worker")
        assert fake.state()["bookings_created"] == 1


def test_gunicorn_told_to_stop_finishes_the_requests_in_flight(tmp_path):
    device = DeviceFactory.create()
    meeting = ready_meeting([device])
    token = device_token_issue(device=device)
    start = Command.objects.get(type="START_MEETING")
    with running_web(tmp_path / "web.log") as (base, web):
        url = f"{base}/iptv/flexcareconference/meeting/{meeting.pk}/commands/{start.pk}/executed"
        answers: list[Any] = []
        request = threading.Thread(
            target=lambda: answers.append(request_json("POST", url, {"token": token})))
        with transaction.atomic():
            # The acknowledgement waits for this row lock: a request in flight, for as long
            # as the test wants.
            Command.objects.select_for_update().get(pk=start.pk)
            request.start()
            wait_for(lambda: waiting_on_a_lock() or not request.is_alive(),
                     what="the request waiting in the database")
            assert request.is_alive(), f"answered without waiting for the lock: {answers}"
            web.send(signal.SIGTERM)
            request.join(timeout=2)
            assert web.alive  # still serving the request in flight
            assert request.is_alive()
        request.join(timeout=30)
        assert answers[0].status == 200
        assert answers[0].body["command"]["executed"] is True
        assert web.popen is not None
        assert web.popen.wait(timeout=30) == 0
    start.refresh_from_db()
    assert start.status == CommandStatus.EXECUTED


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL answers pg_stat_activity from a snapshot taken at
        # its first read; without clearing it, a wait that began after that is never seen.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                       " AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0

