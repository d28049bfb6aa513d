"""Booking rooms at a fake VDX over real HTTP: slow provisioning, failures, recovery."""

from __future__ import annotations

import pytest

from conferences.lifecycle import meeting_close, meeting_retry_provisioning
from conferences.models import Command, Conference
from conferences.provisioning import provision_step, vdx_end_step
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def run_until_done(meeting: Conference, limit: int = 50) -> list[float]:
    """Run provisioning steps the way the task does, without the waiting."""
    delays: list[float] = []
    for _ in range(limit):
        delay = provision_step(meeting_id=meeting.pk)
        if delay is None:
            meeting.refresh_from_db()
            return delays
        delays.append(delay)
    raise AssertionError("provisioning never finished")


def test_a_room_is_booked_once_and_polled_until_provisioned(fake_vdx):
    fake_vdx.set_faults(provision_after_reads=2)
    meeting = MeetingFactory.create()
    delays = run_until_done(meeting)
    assert len(delays) == 2
    assert meeting.provisioning == "OK"
    assert "@" in meeting.uri
    assert meeting.pin
    assert fake_vdx.state()["bookings_created"] == 1
    (booking,) = fake_vdx.state()["bookings"].values()
    assert booking["externalId"] == meeting.pk
    assert Command.objects.filter(type="START_MEETING").count() == 1


def test_vdx_failing_a_few_times_then_recovering_books_once(fake_vdx):
    fake_vdx.set_faults(fail_next=3)
    meeting = MeetingFactory.create()
    delays = run_until_done(meeting)
    assert len(delays) == 3
    assert meeting.provisioning == "OK"
    assert meeting.provisioning_attempts == 3
    assert fake_vdx.state()["bookings_created"] == 1


def test_a_lost_answer_to_the_booking_does_not_book_twice(fake_vdx):
    """The booking reached VDX but its answer was lost: the retry finds the same room."""
    meeting = MeetingFactory.create()
    fake_vdx.set_faults(timeout_next=1, timeout_seconds=2.5)  # longer than the client timeout
    run_until_done(meeting)
    assert meeting.provisioning == "OK"
    assert fake_vdx.state()["bookings_created"] == 1


def test_vdx_down_for_good_fails_visibly_and_a_retry_works_once_it_is_back(fake_vdx, settings):
    fake_vdx.set_faults(fail_next=1000)
    meeting = MeetingFactory.create()
    run_until_done(meeting)
    assert meeting.provisioning == "FAILED"
    assert meeting.provisioning_attempts == settings.PROVISION_MAX_ATTEMPTS
    assert "500" in meeting.provisioning_error
    fake_vdx.set_faults(fail_next=0)
    meeting_retry_provisioning(meeting=meeting)
    run_until_done(meeting)
    assert meeting.provisioning == "OK"
    assert fake_vdx.state()["bookings_created"] == 1


def test_provisioning_problems_fail_the_meeting_and_a_retry_books_a_new_room(
    fake_vdx, django_capture_on_commit_callbacks
):
    fake_vdx.set_faults(provision_problems=True)
    meeting = MeetingFactory.create()
    run_until_done(meeting)
    assert meeting.provisioning == "FAILED"
    assert meeting.provisioning_error
    broken = meeting.vdx_booking_id
    fake_vdx.set_faults(provision_problems=False)
    with django_capture_on_commit_callbacks(execute=True):  # the worker's part, eagerly
        meeting_retry_provisioning(meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.provisioning == "OK"
    assert meeting.vdx_booking_id not in ("", broken)
    bookings = fake_vdx.state()["bookings"]
    assert bookings[broken]["externalId"] == meeting.pk
    assert bookings[meeting.vdx_booking_id]["externalId"] == f"{meeting.pk}-1"


def test_a_room_too_slow_to_provision_is_deleted_when_the_retry_books_another(
    fake_vdx, settings, django_capture_on_commit_callbacks
):
    settings.PROVISION_TIMEOUT_SECONDS = 0
    fake_vdx.set_faults(provision_after_reads=100)
    meeting = MeetingFactory.create()
    run_until_done(meeting)
    assert meeting.provisioning == "FAILED"
    slow = meeting.vdx_booking_id
    settings.PROVISION_TIMEOUT_SECONDS = 600
    fake_vdx.set_faults(provision_after_reads=0)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_retry_provisioning(meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.provisioning == "OK"
    assert fake_vdx.state()["deleted"] == [slow]
    assert fake_vdx.state()["bookings_created"] == 2


def test_a_closed_meetings_room_is_ended_at_vdx_once(fake_vdx, django_capture_on_commit_callbacks):
    meeting = MeetingFactory.create()
    run_until_done(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_close(meeting_id=meeting.pk)
    meeting.refresh_from_db()
    assert meeting.vdx_ended_at is not None
    assert fake_vdx.state()["ended"] == [meeting.vdx_booking_id]
    assert vdx_end_step(meeting_id=meeting.pk) is None
    assert fake_vdx.state()["ended"] == [meeting.vdx_booking_id]


def test_a_room_not_yet_provisioned_is_deleted_when_its_meeting_closes(
    fake_vdx, django_capture_on_commit_callbacks
):
    fake_vdx.set_faults(provision_after_reads=100)
    meeting = MeetingFactory.create()
    provision_step(meeting_id=meeting.pk)  # booked, still awaiting provisioning
    with django_capture_on_commit_callbacks(execute=True):
        meeting_close(meeting_id=meeting.pk)
    assert fake_vdx.state()["deleted"] == [Conference.objects.get().vdx_booking_id]
    assert provision_step(meeting_id=meeting.pk) is None  # the closed meeting is left alone
