"""Meetings booked ahead, with the clock moved: their times, the tablets' view of them, the
start and end by the periodic jobs, a tablet's meetings never overlapping, moving and
cancelling one (docs/domain.md#booked-ahead)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import AuditEntry
from conferences import sweeps
from conferences.lifecycle import EndOutcome, meeting_end, meeting_mark_provisioned
from conferences.models import Command, Conference, ConferenceDevice
from conferences.polling import meeting_poll
from conferences.providers import fake_booking
from conferences.schedule import meeting_reschedule
from conferences.selectors import devices_for_new_meeting
from conferences.services import command_queue, meeting_create
from devices.models import Device
from devices.services import device_token_issue
from flexcare.errors import Conflict, Invalid
from tests.factories import DeviceFactory, UserFactory

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def book(device: Device, start: datetime | None = None, end: datetime | None = None,
         **kwargs) -> Conference:
    return meeting_create(customer=device.customer, devices=[device], employee=None,
                          start=start, end=end, **kwargs)


def shown(token: str) -> str | None:
    """The id of the meeting the tablet's poll finds (conferences.polling), if any."""
    poll = meeting_poll(token)
    assert poll is not None
    return poll.meeting_id


def provisioned(meeting: Conference) -> Conference:
    meeting_mark_provisioned(meeting=meeting, booking=fake_booking(f"fake-{meeting.pk}"))
    meeting.refresh_from_db()
    return meeting


def starts(meeting: Conference) -> int:
    return Command.objects.filter(conference_device__conference=meeting,
                                  type="START_MEETING").count()


def test_a_meeting_for_now_starts_now_and_may_last_the_maximum_duration(clock, settings):
    meeting = book(DeviceFactory.create())
    assert meeting.start_time == meeting.created_at == timezone.now()
    assert meeting.end_time - meeting.start_time == timedelta(
        seconds=settings.MEETING_MAX_DURATION_SECONDS)
    provisioned(meeting)
    assert starts(meeting) == 1  # at provisioning, exactly as before
    assert meeting.start_queued_at is not None
    assert sweeps.start_due_meetings() == 0  # and never again


def test_booking_ahead_is_audited_with_its_times(clock):
    device = DeviceFactory.create()
    manager = UserFactory.create(customer=device.customer)
    start = timezone.now() + timedelta(days=1)
    meeting = book(device, start=start, actor=manager)
    entry = AuditEntry.objects.get(action="meeting.create", object_id=meeting.pk)
    assert entry.actor == manager
    assert (entry.details["start"], entry.details["end"]) == (start.isoformat(),
                                                              (start + HOUR).isoformat())


def test_without_an_end_a_booked_meeting_lasts_an_hour(clock):
    start = timezone.now() + timedelta(days=1)
    meeting = book(DeviceFactory.create(), start=start)
    assert (meeting.start_time, meeting.end_time) == (start, start + HOUR)
    assert set(meeting.participants.values_list("start_time", "end_time")) == {
        (start, start + HOUR)}


@pytest.mark.parametrize(("start", "end", "code"), [
    (-60, None, "startTime"),  # in the past
    (0, None, "startTime"),  # now is not ahead
    (91 * 86400, None, "startTime"),
    (None, 3600, "startTime"),  # an end alone
    (3600, 3600, "endTime"),
    (3600, 1800, "endTime"),
    (3600, 3600 + 4 * 3600 + 1, "endTime"),  # longer than the maximum duration
])
def test_times_outside_the_rules_are_422(clock, start, end, code):
    now = timezone.now()
    with pytest.raises(Invalid) as refused:
        book(DeviceFactory.create(),
             start=None if start is None else now + timedelta(seconds=start),
             end=None if end is None else now + timedelta(seconds=end))
    assert refused.value.code == code
    assert not Conference.objects.exists()


def test_the_limits_themselves_are_allowed(clock):
    now = timezone.now()
    device = DeviceFactory.create()
    book(device, start=now + timedelta(days=90), end=now + timedelta(days=90, hours=4))
    book(device, start=now + timedelta(seconds=1), end=now + timedelta(seconds=2))


def test_a_booked_meeting_is_shown_to_its_tablet_from_the_lead_started_and_ended(
        clock, settings):
    start = timezone.now() + timedelta(days=1)
    device = DeviceFactory.create()
    token = device_token_issue(device=device)
    meeting = provisioned(book(device, start=start, end=start + HOUR))
    assert meeting.provisioning == "OK"
    assert starts(meeting) == 0  # not before its start
    lead = timedelta(seconds=settings.MEETING_TABLET_LEAD_SECONDS)
    with at(start - lead - timedelta(seconds=1)):
        assert shown(token) is None
    with at(start - lead):
        assert shown(token) == meeting.pk
        assert sweeps.start_due_meetings() == 0
    with at(start):
        assert sweeps.start_due_meetings() == 1
        assert sweeps.start_due_meetings() == 0  # a sweep running again queues nothing more
        assert starts(meeting) == 1
        assert sweeps.end_due_meetings() == 0
    with at(start + HOUR):
        assert sweeps.end_due_meetings() == 1
    meeting.refresh_from_db()
    assert meeting.end_requested_at == start + HOUR
    assert Command.objects.filter(type="HANGUP").count() == 1
    assert Command.objects.get(type="START_MEETING").status == "CANCELED"


