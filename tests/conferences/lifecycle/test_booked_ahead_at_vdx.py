"""Meetings booked ahead at a fake VDX over real HTTP: booked with their times, guests invited
before the room is provisioned (VDX provisions shortly before the start), polled again near
the start, moved, replaced when VDX will not move the room, cancelled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from conferences import sweeps
from conferences.guests import NewGuest
from conferences.lifecycle import meeting_end
from conferences.models import Conference, Guest
from conferences.schedule import meeting_reschedule
from conferences.services import meeting_create
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
# The fake provisions a room from this long before its start, as VDX does (vmrAvailableBefore).
VMR_AVAILABLE_BEFORE = 15 * 60


def vdx_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def tomorrow():
    """Tomorrow at this time, to the second (VDX's times have no fractions)."""
    now = timezone.now().replace(microsecond=0)
    with time_machine.travel(now, tick=False):
        yield now + timedelta(days=1)


def book(run_tasks, start: datetime, **kwargs) -> Conference:
    device = DeviceFactory.create()
    with run_tasks():
        meeting = meeting_create(customer=device.customer, devices=[device], employee=None,
                                 start=start, end=start + HOUR, **kwargs)
    meeting.refresh_from_db()
    return meeting


def booking_of(fake_vdx, meeting: Conference) -> dict:
    return fake_vdx.state()["bookings"][meeting.vdx_booking_id]


def test_guests_are_invited_before_vdx_provisions_the_room_near_its_start(
        fake_vdx, run_tasks, tomorrow, mailoutbox, settings):
    fake_vdx.set_faults(vmr_available_before=VMR_AVAILABLE_BEFORE)
    meeting = book(run_tasks, tomorrow, guests=[NewGuest(email="anna@example.test")])
    booking = booking_of(fake_vdx, meeting)
    assert (booking["startTime"], booking["endTime"]) == (vdx_time(tomorrow),
                                                          vdx_time(tomorrow + HOUR))
    assert booking["status"] == "AWAITS_PROVISION"
    assert meeting.provisioning == "PENDING"  # and not FAILED: waiting is normal so far ahead
    room = fake_vdx.server.state.meetings[meeting.vdx_booking_id]
    assert meeting.guest_link == room.scheduling_info()["portalLink"]
    (message,) = mailoutbox
    assert meeting.guest_link in message.body
    assert str(room.host_pin) not in message.body + str(message.attachments)
    assert Guest.objects.get().status == "SENT"

    # Nothing is polled until the provisioning timeout before the tablets are to see it.
    polling = tomorrow - timedelta(seconds=settings.MEETING_TABLET_LEAD_SECONDS
                                   + settings.PROVISION_TIMEOUT_SECONDS)
    with time_machine.travel(polling - timedelta(minutes=1), tick=False), run_tasks():
        assert sweeps.resume_lost_work() == 0
    with time_machine.travel(polling, tick=False):
        with run_tasks():
            assert sweeps.resume_lost_work() == 1
        meeting.refresh_from_db()
        assert meeting.provisioning == "OK"  # VDX provisioned it 15 minutes before
    assert len(mailoutbox) == 1  # the same room, the same link: nothing new to tell


def test_ending_a_meeting_before_its_start_cancels_the_booking_at_vdx(
        fake_vdx, run_tasks, tomorrow):
    fake_vdx.set_faults(vmr_available_before=VMR_AVAILABLE_BEFORE)
    meeting = book(run_tasks, tomorrow)
    with run_tasks():
        meeting_end(meeting=meeting, ended_by=None)
    meeting.refresh_from_db()
    assert meeting.state == "CLOSED"
    assert meeting.vdx_ended_at is not None
    assert fake_vdx.state()["deleted"] == [meeting.vdx_booking_id]


def test_moving_a_meeting_moves_its_booking_at_vdx(fake_vdx, run_tasks, tomorrow):
    fake_vdx.set_faults(vmr_available_before=VMR_AVAILABLE_BEFORE)
    meeting = book(run_tasks, tomorrow)
    with run_tasks():
        meeting_reschedule(meeting=meeting, start=tomorrow + 3 * HOUR, end=None, actor=None)
    meeting.refresh_from_db()
    booking = booking_of(fake_vdx, meeting)
    assert (booking["startTime"], booking["endTime"]) == (vdx_time(tomorrow + 3 * HOUR),
                                                          vdx_time(tomorrow + 4 * HOUR))
    assert fake_vdx.state()["moved"] == [meeting.vdx_booking_id]
    assert (meeting.booked_start, meeting.booked_end) == (meeting.start_time, meeting.end_time)
    assert fake_vdx.state()["bookings_created"] == 1


def test_a_provisioned_room_vdx_will_not_move_is_replaced_by_one_at_the_new_time(
        fake_vdx, run_tasks, tomorrow, mailoutbox):
    meeting = book(run_tasks, tomorrow, guests=[NewGuest(email="anna@example.test")])
    assert meeting.provisioning == "OK"  # this VDX provisions at once
    first = meeting.vdx_booking_id
    with run_tasks():
        meeting_reschedule(meeting=meeting, start=tomorrow + 3 * HOUR, end=None, actor=None)
    meeting.refresh_from_db()
    assert (meeting.provisioning, meeting.booking_round) == ("OK", 1)
    assert meeting.vdx_booking_id != first
    assert booking_of(fake_vdx, meeting)["startTime"] == vdx_time(tomorrow + 3 * HOUR)
    assert fake_vdx.state()["ended"] == [first]  # the old room given up
    _invitation, update = mailoutbox
    assert meeting.guest_link in update.body
    assert "moved" in update.body
