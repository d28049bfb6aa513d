"""Guards found missing in review: a sweep racing a start, commands on an ending meeting, the
retry's timeout clock, the sweep task's allow-list, queueing while closing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from conferences import sweeps, tasks
from conferences.lifecycle import (
    meeting_close,
    meeting_end,
    meeting_mark_provisioned,
    meeting_mark_provisioning_failed,
    meeting_mark_started,
    meeting_retry_provisioning,
)
from conferences.models import Command, Conference
from conferences.providers import fake_booking
from conferences.provisioning import provision_step
from conferences.services import command_queue
from flexcare.errors import Conflict, ServiceError
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def ready() -> Conference:
    meeting = MeetingFactory.create()
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))
    meeting.refresh_from_db()
    return meeting


def test_the_start_window_sweep_does_not_close_a_meeting_started_meanwhile():
    meeting = ready()
    meeting_mark_started(meeting_id=meeting.pk)  # between the sweep's choice and its lock
    assert not meeting_close(meeting_id=meeting.pk, only_if_unstarted=True)
    meeting.refresh_from_db()
    assert meeting.state == "STARTED"


def test_the_start_window_sweep_does_not_close_a_meeting_being_ended():
    meeting = ready()
    meeting_end(meeting=meeting, ended_by=None)
    assert not meeting_close(meeting_id=meeting.pk, only_if_unstarted=True)


def test_an_ending_meeting_takes_only_hangups():
    meeting = ready()
    device = meeting.participants.get().device
    meeting_end(meeting=meeting, ended_by=None)
    for command in ({"type": "START_MEETING"}, {"type": "CAMERA_ON", "value": True}):
        with pytest.raises(Conflict) as refused:
            command_queue(meeting=meeting, device=device, **command)
        assert refused.value.code == "meeting"
    command_queue(meeting=meeting, device=device, type="HANGUP")


def test_a_retry_gives_provisioning_a_fresh_timeout(settings):
    settings.VDX_PROVIDER = "fake"
    meeting = MeetingFactory.create()
    meeting_mark_provisioning_failed(meeting_id=meeting.pk, error="VDX down")
    with time_machine.travel(timezone.now() + timedelta(
            seconds=settings.PROVISION_TIMEOUT_SECONDS + 60), tick=False):
        meeting_retry_provisioning(meeting=meeting)
        assert provision_step(meeting_id=meeting.pk) is None
    meeting.refresh_from_db()
    assert meeting.provisioning == "OK"


def test_the_sweep_task_runs_only_known_jobs():
    with pytest.raises(ValueError, match="unknown sweep"):
        tasks.sweep("meeting_close")
    scheduled = {entry["args"][0] for entry in settings.CELERY_BEAT_SCHEDULE.values()
                 if entry["task"] == "conferences.sweep"}
    assert scheduled == sweeps.scheduled_jobs() == {
        "expire_commands", "finish_due_closings", "close_unstarted_meetings",
        "start_due_meetings", "end_due_meetings", "resume_lost_work"}
    for job in scheduled:  # each names a job of conferences.sweeps, which runs
        tasks.sweep(job)


def test_every_scheduled_task_is_registered_with_the_worker():
    from flexcare.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def race_queue_against_close(meeting: Conference) -> list[BaseException]:
    device = meeting.participants.get().device
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def queue() -> None:
        try:
            barrier.wait()
            command_queue(meeting=meeting, device=device, type="SET_VOLUME", volume=5)
        except ServiceError:
            pass  # refused because it came after the close: fine
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def close() -> None:
        try:
            barrier.wait()
            meeting_close(meeting_id=meeting.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=queue), threading.Thread(target=close)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_queueing_while_closing_never_leaves_a_command_queued_on_a_closed_meeting():
    for _ in range(5):
        meeting = ready()
        assert race_queue_against_close(meeting) == []
        assert not Command.objects.filter(
            conference_device__conference=meeting, status__in=["QUEUED", "FETCHED"]).exists()


def test_a_meeting_has_at_most_fifty_tablets():
    from conferences.services import MAX_DEVICES_PER_MEETING, meeting_create
    from tests.factories import CustomerFactory, DeviceFactory

    customer = CustomerFactory.create()
    devices = [DeviceFactory.create(customer=customer) for _ in range(MAX_DEVICES_PER_MEETING + 1)]
    with pytest.raises(ServiceError) as refused:
        meeting_create(customer=customer, devices=devices, employee=None)
    assert (refused.value.code, refused.value.status) == ("devices", 400)
    meeting_create(customer=customer, devices=devices[:MAX_DEVICES_PER_MEETING], employee=None)


def test_a_step_of_an_attempt_given_up_by_a_retry_changes_nothing():
    meeting = MeetingFactory.create()
    stale = Conference.objects.get(pk=meeting.pk)  # what a step still running had read
    meeting_mark_provisioning_failed(meeting_id=meeting.pk, error="VDX down")
    with time_machine.travel(timezone.now() + timedelta(seconds=1), tick=False):
        meeting_retry_provisioning(meeting=meeting)
    assert not meeting_mark_provisioned(meeting=stale, booking=fake_booking("old room"))
    assert not meeting_mark_provisioning_failed(meeting_id=meeting.pk, error="old",
                                                attempt_of=stale)
    current = Conference.objects.get(pk=meeting.pk)
    assert (current.provisioning, current.vdx_booking_id) == ("PENDING", "")
    assert meeting_mark_provisioned(meeting=current, booking=fake_booking("new room"))


def test_a_retried_meeting_is_not_taken_for_lost_work():
    meeting = MeetingFactory.create()
    meeting_mark_provisioning_failed(meeting_id=meeting.pk, error="VDX down")
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        meeting_retry_provisioning(meeting=meeting)
        assert sweeps.resume_lost_work() == 0