def test_a_room_provisioned_after_the_start_time_is_started_at_once(clock):
    start = timezone.now() + timedelta(minutes=10)
    meeting = book(DeviceFactory.create(), start=start)
    with at(start + timedelta(minutes=1)):
        provisioned(meeting)
        assert starts(meeting) == 1
        assert sweeps.start_due_meetings() == 0


def test_the_start_window_counts_from_the_start_time(clock, settings):
    start = timezone.now() + timedelta(days=2)
    meeting = provisioned(book(DeviceFactory.create(), start=start))
    window = timedelta(seconds=settings.MEETING_START_WINDOW_SECONDS)
    with at(start + window - timedelta(seconds=1)):
        assert sweeps.close_unstarted_meetings() == 0
    with at(start + window):
        assert sweeps.close_unstarted_meetings() == 1
    meeting.refresh_from_db()
    assert meeting.state == "CLOSED"


def test_a_failed_booking_ahead_is_not_closed_before_its_start(clock, settings):
    from conferences.lifecycle import meeting_mark_provisioning_failed

    start = timezone.now() + timedelta(days=2)
    meeting = book(DeviceFactory.create(), start=start)
    meeting_mark_provisioning_failed(meeting_id=meeting.pk, error="VDX down")
    with at(timezone.now() + timedelta(seconds=settings.MEETING_START_WINDOW_SECONDS + 60)):
        assert sweeps.close_unstarted_meetings() == 0


def test_the_tablet_sees_the_meeting_under_way_before_the_next_one(clock, settings):
    device = DeviceFactory.create()
    token = device_token_issue(device=device)
    start = timezone.now() + timedelta(days=1)
    later = provisioned(book(device, start=start + HOUR, end=start + 2 * HOUR))
    first = provisioned(book(device, start=start, end=start + HOUR))
    # Within the next one's lead, while the first is still under way.
    with at(start + HOUR - timedelta(minutes=1)):
        assert shown(token) == first.pk
    with at(start + HOUR):
        meeting_end(meeting=first, ended_by=None)
        sweeps.finish_due_closings()
    with at(start + HOUR + timedelta(seconds=settings.MEETING_CLOSE_GRACE_SECONDS)):
        sweeps.finish_due_closings()
        assert shown(token) == later.pk


def test_a_tablet_cannot_be_started_by_hand_before_its_meeting_is_shown(clock, settings):
    device = DeviceFactory.create()
    start = timezone.now() + timedelta(days=1)
    meeting = provisioned(book(device, start=start))
    with pytest.raises(Conflict) as refused:
        command_queue(meeting=meeting, device=device, type="START_MEETING")
    assert refused.value.code == "meeting"
    with at(start - timedelta(seconds=settings.MEETING_TABLET_LEAD_SECONDS)):
        command_queue(meeting=meeting, device=device, type="START_MEETING")
    with at(start):
        assert sweeps.start_due_meetings() == 0  # started by hand: not again
    assert starts(meeting) == 1


# --- A tablet's meetings never overlap ---------------------------------------------------------


def test_overlapping_bookings_are_refused_and_adjacent_ones_accepted(clock):
    device = DeviceFactory.create()
    start = timezone.now() + timedelta(days=1)
    book(device, start=start, end=start + HOUR)
    for offset in (-30, 30, 0):
        shifted = start + timedelta(minutes=offset)
        with pytest.raises(Conflict) as refused:
            book(device, start=shifted, end=shifted + HOUR)
        assert (refused.value.code, refused.value.message) == (
            "device", "Device is already booked at that time")
    book(device, start=start + HOUR, end=start + 2 * HOUR)
    book(device, start=start - HOUR, end=start)
    assert ConferenceDevice.objects.filter(device=device, active=True).count() == 3


def test_a_meeting_for_now_counts_too(clock):
    device = DeviceFactory.create()
    book(device)  # for now: busy for the maximum duration
    with pytest.raises(Conflict) as refused:
        book(device, start=timezone.now() + HOUR)
    assert refused.value.message == "Device is already booked at that time"
    with pytest.raises(Conflict) as refused:
        book(device)
    assert refused.value.message == "Device is already in an active meeting"
    book(device, start=timezone.now() + timedelta(hours=4))  # after its maximum duration


