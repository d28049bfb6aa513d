"""The periodic jobs, with the clock moved: windows, grace periods, and work whose task was
lost while the broker was down."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from kombu.exceptions import OperationalError

from conferences import sweeps, tasks
from conferences.lifecycle import meeting_end, meeting_mark_provisioned
from conferences.models import Conference
from conferences.providers import fake_booking
from conferences.services import meeting_create
from tests.factories import DeviceFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def ready(**kwargs) -> Conference:
    meeting = MeetingFactory.create(**kwargs)
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(meeting.pk))
    meeting.refresh_from_db()
    return meeting


def later(seconds: float) -> time_machine.travel:
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


def test_meetings_not_started_within_the_window_are_closed(settings):
    meeting = ready()
    with later(settings.MEETING_START_WINDOW_SECONDS - 5):
        assert sweeps.close_unstarted_meetings() == 0
    with later(settings.MEETING_START_WINDOW_SECONDS + 1):
        assert sweeps.close_unstarted_meetings() == 1
    meeting.refresh_from_db()
    assert meeting.state == "CLOSED"


def test_a_provisioning_retry_restarts_the_start_window(settings):
    from conferences.lifecycle import meeting_mark_provisioning_failed, meeting_retry_provisioning

    window = settings.MEETING_START_WINDOW_SECONDS
    meeting = MeetingFactory.create()
    meeting_mark_provisioning_failed(meeting_id=meeting.pk, error="VDX down")
    with later(window + 60):  # an employee retries long after the meeting was created
        meeting_retry_provisioning(meeting=meeting)
        assert sweeps.close_unstarted_meetings() == 0
    with later(2 * window + 59):
        assert sweeps.close_unstarted_meetings() == 0
    with later(2 * window + 61):
        assert sweeps.close_unstarted_meetings() == 1
    meeting.refresh_from_db()
    assert meeting.state == "CLOSED"


def test_started_meetings_are_not_closed_by_the_start_window(settings):
    from conferences.lifecycle import meeting_mark_started

    meeting = ready()
    meeting_mark_started(meeting_id=meeting.pk)
    with later(settings.MEETING_START_WINDOW_SECONDS + 1):
        assert sweeps.close_unstarted_meetings() == 0


def test_meetings_past_the_maximum_duration_are_ended(settings):
    meeting = ready()
    with later(settings.MEETING_MAX_DURATION_SECONDS + 1):
        assert sweeps.end_due_meetings() == 1
    meeting.refresh_from_db()
    assert meeting.end_requested_at is not None
    assert meeting.participants.get().commands.filter(type="HANGUP").exists()


def test_ending_meetings_close_after_the_grace_period(settings):
    meeting = ready()
    meeting_end(meeting=meeting, ended_by=None)
    assert sweeps.finish_due_closings() == 0
    with later(settings.MEETING_CLOSE_GRACE_SECONDS + 1):
        assert sweeps.finish_due_closings() == 1
    meeting.refresh_from_db()
    assert meeting.state == "CLOSED"


def test_a_meeting_created_while_the_broker_is_down_is_provisioned_when_it_is_back(
    settings, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis")

    device = DeviceFactory.create()
    with monkeypatch.context() as patch:
        patch.setattr(tasks.provision_meeting, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            meeting = meeting_create(customer=device.customer, devices=[device], employee=None)
    assert "a periodic sweep will pick it up" in caplog.text
    meeting.refresh_from_db()
    assert meeting.provisioning == "PENDING"  # the meeting is kept, not lost
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeps.resume_lost_work() == 0  # not stale yet: its task may still be coming
    with later(settings.PROVISION_STALE_SECONDS + 1), \
            django_capture_on_commit_callbacks(execute=True):
        assert sweeps.resume_lost_work() == 1
    meeting.refresh_from_db()
    assert meeting.provisioning == "OK"  # the (eager) task ran with the fake provider


def test_a_start_acknowledged_while_the_broker_is_down_still_starts_the_meeting(
    monkeypatch, django_capture_on_commit_callbacks, caplog
):
    """The tablet joined: the task that marks the meeting STARTED was lost (broker down, or
    its worker died), and the meeting would otherwise count as never started."""
    from conferences.delivery import command_acknowledge

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis")

    meeting = ready()
    participant = meeting.participants.get()
    start = participant.commands.get(type="START_MEETING")
    with monkeypatch.context() as patch:
        patch.setattr(tasks.mark_meeting_started, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            command_acknowledge(participant=participant,
                                command_id=start.pk)
    assert "a periodic sweep will pick it up" in caplog.text
    meeting.refresh_from_db()
    assert meeting.state == "CREATED"
    with django_capture_on_commit_callbacks(execute=True):
        sweeps.resume_lost_work()
    meeting.refresh_from_db()
    assert meeting.state == "STARTED"
    assert meeting.started_at is not None