def test_a_booking_ahead_refuses_a_meeting_for_now_that_would_run_into_it(clock):
    device = DeviceFactory.create()
    book(device, start=timezone.now() + timedelta(hours=2))
    with pytest.raises(Conflict) as refused:
        book(device)
    assert refused.value.message == "Device is already booked at that time"


def test_a_closed_meeting_frees_its_time(clock):
    device = DeviceFactory.create()
    start = timezone.now() + timedelta(days=1)
    meeting = book(device, start=start)
    meeting_end(meeting=meeting, ended_by=None)
    book(device, start=start)


def test_the_new_meeting_page_shows_tablets_busy_at_the_chosen_time(clock):
    device = DeviceFactory.create()
    user = UserFactory.create(customer=device.customer)
    start = timezone.now() + timedelta(days=1)
    meeting = book(device, start=start)
    assert devices_for_new_meeting(device.customer_id, user) == [(device, None)]
    assert devices_for_new_meeting(device.customer_id, user, start=start,
                                   end=start + HOUR) == [(device, meeting.pk)]


# --- Moving and cancelling ---------------------------------------------------------------------


def test_moving_a_meeting_moves_its_tablets_bookings_and_is_audited(clock):
    device = DeviceFactory.create()
    manager = UserFactory.create(customer=device.customer)
    start = timezone.now() + timedelta(days=1)
    meeting = book(device, start=start)
    moved = meeting_reschedule(meeting=meeting, start=start + 2 * HOUR, end=None, actor=manager)
    assert (moved.start_time, moved.end_time) == (start + 2 * HOUR, start + 3 * HOUR)
    assert set(ConferenceDevice.objects.values_list("start_time", "end_time")) == {
        (start + 2 * HOUR, start + 3 * HOUR)}
    moved = meeting_reschedule(meeting=meeting, start=None, end=start + 4 * HOUR, actor=manager)
    assert (moved.start_time, moved.end_time) == (start + 2 * HOUR, start + 4 * HOUR)
    book(device, start=start, end=start + 2 * HOUR)  # its old time is free
    moves = sorted(entry.details["end"] for entry in AuditEntry.objects.filter(
        action="meeting.reschedule", object_id=meeting.pk, actor=manager))
    assert moves == [[(start + h * HOUR).isoformat() for h in hours]
                     for hours in ((1, 3), (3, 4))]


def test_a_meeting_cannot_be_moved_onto_another_booking_of_its_tablet(clock):
    device = DeviceFactory.create()
    start = timezone.now() + timedelta(days=1)
    meeting = book(device, start=start)
    book(device, start=start + 2 * HOUR)
    with pytest.raises(Conflict) as refused:
        meeting_reschedule(meeting=meeting, start=start + HOUR + timedelta(minutes=30),
                           end=None, actor=None)
    assert refused.value.code == "device"
    meeting.refresh_from_db()
    assert meeting.start_time == start


def test_a_meeting_that_has_begun_cannot_be_moved(clock):
    device = DeviceFactory.create()
    start = timezone.now() + timedelta(days=1)
    meeting = book(device, start=start)
    with at(start), pytest.raises(Conflict) as refused:
        meeting_reschedule(meeting=meeting, start=start + HOUR, end=None, actor=None)
    assert (refused.value.code, refused.value.message) == ("meeting", "Meeting has already begun")
    for_now = book(DeviceFactory.create())
    with pytest.raises(Conflict):
        meeting_reschedule(meeting=for_now, start=start, end=None, actor=None)


def test_a_move_obeys_the_rules_of_times(clock):
    meeting = book(DeviceFactory.create(), start=timezone.now() + HOUR)
    with pytest.raises(Invalid) as refused:
        meeting_reschedule(meeting=meeting, start=timezone.now() - HOUR, end=None, actor=None)
    assert refused.value.code == "startTime"
    with pytest.raises(Invalid) as refused:
        meeting_reschedule(meeting=meeting, start=None, end=None, actor=None)
    assert refused.value.code == "startTime"


def test_ending_a_meeting_before_its_start_cancels_it_at_once(clock, settings):
    device = DeviceFactory.create()
    manager = UserFactory.create(customer=device.customer)
    start = timezone.now() + timedelta(days=1)
    meeting = provisioned(book(device, start=start))
    with at(start - timedelta(seconds=settings.MEETING_TABLET_LEAD_SECONDS)):
        result = meeting_end(meeting=meeting, ended_by=manager)  # its tablet sees it already
    assert result.outcome == EndOutcome.CANCELLED
    assert result.meeting.state == "CLOSED"
    assert result.meeting.is_cancelled
    assert not Command.objects.exists()  # nothing for the tablets: they never joined
    assert AuditEntry.objects.filter(action="meeting.cancel", object_id=meeting.pk).exists()
    book(device, start=start)
